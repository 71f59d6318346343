import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from '../test-helpers';
import { packPair, pairedGenerator, patchganReceptiveField, pix2pixDiscriminator, unpackPair } from './patchgan';
import { unetGenerator } from './unet';

describe('pix2pixDiscriminator', () => {
  for (const [layers, map, field] of [
    [1, 14, 10],
    [2, 7, 22],
    [3, 4, 46],
  ] as const) {
    it(`judges a packed 28×28 pair with ${layers} stride-2 layers: one logit per patch, a ${map}×${map} map of ${field}×${field} patches`, () => {
      const d = pix2pixDiscriminator({ inputShape: [28, 28, 1], filters: 4, layers, name: `d-${layers}` });
      expect(d.inputShape).toEqual([28, 28, 2]);
      expect(d.outputShape).toEqual([map, map, 1]);
      expect(patchganReceptiveField(layers)).toBe(field);
      const x = new RandomSource(1).uniform([3, 28, 28, 2], -1, 1);
      const y = d.apply(x, { training: true });
      expect(y.shape).toEqual([3, map, map, 1]);
      expectNoLeak(d, x);
      tf.dispose([x, y]);
      d.dispose();
    });
  }

  it("has pix2pix's 70×70 receptive field for three stride-2 layers and one stride-1 layer", () => {
    expect(patchganReceptiveField(3, 1)).toBe(70);
    expect(patchganReceptiveField(0)).toBe(4);
  });

  it('takes a super-resolution pair: a 7×7 condition beside a 28×28 image', () => {
    const d = pix2pixDiscriminator({ inputShape: [7, 7, 1], imageShape: [28, 28, 1], filters: 4, name: 'd-sr' });
    expect(d.inputShape).toEqual([28, 28, 2]);
    const x = new RandomSource(2).uniform([2, 28, 28, 2], -1, 1);
    expectGradientsFlow(d, x);
    tf.dispose(x);
    d.dispose();
    expect(() => pix2pixDiscriminator({ inputShape: [7, 7, 1], imageShape: [28, 27, 1] })).toThrow(/same whole multiple/);
  });
});

describe('packPair', () => {
  it('puts the output channels first, then the condition upsampled by nearest neighbour', () => {
    const output = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const condition = tf.tensor4d([9], [1, 1, 1, 1]);
    const packed = packPair(output, condition);
    expect(packed.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(packed.dataSync())).toEqual([1, 9, 2, 9, 3, 9, 4, 9]);
    const same = tf.tensor4d([5, 6, 7, 8], [1, 2, 2, 1]);
    const p2 = packPair(output, same);
    expect(Array.from(p2.dataSync())).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    const c2 = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const big = tf.zeros([1, 4, 4, 1]);
    const up = packPair(big, c2);
    // channel 1 of row 0: 1 1 2 2; of row 2: 3 3 4 4
    const rows = tf.tidy(() => tf.slice(up, [0, 0, 0, 1], [1, 4, 4, 1]).dataSync());
    expect(Array.from(rows)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(() => packPair(big, tf.zeros([2, 2, 2, 1]))).toThrow(/same batch and a whole multiple/);
    const before = tf.memory().numTensors;
    tf.dispose(packPair(big, c2));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([output, condition, packed, same, p2, c2, big, up]);
  });
});

describe('pairedGenerator and unpackPair', () => {
  it('puts out packPair(G(x), x) with G’s variables, and unpackPair gets G(x) back', () => {
    const g = unetGenerator({ inputShape: [7, 7, 1], outputShape: [28, 28, 1], filters: 2, name: 'g-paired' });
    const pg = pairedGenerator(g);
    expect(pg.outputShape).toEqual([28, 28, 2]);
    expect(pg.trainableVariables).toBe(g.trainableVariables);
    const x = new RandomSource(7).uniform([2, 7, 7, 1], -1, 1);
    const packed = pg.apply(x, { training: false });
    const direct = g.apply(x, { training: false });
    const expected = packPair(direct, x);
    expect(maxAbsDiff(packed, expected)).toBe(0);
    const back = unpackPair(packed, 1);
    expect(maxAbsDiff(back, direct)).toBe(0);
    expectNoLeak(pg, x);
    expect(() => unpackPair(packed, 2)).toThrow(/no room for 2 output channels/);
    expect(() => pairedGenerator(pix2pixDiscriminator({ inputShape: [8, 8, 1], name: 'not-g' }))).toThrow(/must map images/);
    tf.dispose([x, packed, direct, expected, back]);
    pg.dispose();
    expect(g.trainableVariables[0].isDisposed).toBe(true);
  });
});
