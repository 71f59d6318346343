import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, networkVariables } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from '../test-helpers';
import { textConditionalDiscriminator, textConditionalGenerator, textEncoder } from './text';

const table = () => new RandomSource(4).normal([5, 6]);

describe('textEncoder', () => {
  it('maps token ids [b, L] to [b, outputDim]; padding is ignored, word order matters', () => {
    const enc = textEncoder({ vocabularySize: 10, maxLength: 5, tokenDim: 4, hiddenUnits: 8, outputDim: 3, seed: 1 });
    expect(enc.outputShape).toEqual([3]);
    const ids = tf.tensor2d(
      [
        [1, 2, 3, 0, 0],
        [1, 2, 3, 0, 0],
        [3, 2, 1, 0, 0],
        [1, 2, 3, 4, 0],
      ],
      [4, 5],
      'int32',
    );
    const y = enc.apply(ids, { training: false });
    const rows = y.arraySync() as number[][];
    expect(rows[0]).toEqual(rows[1]);
    expect(Math.max(...rows[0].map((v, i) => Math.abs(v - rows[2][i])))).toBeGreaterThan(1e-4);
    expect(Math.max(...rows[0].map((v, i) => Math.abs(v - rows[3][i])))).toBeGreaterThan(1e-4);
    // An all-padding caption is the head applied to zeros, not NaN.
    const empty = tf.zeros([1, 5], 'int32');
    expect(Array.from(enc.apply(empty, { training: false }).dataSync()).every(Number.isFinite)).toBe(true);
    expectNoLeak(enc, ids);
    expectGradientsFlow(enc, ids);
    const bad = tf.tensor2d([[1, 12, 0, 0, 0]], [1, 5], 'int32');
    expect(() => enc.apply(bad, { training: false })).toThrow(/token id 12 is out of range \[0, 10\)/);
    tf.dispose([ids, y, empty, bad]);
    enc.dispose();
  });
});

describe('text-conditioned networks', () => {
  const builders = {
    generator: (t: tf.Tensor | { numCaptions: number; dim: number }) =>
      textConditionalGenerator({ captionEmbeddings: t, latentDim: 4, baseFilters: 4, projectionDim: 3, seed: 2 }),
    discriminator: (t: tf.Tensor | { numCaptions: number; dim: number }) =>
      textConditionalDiscriminator({ captionEmbeddings: t, baseFilters: 4, projectionDim: 3, seed: 3 }),
  };
  for (const [kind, build] of Object.entries(builders)) {
    it(`${kind}: a caption id gives exactly what its embedding gives; other embeddings change the output`, () => {
      const t = table();
      const net = build(t);
      const x = kind === 'generator' ? new RandomSource(1).normal([3, 4]) : new RandomSource(1).uniform([3, 28, 28, 1], -1, 1);
      const ids = tf.tensor1d([0, 4, 2], 'int32');
      const rows = tf.gather(t, ids);
      const a = net.apply(x, { training: false, labels: ids });
      const b = net.apply(x, { training: false, labels: rows });
      expect(maxAbsDiff(a, b)).toBe(0);
      const mixed = tf.mul(rows, 0.5);
      const c = net.apply(x, { training: false, labels: mixed });
      expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-6);
      // The table is frozen: a non-trainable variable, saved with the weights.
      const tableVar = net.nonTrainableVariables.find((v) => v.name === `${net.name}/captions/table`);
      expect(tableVar?.shape).toEqual([5, 6]);
      expect(net.trainableVariables.some((v) => v.name.includes('captions'))).toBe(false);
      expectNoLeak(net, x, ids);
      expectGradientsFlow(net, x, mixed);
      expect(() => net.apply(x, { training: false })).toThrow(/is text-conditioned: pass caption ids/);
      const five = tf.tensor1d([0, 5, 1], 'int32');
      expect(() => net.apply(x, { training: false, labels: five })).toThrow(/label 5 at position 1 is out of range/);
      const wrong = tf.zeros([3, 2]);
      expect(() => net.apply(x, { training: false, labels: wrong })).toThrow(
        /caption embeddings \(float32 \[3, 6\]\), got \[3, 2\] float32/,
      );
      tf.dispose([t, x, ids, rows, a, b, mixed, c, five, wrong]);
      net.dispose();
    });
  }

  it('a size alone gives a zero table to load weights into; dispose frees every variable; bad tables are refused', () => {
    const before = tf.memory().numTensors;
    const g = builders.generator({ numCaptions: 7, dim: 6 });
    expect(tf.memory().numTensors).toBe(before + networkVariables(g).length);
    const tableVar = g.nonTrainableVariables.find((v) => v.name === 'generator/captions/table');
    expect(Array.from(tableVar?.dataSync() ?? [1]).every((v) => v === 0)).toBe(true);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const v = tf.zeros([5]);
    expect(() => builders.discriminator(v)).toThrow(/captionEmbeddings must be a float32 table \[numCaptions, d\], got \[5\]/);
    expect(() => builders.generator({ numCaptions: 0, dim: 3 })).toThrow(/numCaptions must be a positive integer/);
    v.dispose();
  });
});
