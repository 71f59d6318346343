import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, countParameters, ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dcganDiscriminator, dcganGenerator, dcganLayout } from './dcgan';
import { dcganMnistGenerator } from './dcgan-mnist';
import { infoganDiscriminator, infoganGenerator } from './info-gan';

const kinds = (net: { layers: readonly { name: string }[] }) => net.layers.map((l) => l.name.split('/')[1].replace(/_\d+$/, ''));

describe('dcganLayout', () => {
  it('splits sizes into a start size and stride-2 steps', () => {
    expect(dcganLayout([28, 28, 1], 'x')).toEqual({ start: 7, steps: 2, channels: 1 });
    expect(dcganLayout([32, 32, 3], 'x')).toEqual({ start: 4, steps: 3, channels: 3 });
    expect(dcganLayout([64, 64, 3], 'x')).toEqual({ start: 4, steps: 4, channels: 3 });
    expect(() => dcganLayout([28, 32, 1], 'x')).toThrow(/must be square, got \[28, 32, 1\]/);
    expect(() => dcganLayout([7, 7, 1], 'x')).toThrow(/cannot be reached by doubling/);
  });
});

describe('general DCGAN builders', () => {
  it('for [28, 28, 1] G has the MNIST benchmark architecture and parameter count', () => {
    const g = dcganGenerator({ imageShape: [28, 28, 1], name: 'g' });
    const m = dcganMnistGenerator({ name: 'm' });
    expect(kinds(g)).toEqual(kinds(m));
    expect(g.trainableVariables.map((v) => v.shape)).toEqual(m.trainableVariables.map((v) => v.shape));
    g.dispose();
    m.dispose();
  });

  for (const imageShape of [
    [28, 28, 1],
    [32, 32, 3],
    [64, 64, 3],
  ] as const) {
    it(`G and D for ${JSON.stringify(imageShape)}: shapes, BN placement, parameter counts`, () => {
      const base = 8;
      const g = dcganGenerator({ imageShape, baseFilters: base, latentDim: 16, seed: 1 });
      const d = dcganDiscriminator({ imageShape, baseFilters: base, seed: 1 });
      const { start, steps, channels } = dcganLayout(imageShape, 't');
      // G: BN right after the projection and each hidden deconv, not at the output
      expect(kinds(g).slice(-2)).toEqual(['conv2d_transpose', 'tanh']);
      expect(kinds(g).filter((k) => k === 'batch_norm').length).toBe(steps);
      // D: no BN right after the input conv, BN after every later conv
      expect(kinds(d).slice(0, 2)).toEqual(['conv2d', 'leaky_relu']);
      expect(kinds(d).filter((k) => k === 'batch_norm').length).toBe(steps - 1);
      let gParams = 16 * start * start * base * 2 ** (steps - 1) + 2 * start * start * base * 2 ** (steps - 1);
      for (let i = 1; i < steps; i++)
        gParams += 16 * base * 2 ** (steps - i) * base * 2 ** (steps - 1 - i) + 2 * base * 2 ** (steps - 1 - i);
      gParams += 16 * base * channels + channels;
      expect(countParameters(g)).toBe(gParams);
      let dParams = 16 * channels * base + base;
      for (let i = 1; i < steps; i++) dParams += 16 * base * 2 ** (i - 1) * base * 2 ** i + 2 * base * 2 ** i;
      dParams += start * start * base * 2 ** (steps - 1) + 1;
      expect(countParameters(d)).toBe(dParams);
      const z = new RandomSource(2).normal([2, 16]);
      const before = tf.memory().numTensors;
      const x = g.apply(z, { training: true });
      expect(x.shape).toEqual([2, ...imageShape]);
      const y = d.apply(x, { training: false });
      expect(y.shape).toEqual([2, 1]);
      expect(tf.memory().numTensors).toBe(before + 2);
      tf.dispose([z, x, y]);
      g.dispose();
      d.dispose();
    });
  }

  it("hiddenUnits adds InfoGAN's dense layer: parameter counts in closed form, the same outputs as InfoGAN's networks", () => {
    const h = 24;
    const g = dcganGenerator({ imageShape: [28, 28, 1], latentDim: 10, baseFilters: 4, hiddenUnits: h, seed: 5 });
    const d = dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 4, hiddenUnits: h, seed: 5 });
    // G: dense 10→h (no bias) + BN, dense h→7·7·8 (no bias) + BN, deconv 8→4 (no bias) + BN, deconv 4→1 + bias
    expect(kinds(g).slice(0, 4)).toEqual(['dense', 'batch_norm', 'relu', 'dense']);
    expect(countParameters(g)).toBe(10 * h + 2 * h + h * 392 + 2 * 392 + 16 * 8 * 4 + 2 * 4 + 16 * 4 + 1);
    // D: conv 1→4 + bias, conv 4→8 (no bias) + BN, dense 392→h (no bias) + BN, dense h→1 + bias
    expect(kinds(d).slice(-5)).toEqual(['flatten', 'dense', 'batch_norm', 'leaky_relu', 'dense']);
    expect(countParameters(d)).toBe(16 * 4 + 4 + 16 * 4 * 8 + 2 * 8 + 392 * h + 2 * h + h + 1);
    const dPlain = dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 4, hiddenUnits: h, batchNorm: false, name: 'dp' });
    expect(dPlain.nonTrainableVariables).toEqual([]);
    expect(countParameters(dPlain)).toBe(16 * 4 + 4 + 16 * 4 * 8 + 8 + 392 * h + h + h + 1);
    // InfoGAN's networks are these layers (with codes in G's input and a Q head on D's body):
    // same name and seed, same weights, same images
    const z = new RandomSource(6).normal([3, 10]);
    const before = tf.memory().numTensors;
    const x = g.apply(z, { training: false });
    const y = d.apply(x, { training: false });
    expect(y.shape).toEqual([3, 1]);
    expect(tf.memory().numTensors).toBe(before + 2);
    for (const n of [g, d, dPlain]) n.dispose();
    const ig = infoganGenerator({ noiseDim: 10, numCategories: 0, numContinuous: 0, baseFilters: 4, hiddenUnits: h, seed: 5 });
    const id = infoganDiscriminator({ numCategories: 1, numContinuous: 0, baseFilters: 4, hiddenUnits: h, seed: 5 });
    const xi = ig.apply(z, { training: false });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(x, xi))).dataSync()[0])).toBe(0);
    const body = id.applyEndpoint('features', x, { training: false });
    expect(body.shape).toEqual([3, h]);
    tf.dispose([z, x, y, xi, body]);
    ig.dispose();
    id.dispose();
    expect(() => dcganGenerator({ imageShape: [28, 28, 1], hiddenUnits: 0 })).toThrow(/dcganGenerator: hiddenUnits must be/);
    expect(() => dcganDiscriminator({ imageShape: [28, 28, 1], hiddenUnits: 1.5 })).toThrow(/dcganDiscriminator: hiddenUnits must be/);
  });

  it("normalization 'layer' puts layer norm where batch norm goes: per-example outputs, parameter counts in closed form", () => {
    const h = 24;
    const d = dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 4, hiddenUnits: h, normalization: 'layer', seed: 5 });
    expect(kinds(d)).toEqual([
      'conv2d',
      'leaky_relu',
      'conv2d',
      'layer_norm',
      'leaky_relu',
      'flatten',
      'dense',
      'layer_norm',
      'leaky_relu',
      'dense',
    ]);
    expect(d.nonTrainableVariables).toEqual([]);
    // The same counts as with batch norm (γ and β per channel, no bias before the norm).
    expect(countParameters(d)).toBe(16 * 4 + 4 + 16 * 4 * 8 + 2 * 8 + 392 * h + 2 * h + h + 1);
    // An image's score does not depend on the rest of the batch, in training mode too.
    const x = new RandomSource(7).uniform([3, 28, 28, 1], -1, 1);
    const first = tf.slice(x, [0, 0, 0, 0], [1, 28, 28, 1]);
    const [batch, alone] = [d.apply(x, { training: true }), d.apply(first, { training: true })];
    expect(Math.abs(batch.dataSync()[0] - alone.dataSync()[0])).toBeLessThan(1e-5);
    tf.dispose([x, first, batch, alone]);
    d.dispose();
    const none = dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 4, normalization: 'none' });
    expect(kinds(none)).not.toContain('batch_norm');
    none.dispose();
    expect(() => dcganDiscriminator({ imageShape: [28, 28, 1], batchNorm: true, normalization: 'layer' })).toThrow(
      /dcganDiscriminator: batchNorm true contradicts normalization 'layer'/,
    );
    expect(() => dcganDiscriminator({ imageShape: [28, 28, 1], normalization: 'group' as 'layer' })).toThrow(
      /normalization must be 'batch', 'layer' or 'none', got "group"/,
    );
  });

  it('D without batch norm has biases everywhere and no moving statistics', () => {
    const d = dcganDiscriminator({ imageShape: [32, 32, 3], baseFilters: 4, batchNorm: false });
    expect(d.nonTrainableVariables).toEqual([]);
    expect(d.trainableVariables.filter((v) => v.name.endsWith('/bias')).length).toBe(4);
    d.dispose();
  });
});

