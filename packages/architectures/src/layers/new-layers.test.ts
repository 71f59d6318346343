import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import { maxAbsDiff } from '../test-helpers';
import { relu } from './activations';
import { upsampling2d } from './shape-layers';
import { conv2d } from './conv2d';
import { dense } from './dense';
import { instanceNorm, layerNorm } from './instance-norm';
import { avgPool2d, globalSumPool2d, pad2d } from './pooling';
import { residual } from './residual';
import type { ResidualLayer } from './residual';

describe('layerNorm', () => {
  it('normalizes each example over all its features (closed form), independently of the rest of the batch', () => {
    const layer = buildLayer(layerNorm(), [3, 2, 4], { name: 'ln', seed: 1 });
    expect(layer.trainableVariables.map((v) => [v.name, v.shape])).toEqual([
      ['ln/gamma', [4]],
      ['ln/beta', [4]],
    ]);
    const x = tf.tidy(() => {
      const r = new RandomSource(5);
      return tf.add(tf.mul(r.normal([3, 3, 2, 4]), r.uniform([3, 1, 1, 1], 0.5, 4)), r.uniform([3, 1, 1, 1], -5, 5));
    });
    tf.tidy(() => {
      (layer.trainableVariables[0] as tf.Variable).assign(tf.tensor1d([1, 2, 0.5, -1]));
      (layer.trainableVariables[1] as tf.Variable).assign(tf.tensor1d([0, 1, -1, 0.25]));
    });
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    // By hand, in float64: per example, the mean and biased variance of its 24 values.
    const xs = x.dataSync();
    const ys = y.dataSync();
    const gamma = [1, 2, 0.5, -1];
    const beta = [0, 1, -1, 0.25];
    for (let n = 0; n < 3; n++) {
      const v = Array.from(xs.subarray(n * 24, (n + 1) * 24));
      const mean = v.reduce((a, b) => a + b, 0) / 24;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / 24;
      for (let k = 0; k < 24; k++) {
        const expected = gamma[k % 4] * ((v[k] - mean) / Math.sqrt(variance + 1e-5)) + beta[k % 4];
        expect(ys[n * 24 + k]).toBeCloseTo(expected, 4);
      }
    }
    // Example 0 alone gives what it gives in the batch (batch norm would not).
    const [first, firstOut] = [tf.slice(x, [0, 0, 0, 0], [1, 3, 2, 4]), tf.slice(y, [0, 0, 0, 0], [1, 3, 2, 4])];
    const alone = layer.apply(first, { training: true });
    expect(maxAbsDiff(alone, firstOut)).toBeLessThan(1e-6);
    tf.dispose([x, y, first, firstOut, alone]);
    layer.dispose();
  });

  it('takes dense outputs [batch, units]; has finite second derivatives (for a gradient penalty)', () => {
    ensureGradients();
    const layer = buildLayer(layerNorm(), [6], { seed: 2 });
    const x = new RandomSource(3).normal([4, 6]);
    // d/dx of ‖∇ₓ Σ y·w‖²: the double backward a gradient penalty takes through the layer.
    const w = new RandomSource(4).normal([4, 6]);
    const g = tf.grad((input: tf.Tensor) => {
      const inner = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(layer.apply(z, { training: true }), w)))(input);
      return tf.sum(tf.square(inner));
    })(x);
    expect(g.shape).toEqual([4, 6]);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Math.max(...Array.from(g.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    tf.dispose([x, w, g]);
    layer.dispose();
    expect(() => layerNorm({ epsilon: -1 })).toThrow(/layerNorm: epsilon must be > 0/);
  });
});

