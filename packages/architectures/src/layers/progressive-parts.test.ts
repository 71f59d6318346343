import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import { maxAbsDiff } from '../test-helpers';
import { conv2dTranspose } from './conv2d-transpose';
import { equalizedConv2d, equalizedDense, equalizedLearningRate } from './equalized';
import { minibatchStddev } from './minibatch-stddev';
import { pixelNorm } from './pixel-norm';
import { normal } from '../initializers';

describe('pixelNorm', () => {
  it('scales each pixel’s feature vector to unit mean square (hand values)', () => {
    const layer = buildLayer(pixelNorm(), [1, 2, 2], { name: 'pn' });
    // pixel (0,0): [3, 4] → mean square 12.5 → /sqrt(12.5); pixel (0,1): [0, 2] → mean square 2
    const x = tf.tensor4d([
      [
        [
          [3, 4],
          [0, 2],
        ],
      ],
    ]);
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    const s = Math.sqrt(12.5 + 1e-8);
    const t = Math.sqrt(2 + 1e-8);
    const want = [3 / s, 4 / s, 0, 2 / t];
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    // vectors (the latent z) are normalized along their one axis
    const z = buildLayer(pixelNorm(), [4], { name: 'pz' });
    const zy = z.apply(
      tf.tensor2d([
        [1, 1, 1, 1],
        [2, 0, 0, 0],
      ]),
      { training: false },
    );
    expect(Array.from(zy.dataSync())).toEqual([1, 1, 1, 1, 2 / Math.fround(Math.sqrt(1 + 1e-8)), 0, 0, 0].map((v) => Math.fround(v)));
    tf.dispose([x, y, zy]);
    expect(() => pixelNorm({ epsilon: 0 })).toThrow(/epsilon must be > 0/);
  });
});

