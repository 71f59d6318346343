import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import { asModulatedConv2d, modulateKernel, modulatedConv2d } from './modulated-conv';

describe('modulateKernel', () => {
  it('modulates (eq. 1) and demodulates (eq. 3) by hand', () => {
    const kernel = tf.tensor4d([1, 2], [1, 1, 2, 1]);
    const s = tf.tensor2d([[3, 0.5]]);
    // w' = [3·1, 0.5·2] = [3, 1]; w'' = w' / √(9 + 1)
    const mod = modulateKernel(kernel, s, false);
    expect(Array.from(mod.dataSync())).toEqual([3, 1]);
    const demod = modulateKernel(kernel, s, true, 0);
    expect(Array.from(demod.dataSync())).toEqual([3 / Math.sqrt(10), 1 / Math.sqrt(10)].map((v) => expect.closeTo(v, 6)));
    expect(demod.shape).toEqual([1, 1, 1, 2, 1]);
    tf.dispose([kernel, s, mod, demod]);
  });

  it('gives each output channel of each example unit norm after demodulation', () => {
    const rng = new RandomSource(2);
    const k = rng.normal([3, 3, 4, 5]);
    const s = rng.normal([2, 4]);
    const d = modulateKernel(k, s);
    const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(d), [1, 2, 3])).dataSync());
    for (const n of norms) expect(n).toBeCloseTo(1, 5);
    tf.dispose([k, s, d]);
  });
});

describe('modulatedConv2d', () => {
  function build(demodulate: boolean) {
    return asModulatedConv2d(
      buildLayer(modulatedConv2d({ filters: 3, kernelSize: 3, styleDim: 4, demodulate }), [5, 5, 2], { name: 'mc', seed: 4 }),
    );
  }

  for (const demodulate of [true, false]) {
    it(`equals a convolution of each example with its own modulated kernel (demodulate ${demodulate})`, () => {
      const layer = build(demodulate);
      const [kernel, bias, styleKernel, styleBias] = layer.trainableVariables;
      expect([kernel.name, bias.name, styleKernel.name, styleBias.name]).toEqual([
        'mc/kernel',
        'mc/bias',
        'mc/style_kernel',
        'mc/style_bias',
      ]);
      expect(Array.from(styleBias.dataSync())).toEqual([1, 1]);
      bias.assign(tf.tensor1d([0.1, -0.2, 0.3]));
      const rng = new RandomSource(3);
      const x = rng.normal([2, 5, 5, 2]);
      const w = rng.normal([2, 4]);
      const y = layer.applyStyled(x, w, { training: true });
      const expected = tf.tidy(() => {
        const kernels = modulateKernel(kernel, layer.styles(w), demodulate);
        const outs = [0, 1].map((e) =>
          tf.conv2d(tf.slice(x, [e], [1]) as tf.Tensor4D, tf.reshape(tf.slice(kernels, [e], [1]), [3, 3, 2, 3]) as tf.Tensor4D, 1, 'same'),
        );
        return tf.add(tf.concat(outs, 0), bias);
      });
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([x, w, y, expected]);
      layer.dispose();
    });
  }

  it('passes gradients to the kernel and the affine map, and leaks nothing', () => {
    ensureGradients();
    const layer = build(true);
    const rng = new RandomSource(5);
    const x = rng.normal([2, 5, 5, 2]);
    const w = rng.normal([2, 4]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(layer.applyStyled(x, w, { training: true }))) as tf.Scalar,
      layer.trainableVariables as tf.Variable[],
    );
    for (const v of layer.trainableVariables) {
      const n = tf.tidy(() => tf.norm(grads[v.name]).dataSync()[0]);
      expect(n, v.name).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => layer.apply(x, { training: true })).toThrow(/applyStyled/);
    tf.dispose([x, w]);
    layer.dispose();
  });
});