describe('instanceNorm', () => {
  it('gives every example and channel mean 0 and variance 1 over its spatial axes, the same in training and inference', () => {
    const layer = buildLayer(instanceNorm(), [5, 6, 4], { name: 'in', seed: 1 });
    expect(layer.trainableVariables.map((v) => v.name)).toEqual(['in/gamma', 'in/beta']);
    // per-example, per-channel offsets and scales so that batch statistics would not do
    const x = tf.tidy(() => {
      const r = new RandomSource(2);
      return tf.add(tf.mul(r.normal([3, 5, 6, 4]), r.uniform([3, 1, 1, 4], 0.5, 4)), r.uniform([3, 1, 1, 4], -5, 5));
    });
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    const values = y.arraySync() as number[][][][];
    for (let n = 0; n < 3; n++) {
      for (let c = 0; c < 4; c++) {
        const v: number[] = [];
        for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) v.push(values[n][i][j][c]);
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
        expect(mean).toBeCloseTo(0, 4);
        expect(variance).toBeCloseTo(1, 3);
      }
    }
    const inference = layer.apply(x, { training: false });
    expect(maxAbsDiff(y, inference)).toBe(0);
    // gamma and beta scale and shift per channel
    tf.tidy(() => {
      (layer.trainableVariables[0] as tf.Variable).assign(tf.tensor1d([1, 2, 3, 4]));
      (layer.trainableVariables[1] as tf.Variable).assign(tf.tensor1d([0, -1, 1, 0.5]));
    });
    const scaled = layer.apply(x, { training: false });
    const expected = tf.tidy(() => tf.add(tf.mul(y, tf.tensor1d([1, 2, 3, 4])), tf.tensor1d([0, -1, 1, 0.5])));
    expect(maxAbsDiff(scaled, expected)).toBeLessThan(1e-5);
    tf.dispose([x, y, inference, scaled, expected]);
    const beforeDispose = tf.memory().numTensors;
    layer.dispose();
    expect(tf.memory().numTensors).toBe(beforeDispose - 2);
  });

  it('affine: false has no variables; rejects inputs without a spatial axis', () => {
    const layer = buildLayer(instanceNorm({ affine: false }), [4, 2]);
    expect(layer.trainableVariables).toEqual([]);
    expect(() => buildLayer(instanceNorm(), [8])).toThrow(/needs at least one spatial axis before the channels/);
    expect(() => instanceNorm({ epsilon: 0 })).toThrow(/epsilon must be > 0/);
  });
});

describe('pooling', () => {
  it('avgPool2d averages 2x2 blocks; globalSumPool2d sums over height and width', () => {
    const x = tf.tensor4d([...Array(16).keys()], [1, 4, 4, 1]);
    const pool = buildLayer(avgPool2d(), [4, 4, 1]);
    expect(pool.outputShape([4, 4, 1])).toEqual([2, 2, 1]);
    const y = pool.apply(x, { training: false });
    // blocks {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}
    expect(Array.from(y.dataSync())).toEqual([2.5, 4.5, 10.5, 12.5]);
    const sum = buildLayer(globalSumPool2d(), [4, 4, 1]);
    expect(sum.outputShape([4, 4, 1])).toEqual([1]);
    const s = sum.apply(x, { training: false });
    expect(s.shape).toEqual([1, 1]);
    expect(s.dataSync()[0]).toBe(120);
    expect(() => buildLayer(avgPool2d({ poolSize: 3 }), [2, 2, 1])).toThrow(/a 3x3 pool does not fit input \[\?, 2, 2, 1\]/);
    expect(() => buildLayer(globalSumPool2d(), [4])).toThrow(/expects input of shape \[\?, \?, \?, \?\]/);
    tf.dispose([x, y, s]);
  });
});

describe('pad2d', () => {
  it("'reflect' mirrors without repeating the edge and matches tf.mirrorPad; 'zero' pads zeros", () => {
    const row = tf.tensor4d([1, 2, 3, 4], [1, 1, 4, 1]);
    const wide = tf.tidy(() => tf.tile(row, [1, 3, 1, 1])); // 3 x 4 image, equal rows
    const layer = buildLayer(pad2d({ padding: 2 }), [3, 4, 1]);
    expect(layer.outputShape([3, 4, 1])).toEqual([7, 8, 1]);
    const y = layer.apply(wide, { training: false });
    expect((y.arraySync() as number[][][][])[0][0].map((p) => p[0])).toEqual([3, 2, 1, 2, 3, 4, 3, 2]);
    const x = new RandomSource(4).normal([2, 5, 6, 3]);
    const reflect = buildLayer(pad2d({ padding: 2 }), [5, 6, 3]);
    const ours = reflect.apply(x, { training: false });
    const reference = tf.mirrorPad(
      x,
      [
        [0, 0],
        [2, 2],
        [2, 2],
        [0, 0],
      ],
      'reflect',
    );
    expect(maxAbsDiff(ours, reference)).toBe(0);
    const zero = buildLayer(pad2d({ padding: 1, mode: 'zero' }), [5, 6, 3]);
    const z = zero.apply(x, { training: false });
    expect(
      maxAbsDiff(
        z,
        tf.pad(x, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
      ),
    ).toBe(0);
    expect(() => buildLayer(pad2d({ padding: 3 }), [3, 8, 1])).toThrow(
      /reflection padding 3 needs height and width > 3, got \[\?, 3, 8, 1\]/,
    );
    expect(() => pad2d({ padding: -1 })).toThrow(/padding must be a non-negative integer/);
    tf.dispose([row, wide, y, x, ours, reference, z]);
  });

  it("the reflection's input gradient counts every padded copy of a pixel (tf.mirrorPad's gradient drops them)", () => {
    ensureGradients();
    const [h, w, p] = [4, 5, 2];
    const x = new RandomSource(5).normal([1, h, w, 1]);
    const wgt = new RandomSource(6).normal([1, h + 2 * p, w + 2 * p, 1]);
    const layer = buildLayer(pad2d({ padding: p }), [h, w, 1]);
    const before = tf.memory().numTensors;
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t, { training: true }), wgt)))(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    // by hand: padded position (u, v) reads source (r(u - p), r(v - p)), r reflecting about 0 and n - 1
    const reflectIndex = (t: number, n: number): number => (t < 0 ? -t : t >= n ? 2 * (n - 1) - t : t);
    const weights = wgt.arraySync() as number[][][][];
    const want: number[][] = Array.from({ length: h }, () => new Array(w).fill(0));
    for (let u = 0; u < h + 2 * p; u++)
      for (let v = 0; v < w + 2 * p; v++) want[reflectIndex(u - p, h)][reflectIndex(v - p, w)] += weights[0][u][v][0];
    const got = (g.arraySync() as number[][][][])[0].map((r) => r.map((c) => c[0]));
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) expect(got[i][j]).toBeCloseTo(want[i][j], 4);
    tf.dispose([x, wgt, g]);
  });
});

