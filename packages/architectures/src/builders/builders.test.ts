import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, countParameters, ensureGradients, networkVariables } from '@gankit/core';
import type { Network } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dcganMnistDiscriminator, dcganMnistGenerator } from './dcgan-mnist';
import { mlpDiscriminator, mlpGenerator } from './mlp';

function expectNoLeak(net: Network, x: tf.Tensor, labels?: tf.Tensor): void {
  for (const training of [true, false]) {
    const before = tf.memory().numTensors;
    const y = net.apply(x, { training, labels });
    expect(tf.memory().numTensors).toBe(before + 1);
    y.dispose();
  }
}

/** Every trainable variable gets a finite, non-zero gradient from a loss on the output. */
function expectGradientsFlow(net: Network, x: tf.Tensor): void {
  ensureGradients();
  const before = tf.memory().numTensors;
  const w = tf.tidy(() => {
    const shape = [x.shape[0], ...net.outputShape];
    return new RandomSource(99).normal(shape);
  });
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(net.apply(x, { training: true }), w)) as tf.Scalar,
    net.trainableVariables as tf.Variable[],
  );
  expect(Object.keys(grads).sort()).toEqual(net.trainableVariables.map((v) => v.name).sort());
  for (const v of net.trainableVariables) {
    const g = grads[v.name];
    expect(g.shape).toEqual(v.shape);
    const norm = tf.tidy(() => tf.norm(g).dataSync()[0]);
    expect(Number.isFinite(norm), v.name).toBe(true);
    expect(norm, `gradient of ${v.name}`).toBeGreaterThan(0);
  }
  tf.dispose([value, w, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before);
}

describe('MLP builders', () => {
  it('mlpGenerator maps [n, latentDim] to [n, outputDim] with the requested layers', () => {
    const g = mlpGenerator({ latentDim: 3, outputDim: 2, hidden: [16, 8], outputActivation: 'tanh', seed: 1 });
    expect(g.name).toBe('generator');
    expect(g.inputShape).toEqual([3]);
    expect(g.outputShape).toEqual([2]);
    expect(countParameters(g)).toBe(3 * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2);
    expect(g.layers.map((l) => l.name)).toEqual([
      'generator/dense_0',
      'generator/relu_0',
      'generator/dense_1',
      'generator/relu_1',
      'generator/dense_2',
      'generator/tanh_0',
    ]);
    const z = new RandomSource(2).normal([64, 3], 0, 10);
    const x = g.apply(z, { training: false });
    expect(x.shape).toEqual([64, 2]);
    expect(tf.max(tf.abs(x)).dataSync()[0]).toBeLessThanOrEqual(1);
    expectNoLeak(g, z);
    expectGradientsFlow(g, z);
    tf.dispose([z, x]);
    g.dispose();
  });

  it('mlpDiscriminator maps [n, inputDim] to [n, 1] with leaky ReLU by default', () => {
    const d = mlpDiscriminator({ inputDim: 2, seed: 1 });
    expect(d.outputShape).toEqual([1]);
    expect(countParameters(d)).toBe(2 * 128 + 128 + 128 * 128 + 128 + 128 + 1);
    expect(d.layers[1].name).toBe('discriminator/leaky_relu_0');
    const x = new RandomSource(3).normal([16, 2]);
    const y = d.apply(x, { training: true });
    expect(y.shape).toEqual([16, 1]);
    expectNoLeak(d, x);
    expectGradientsFlow(d, x);
    tf.dispose([x, y]);
    d.dispose();
    expect(() => mlpGenerator({ latentDim: 2, outputDim: 2, activation: 'gelu' as never })).toThrow(/activation must be/);
    expect(() => mlpGenerator({ latentDim: 2, outputDim: 2, hidden: [4, 0] })).toThrow(/hidden\[1\] must be a positive integer, got 0/);
  });
});

