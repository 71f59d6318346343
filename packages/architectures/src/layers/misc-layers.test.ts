import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import { activation, leakyRelu, linear, relu, sigmoid, tanh } from './activations';
import { concatLabel, concatOneHot } from './concat-label';
import { embedding } from './embedding';
import { flatten, reshape, upsampling2d } from './shape-layers';

const inference = { training: false };

describe('embedding', () => {
  it('maps int32 indices to rows of its table', () => {
    const layer = buildLayer(embedding({ inputDim: 5, outputDim: 3 }), [], { name: 'emb' });
    const table = layer.trainableVariables[0].arraySync() as number[][];
    expect(layer.trainableVariables[0].name).toBe('emb/embeddings');
    const idx = tf.tensor1d([4, 0, 4], 'int32');
    const y = layer.apply(idx, inference);
    expect(y.arraySync()).toEqual([table[4], table[0], table[4]]);
    expect(() => layer.apply(tf.tensor1d([1]), inference)).toThrow(/indices must be int32, got float32/);
    tf.dispose([idx, y]);
    layer.dispose();
  });
});

describe('concatLabel', () => {
  it('concatenates one-hot labels to vectors', () => {
    const layer = buildLayer(concatLabel({ numClasses: 3 }), [2], { name: 'cl' });
    expect(layer.outputShape([2])).toEqual([5]);
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const y = layer.apply(x, { training: true, labels });
    expect(y.dtype).toBe('float32');
    expect(y.arraySync()).toEqual([
      [1, 2, 0, 0, 1],
      [3, 4, 1, 0, 0],
    ]);
    tf.dispose([x, labels, y]);
    layer.dispose();
  });

  it('repeats one-hot labels over image positions', () => {
    const x = tf.zeros([2, 2, 3, 1]);
    const labels = tf.tensor1d([1, 0], 'int32');
    const before = tf.memory().numTensors;
    const y = concatOneHot(x, labels, 2);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(y.shape).toEqual([2, 2, 3, 3]);
    const v = y.arraySync() as number[][][][];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) {
        expect(v[0][i][j]).toEqual([0, 0, 1]);
        expect(v[1][i][j]).toEqual([0, 1, 0]);
      }
    expect(() => concatOneHot(x, tf.tensor1d([1, 0, 1], 'int32'), 2)).toThrow(/labels must have shape \[2\]/);
    tf.dispose([x, labels, y]);
  });

  it('can concatenate a learned embedding instead', () => {
    const layer = buildLayer(concatLabel({ numClasses: 4, embeddingDim: 2 }), [1], { name: 'cl' });
    const table = layer.trainableVariables[0].arraySync() as number[][];
    const x = tf.tensor2d([[9]]);
    const labels = tf.tensor1d([3], 'int32');
    const y = layer.apply(x, { training: false, labels });
    expect(y.arraySync()).toEqual([[9, ...table[3]]]);
    tf.dispose([x, labels, y]);
    layer.dispose();
  });
});

describe('upsampling2d, reshape, flatten', () => {
  it('upsampling2d repeats every pixel in a size x size block', () => {
    for (const size of [2, 3]) {
      const layer = buildLayer(upsampling2d({ size }), [2, 3, 2]);
      const x = tf.tensor4d(
        Array.from({ length: 12 }, (_, i) => i),
        [1, 2, 3, 2],
      );
      const y = layer.apply(x, inference);
      expect(y.shape).toEqual([1, 2 * size, 3 * size, 2]);
      const xv = x.arraySync() as number[][][][];
      const yv = y.arraySync() as number[][][][];
      for (let i = 0; i < 2 * size; i++)
        for (let j = 0; j < 3 * size; j++) {
          expect(yv[0][i][j]).toEqual(xv[0][Math.floor(i / size)][Math.floor(j / size)]);
        }
      tf.dispose([x, y]);
    }
  });

  it('reshape and flatten', () => {
    const r = buildLayer(reshape({ targetShape: [2, -1] }), [6]);
    expect(r.outputShape([6])).toEqual([2, 3]);
    const x = tf.tensor2d(
      Array.from({ length: 12 }, (_, i) => i),
      [2, 6],
    );
    const y = r.apply(x, inference);
    expect(y.shape).toEqual([2, 2, 3]);
    const f = buildLayer(flatten(), [2, 3]);
    const z = f.apply(y, inference);
    expect(z.shape).toEqual([2, 6]);
    expect(Array.from(z.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => buildLayer(reshape({ targetShape: [7, 7, 128] }), [6000], { name: 'g/reshape_0' })).toThrow(
      "layer 'g/reshape_0' cannot reshape input [?, 6000] (6000 values per example) to [?, 7, 7, 128]",
    );
    expect(() => reshape({ targetShape: [-1, -1] })).toThrow(/at most one -1/);
    tf.dispose([x, y, z]);
  });
});

describe('activations', () => {
  it('compute their functions', () => {
    const x = tf.tensor2d([[-2, -0.5, 0, 1.5]]);
    const v = [-2, -0.5, 0, 1.5];
    const cases: [ReturnType<typeof relu>, (t: number) => number][] = [
      [relu(), (t) => Math.max(t, 0)],
      [leakyRelu({ alpha: 0.1 }), (t) => (t > 0 ? t : 0.1 * t)],
      [leakyRelu(), (t) => (t > 0 ? t : 0.2 * t)],
      [tanh(), Math.tanh],
      [sigmoid(), (t) => 1 / (1 + Math.exp(-t))],
      [linear(), (t) => t],
      [activation('leakyRelu', { alpha: 0.3 }), (t) => (t > 0 ? t : 0.3 * t)],
    ];
    for (const [spec, fn] of cases) {
      const layer = buildLayer(spec, [4]);
      const y = layer.apply(x, inference);
      expect(y).not.toBe(x);
      const got = Array.from(y.dataSync());
      got.forEach((g, i) => expect(g).toBeCloseTo(fn(v[i]), 6));
      y.dispose();
    }
    expect(() => activation('gelu' as never)).toThrow(/unknown activation 'gelu'/);
    expect(() => leakyRelu({ alpha: -1 })).toThrow(/alpha/);
    x.dispose();
  });
});