describe('minibatchStddev', () => {
  it('appends the mean over features of the per-group standard deviation (hand values, groups n mod M)', () => {
    const layer = buildLayer(minibatchStddev({ groupSize: 2 }), [1, 1, 2], { name: 'mb' });
    expect(layer.outputShape([1, 1, 2])).toEqual([1, 1, 3]);
    // batch 4, groups of 2: group 0 = examples {0, 2}, group 1 = {1, 3}
    const x = tf.tensor4d([[[[0, 0]]], [[[1, 1]]], [[[2, 4]]], [[[1, 5]]]]);
    const y = layer.apply(x, { training: true });
    expect(y.shape).toEqual([4, 1, 1, 3]);
    // group 0: std over {0, 2} = 1, over {0, 4} = 2 → mean 1.5; group 1: {1, 1} → 0, {1, 5} → 2 → mean 1
    const eps = 1e-8;
    const g0 = (Math.sqrt(1 + eps) + Math.sqrt(4 + eps)) / 2;
    const g1 = (Math.sqrt(0 + eps) + Math.sqrt(4 + eps)) / 2;
    const got = y.arraySync() as number[][][][];
    expect(got.map((e) => e[0][0].slice(0, 2))).toEqual([
      [0, 0],
      [1, 1],
      [2, 4],
      [1, 5],
    ]);
    [g0, g1, g0, g1].forEach((want, n) => expect(got[n][0][0][2]).toBeCloseTo(want, 5));
    tf.dispose([x, y]);
  });

  it('averages over pixels too, works on vectors, takes the whole batch when it is smaller than a group, and refuses a ragged batch', () => {
    const maps = buildLayer(minibatchStddev(), [2, 1, 1], { name: 'm' });
    // batch 2 < groupSize 4 → one group of 2; pixel 0 values {0, 2} std 1, pixel 1 values {0, 6} std 3 → 2
    const y = maps.apply(
      tf.tensor4d([
        [[[0]], [[0]]],
        [[[2]], [[6]]],
      ]),
      { training: false },
    );
    const values = Array.from(y.dataSync());
    expect(values.filter((_, i) => i % 2 === 0)).toEqual([0, 0, 2, 6]);
    for (const s of values.filter((_, i) => i % 2 === 1)) expect(s).toBeCloseTo(2, 5);
    const vec = buildLayer(minibatchStddev({ groupSize: 2 }), [3], { name: 'v' });
    const v = vec.apply(
      tf.tensor2d([
        [1, 2, 3],
        [3, 2, 1],
      ]),
      { training: false },
    );
    expect(v.shape).toEqual([2, 4]);
    // features' stds over the pair: 1, 0 (plus ε: sqrt(1e-8)), 1
    expect(v.dataSync()[3]).toBeCloseTo((1 + Math.sqrt(1e-8) + 1) / 3, 6);
    expect(() => vec.apply(tf.zeros([3, 3]), { training: false })).toThrow(/batch \(3\) must be a multiple of the group size \(2\)/);
    expect(() => buildLayer(minibatchStddev(), [2, 3])).toThrow(/takes vectors \[batch, features\] or feature maps/);
    tf.dispose([y, v]);
  });

  it('passes gradients to its input and leaks nothing', () => {
    ensureGradients();
    const layer = buildLayer(minibatchStddev({ groupSize: 2 }), [2, 2, 3], { name: 'g' });
    const x = tf.tidy(() => new RandomSource(1).normal([4, 2, 2, 3]));
    const before = tf.memory().numTensors;
    const g = tf.grad((input: tf.Tensor) => tf.sum(tf.square(layer.apply(input, { training: true }))))(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    // d/dx of the appended feature is not zero: the gradient differs from that of x² alone (2x)
    const plain = tf.mul(x, 2);
    expect(maxAbsDiff(g, plain)).toBeGreaterThan(1e-3);
    tf.dispose([x, g, plain]);
  });
});

describe('equalized learning rate', () => {
  it('stores N(0, 1) kernels and uses c·W with c = gain / sqrt(fanIn) (dense)', () => {
    const layer = buildLayer(equalizedDense({ units: 64 }), [256], { name: 'ed', seed: 2 });
    const [kernel, bias] = layer.trainableVariables;
    const stats = tf.tidy(() => tf.moments(kernel));
    expect(stats.mean.dataSync()[0]).toBeCloseTo(0, 1);
    expect(Math.sqrt(stats.variance.dataSync()[0])).toBeCloseTo(1, 1);
    expect(Array.from(bias.dataSync()).every((b) => b === 0)).toBe(true);
    // the identity as input reads the effective kernel row by row
    const eye = tf.eye(256);
    const y = layer.apply(eye, { training: false });
    const want = tf.mul(kernel, Math.SQRT2 / 16);
    expect(maxAbsDiff(y, want)).toBeLessThan(1e-6);
    tf.dispose([stats.mean, stats.variance, eye, y, want]);
    layer.dispose();
  });

  it('scales conv2d kernels by gain / sqrt(kh·kw·in), and transposed ones by their input channels', () => {
    const layer = buildLayer(equalizedConv2d({ filters: 3, kernelSize: 3, gain: 1 }), [5, 5, 2], { name: 'ec', seed: 3 });
    const x = tf.tidy(() => new RandomSource(4).normal([2, 5, 5, 2]));
    const y = layer.apply(x, { training: true });
    const kernel = layer.trainableVariables[0] as tf.Tensor4D;
    const want = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, tf.mul(kernel, 1 / Math.sqrt(18)) as tf.Tensor4D, 1, 'same'));
    expect(maxAbsDiff(y, want)).toBeLessThan(1e-5);
    tf.dispose([x, y, want]);
    layer.dispose();
    const p = equalizedLearningRate()([4, 4, 8, 16], 'g/conv2d_transpose_0/kernel');
    const k = tf.ones([4, 4, 8, 16]);
    const eff = p.apply(k, { training: false });
    expect(eff.dataSync()[0]).toBeCloseTo(Math.SQRT2 / Math.sqrt(4 * 4 * 16), 6);
    // the same through a conv2dTranspose layer
    const t = buildLayer(
      conv2dTranspose({
        filters: 8,
        kernelSize: 4,
        strides: 2,
        kernelInitializer: normal(0, 1),
        weightParametrization: equalizedLearningRate(),
      }),
      [3, 3, 16],
      { name: 'up' },
    );
    expect(t.trainableVariables[0].shape).toEqual([4, 4, 8, 16]);
    t.dispose();
    expect(p.variables).toEqual([]);
    tf.dispose([k, eff]);
    expect(() => equalizedLearningRate({ gain: 0 })).toThrow(/gain must be > 0/);
    expect(() => equalizedLearningRate({ fanIn: 1.5 })).toThrow(/fanIn must be a positive integer/);
  });
});