describe('DCGAN-MNIST (wasm forward)', () => {
  it('G maps [n, 100] to [n, 28, 28, 1] in [-1, 1] with the exact parameter count', () => {
    const g = dcganMnistGenerator({ seed: 1 });
    expect(g.inputShape).toEqual([100]);
    expect(g.outputShape).toEqual([28, 28, 1]);
    const denseKernel = 100 * 7 * 7 * 128; // no bias
    const bn1 = 2 * 7 * 7 * 128; // gamma + beta over the dense features
    const deconv1 = 4 * 4 * 64 * 128; // no bias
    const bn2 = 2 * 64;
    const deconv2 = 4 * 4 * 1 * 64 + 1; // with bias
    expect(countParameters(g)).toBe(denseKernel + bn1 + deconv1 + bn2 + deconv2);
    expect(g.trainableVariables.map((v) => v.name)).toEqual([
      'generator/dense_0/kernel',
      'generator/batch_norm_0/gamma',
      'generator/batch_norm_0/beta',
      'generator/conv2d_transpose_0/kernel',
      'generator/batch_norm_1/gamma',
      'generator/batch_norm_1/beta',
      'generator/conv2d_transpose_1/kernel',
      'generator/conv2d_transpose_1/bias',
    ]);
    expect(g.nonTrainableVariables.length).toBe(4);
    const z = new RandomSource(5).normal([3, 100]);
    for (const training of [true, false]) {
      const x = g.apply(z, { training });
      expect(x.shape).toEqual([3, 28, 28, 1]);
      const [lo, hi] = [tf.min(x).dataSync()[0], tf.max(x).dataSync()[0]];
      expect(lo).toBeGreaterThanOrEqual(-1);
      expect(hi).toBeLessThanOrEqual(1);
      expect(hi - lo).toBeGreaterThan(0);
      x.dispose();
    }
    expectNoLeak(g, z);
    z.dispose();
    g.dispose();
  });

  it('kernels are N(0, 0.02)', () => {
    const g = dcganMnistGenerator({ seed: 3 });
    const kernel = g.trainableVariables[0];
    const v = kernel.dataSync();
    let s = 0;
    let q = 0;
    for (const t of v) {
      s += t;
      q += t * t;
    }
    const mean = s / v.length;
    expect(Math.abs(mean)).toBeLessThan(2e-4);
    expect(Math.abs(Math.sqrt(q / v.length - mean * mean) - 0.02)).toBeLessThan(2e-4);
    g.dispose();
  });

  it('D maps [n, 28, 28, 1] to [n, 1] with the exact parameter count', () => {
    const d = dcganMnistDiscriminator({ seed: 2 });
    expect(d.outputShape).toEqual([1]);
    const conv1 = 4 * 4 * 1 * 64 + 64;
    const conv2 = 4 * 4 * 64 * 128 + 128;
    const fc = 7 * 7 * 128 * 1 + 1;
    expect(countParameters(d)).toBe(conv1 + conv2 + fc);
    expect(d.nonTrainableVariables).toEqual([]);
    const x = new RandomSource(6).uniform([4, 28, 28, 1], -1, 1);
    const y = d.apply(x, { training: true });
    expect(y.shape).toEqual([4, 1]);
    expectNoLeak(d, x);
    tf.dispose([x, y]);
    d.dispose();
  });

  it('builds repeat bit for bit per seed', () => {
    const read = (seed: number) => {
      const g = dcganMnistGenerator({ seed });
      const d = dcganMnistDiscriminator({ seed });
      const values = [...networkVariables(g), ...networkVariables(d)].map((v) => Buffer.from(v.dataSync().slice().buffer));
      g.dispose();
      d.dispose();
      return values;
    };
    const a = read(42);
    const b = read(42);
    const c = read(43);
    a.forEach((v, i) => expect(v.equals(b[i])).toBe(true));
    expect(a[0].equals(c[0])).toBe(false);
  });

  it('dispose frees every variable', () => {
    const start = tf.memory().numTensors;
    const g = dcganMnistGenerator();
    const d = dcganMnistDiscriminator();
    expect(tf.memory().numTensors).toBe(start + 12 + 6);
    g.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('DCGAN-MNIST gradients (cpu)', () => {
  let previous = '';
  beforeAll(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('gradients reach every trainable variable of G and D', () => {
    const g = dcganMnistGenerator({ seed: 7 });
    const d = dcganMnistDiscriminator({ seed: 7 });
    const z = new RandomSource(8).normal([2, 100]);
    const x = new RandomSource(9).uniform([2, 28, 28, 1], -1, 1);
    expectGradientsFlow(g, z);
    expectGradientsFlow(d, x);
    tf.dispose([z, x]);
    g.dispose();
    d.dispose();
  });
});