describe('residual', () => {
  it('is F(x) + x with an identity shortcut: zero main-branch weights leave exactly the input', () => {
    const block = buildLayer(
      residual({ main: [conv2d({ filters: 3, kernelSize: 3 }), relu(), conv2d({ filters: 3, kernelSize: 3 })] }),
      [6, 6, 3],
      { name: 'net/residual_0', seed: 2 },
    ) as ResidualLayer;
    expect(block.trainableVariables.map((v) => v.name)).toEqual([
      'net/residual_0/conv2d_0/kernel',
      'net/residual_0/conv2d_0/bias',
      'net/residual_0/conv2d_1/kernel',
      'net/residual_0/conv2d_1/bias',
    ]);
    expect(block.shortcut).toEqual([]);
    const x = new RandomSource(3).normal([2, 6, 6, 3]);
    // with random weights: y = F(x) + x, F computed by applying the main layers by hand
    const y = block.apply(x, { training: false });
    const f = tf.tidy(() => block.main.reduce((t, l) => l.apply(t, { training: false }), x));
    const expected = tf.add(f, x);
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-6);
    expect(tf.tidy(() => tf.max(tf.abs(f)).dataSync()[0])).toBeGreaterThan(1e-3);
    tf.tidy(() => {
      for (const v of block.trainableVariables) v.assign(tf.zerosLike(v));
    });
    const identity = block.apply(x, { training: false });
    expect(maxAbsDiff(identity, x)).toBe(0);
    const before = tf.memory().numTensors;
    block.dispose();
    expect(tf.memory().numTensors).toBe(before - 4);
    tf.dispose([x, y, f, expected, identity]);
  });

  it('adds a shortcut branch and checks that both branches agree in shape', () => {
    const block = buildLayer(residual({ main: [dense({ units: 4 })], shortcut: [dense({ units: 4, name: 'proj' })] }), [3], {
      name: 'r',
    }) as ResidualLayer;
    expect(block.trainableVariables.map((v) => v.name)).toEqual([
      'r/dense_0/kernel',
      'r/dense_0/bias',
      'r/shortcut/proj/kernel',
      'r/shortcut/proj/bias',
    ]);
    expect(block.outputShape([3])).toEqual([4]);
    block.dispose();
    const before = tf.memory().numTensors;
    expect(() => buildLayer(residual({ main: [dense({ units: 4 })] }), [3], { name: 'bad' })).toThrow(
      "residual block 'bad': the main branch puts out [?, 4] but the shortcut [?, 3] for input [?, 3]; they must match",
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(() => residual({ main: [] })).toThrow(/main must be a non-empty list/);
  });
});

describe('upsampling2d gradient', () => {
  it('the input gradient sums the upstream gradient over each size x size block', () => {
    ensureGradients();
    const s = 3;
    const x = new RandomSource(7).normal([2, 2, 3, 2]);
    const wgt = new RandomSource(8).normal([2, 6, 9, 2]);
    const layer = buildLayer(upsampling2d({ size: s }), [2, 3, 2]);
    const before = tf.memory().numTensors;
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t, { training: true }), wgt)))(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const w = wgt.arraySync() as number[][][][];
    const got = g.arraySync() as number[][][][];
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          for (let c = 0; c < 2; c++) {
            let want = 0;
            for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) want += w[n][i * s + a][j * s + b][c];
            expect(got[n][i][j][c]).toBeCloseTo(want, 4);
          }
        }
      }
    }
    tf.dispose([x, wgt, g]);
  });
});