describe('general DCGAN gradients (cpu)', () => {
  let previous = '';
  beforeAll(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it("upsampling 'nearest': nearest-neighbour ×2 then a 3×3 conv per step, parameters and outputs by hand", () => {
    const b = 4;
    const g = dcganGenerator({ imageShape: [28, 28, 1], latentDim: 10, baseFilters: b, upsampling: 'nearest', seed: 6 });
    expect(kinds(g)).toEqual([
      'dense',
      'batch_norm',
      'relu',
      'reshape',
      'upsample',
      'conv2d',
      'batch_norm',
      'relu',
      'upsample',
      'conv2d',
      'tanh',
    ]);
    // 3×3 kernels where the transposed convolutions have 4×4; the same biases and batch norms.
    expect(countParameters(g)).toBe(10 * 49 * 2 * b + 2 * 49 * 2 * b + 9 * 2 * b * b + 2 * b + 9 * b + 1);
    const z = new RandomSource(8).normal([3, 10]);
    const before = tf.memory().numTensors;
    const x = g.apply(z, { training: false });
    expect(tf.memory().numTensors).toBe(before + 1);
    // By hand, in inference mode: fresh batch norm is x / sqrt(1 + ε) (moving mean 0, variance 1,
    // γ = 1, β = 0); nearest-neighbour ×2 through tf.image's resize (not gankit's upsampling).
    const byName = (suffix: string) => g.trainableVariables.filter((t) => t.name.endsWith(suffix));
    const [dense, conv1, conv2] = byName('/kernel');
    const [bias] = byName('/bias');
    const bn = 1 / Math.sqrt(1 + 1e-5);
    const up = (t: tf.Tensor4D) => tf.image.resizeNearestNeighbor(t, [t.shape[1] * 2, t.shape[2] * 2]);
    const ref = tf.tidy(() => {
      const h = tf.reshape(tf.relu(tf.mul(tf.matMul(z as tf.Tensor2D, dense as tf.Tensor2D), bn)), [3, 7, 7, 2 * b]) as tf.Tensor4D;
      const h2 = tf.relu(tf.mul(tf.conv2d(up(h), conv1 as tf.Tensor4D, 1, 'same'), bn)) as tf.Tensor4D;
      return tf.tanh(tf.add(tf.conv2d(up(h2), conv2 as tf.Tensor4D, 1, 'same'), bias));
    });
    expect([dense.shape, conv1.shape, conv2.shape, bias.shape]).toEqual([[10, 49 * 2 * b], [3, 3, 2 * b, b], [3, 3, b, 1], [1]]);
    expect(x.shape).toEqual([3, 28, 28, 1]);
    expect(tf.max(tf.abs(tf.sub(x, ref))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([z, x, ref]);
    g.dispose();
    // The 32×32×3 layout, and a clear refusal of an unknown mode.
    const colour = dcganGenerator({ imageShape: [32, 32, 3], baseFilters: b, latentDim: 8, upsampling: 'nearest' });
    expect(kinds(colour).filter((k) => k === 'upsample').length).toBe(3);
    expect(kinds(colour)).not.toContain('conv2d_transpose');
    colour.dispose();
    expect(() => dcganGenerator({ imageShape: [28, 28, 1], upsampling: 'bilinear' as 'nearest' })).toThrow(
      /dcganGenerator: upsampling must be 'transposed' or 'nearest', got "bilinear"/,
    );
  });

  it.each(['transposed', 'nearest'] as const)('reach every trainable variable through G and D together (upsampling %s)', (upsampling) => {
    ensureGradients();
    const g = dcganGenerator({ imageShape: [32, 32, 3], baseFilters: 4, latentDim: 8, upsampling, seed: 3 });
    const d = dcganDiscriminator({ imageShape: [32, 32, 3], baseFilters: 4, seed: 3 });
    const z = new RandomSource(4).normal([3, 8]);
    const vars = [...g.trainableVariables, ...d.trainableVariables] as tf.Variable[];
    const { value, grads } = tf.variableGrads(
      () => tf.mean(d.apply(g.apply(z, { training: true }), { training: true })) as tf.Scalar,
      vars,
    );
    for (const v of vars) {
      const n = tf.tidy(() => tf.norm(grads[v.name]).dataSync()[0]);
      expect(n, v.name).toBeGreaterThan(0);
      expect(Number.isFinite(n), v.name).toBe(true);
    }
    tf.dispose([value, z, ...Object.values(grads)]);
    g.dispose();
    d.dispose();
  });
});
