import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, networkVariables } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import type { ResidualLayer } from '../layers/residual';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff, zeroVariables } from '../test-helpers';
import { cycleganGenerator, cycleganResidualBlock, patchganDiscriminator } from './cyclegan';

describe('CycleGAN generator', () => {
  it('maps 28x28x1 digits to 28x28x1 in [-1, 1] with the paper layout (c7s1-k, d2k, d4k, R4k x n, u2k, uk, c7s1-out)', () => {
    const g = cycleganGenerator({ imageShape: [28, 28, 1], filters: 4, residualBlocks: 2, seed: 1, name: 'g_ab' });
    expect(g.outputShape).toEqual([28, 28, 1]);
    expect(g.layers.map((l) => l.name.slice('g_ab/'.length))).toEqual([
      'pad2d_0',
      'conv2d_0',
      'instance_norm_0',
      'relu_0',
      'conv2d_1',
      'instance_norm_1',
      'relu_1',
      'conv2d_2',
      'instance_norm_2',
      'relu_2',
      'cyclegan_res_block_0',
      'cyclegan_res_block_1',
      'conv2d_transpose_0',
      'instance_norm_3',
      'relu_3',
      'conv2d_transpose_1',
      'instance_norm_4',
      'relu_4',
      'pad2d_1',
      'conv2d_3',
      'tanh_0',
    ]);
    // shapes through the network: 34 (padded) -> 28 (7x7 valid) -> 14 -> 7 -> 7 -> 14 -> 28 -> 34 -> 28
    const s = g.summary();
    expect(s).toMatch(/g_ab\/pad2d_0\s+\[\?, 34, 34, 1\]/);
    expect(s).toMatch(/g_ab\/conv2d_2\s+\[\?, 7, 7, 16\]/);
    expect(s).toMatch(/g_ab\/cyclegan_res_block_1\s+\[\?, 7, 7, 16\]/);
    expect(s).toMatch(/g_ab\/conv2d_transpose_0\s+\[\?, 14, 14, 8\]/);
    const kernelShapes = Object.fromEntries(g.trainableVariables.map((v) => [v.name.slice('g_ab/'.length), v.shape]));
    expect(kernelShapes['conv2d_0/kernel']).toEqual([7, 7, 1, 4]);
    expect(kernelShapes['conv2d_3/kernel']).toEqual([7, 7, 4, 1]);
    expect(kernelShapes['cyclegan_res_block_0/conv2d_1/kernel']).toEqual([3, 3, 16, 16]);
    expect(kernelShapes['conv2d_0/bias']).toBeUndefined(); // instance norm follows
    expect(kernelShapes['conv2d_3/bias']).toEqual([1]);
    const x = tf.tidy(() => tf.tanh(new RandomSource(2).normal([2, 28, 28, 1])));
    const y = g.apply(x, { training: true });
    expect(y.shape).toEqual([2, 28, 28, 1]);
    expect(tf.tidy(() => tf.max(tf.abs(y)).dataSync()[0])).toBeLessThanOrEqual(1);
    // no moving statistics: training and inference agree
    const yi = g.apply(x, { training: false });
    expect(maxAbsDiff(y, yi)).toBe(0);
    expect(g.nonTrainableVariables).toEqual([]);
    expectNoLeak(g, x);
    tf.dispose([x, y, yi]);
    const before = tf.memory().numTensors;
    const count = networkVariables(g).length;
    g.dispose();
    expect(tf.memory().numTensors).toBe(before - count);
  });

  it("32x32x3 with 'zero' padding and other output channels; rejects sizes not divisible by 4", () => {
    const g = cycleganGenerator({ imageShape: [32, 32, 3], outputChannels: 1, filters: 2, residualBlocks: 1, padding: 'zero' });
    expect(g.outputShape).toEqual([32, 32, 1]);
    const x = tf.ones([1, 32, 32, 3]);
    const y = g.apply(x, { training: false });
    expect(y.shape).toEqual([1, 32, 32, 1]);
    tf.dispose([x, y]);
    g.dispose();
    expect(() => cycleganGenerator({ imageShape: [30, 30, 3] })).toThrow(
      'cycleganGenerator: height and width must be divisible by 4, got [30, 30, 3]',
    );
    expect(() => cycleganGenerator({ imageShape: [28, 28, 1], residualBlocks: -1 })).toThrow(
      /residualBlocks must be a non-negative integer/,
    );
  });

  it('the residual block R_k is the identity when its convs are zero (instance norm of zeros is zero)', () => {
    const block = buildLayer(cycleganResidualBlock({ filters: 3 }), [5, 5, 3], { name: 'g/r', seed: 4 }) as ResidualLayer;
    expect(block.shortcut).toEqual([]);
    expect(block.main.map((l) => l.name.split('/').pop())).toEqual([
      'pad2d_0',
      'conv2d_0',
      'instance_norm_0',
      'relu_0',
      'pad2d_1',
      'conv2d_1',
      'instance_norm_1',
    ]);
    const x = new RandomSource(5).normal([2, 5, 5, 3]);
    const y = block.apply(x, { training: false });
    expect(maxAbsDiff(y, x)).toBeGreaterThan(1e-2);
    expect(zeroVariables(block.trainableVariables, (n) => n.endsWith('/kernel'))).toBe(2);
    const same = block.apply(x, { training: false });
    expect(maxAbsDiff(same, x)).toBe(0);
    tf.dispose([x, y, same]);
    block.dispose();
  });
});

describe('PatchGAN discriminator', () => {
  it('puts out a patch map of logits: C64-C128-C256 (scaled), instance norm after all but the first', () => {
    const d = patchganDiscriminator({ imageShape: [28, 28, 1], filters: 4, seed: 1, name: 'd_a' });
    // 28 -> 14 -> 7 -> 4, then a stride-1 conv to one channel
    expect(d.outputShape).toEqual([4, 4, 1]);
    expect(d.layers.map((l) => l.name.slice('d_a/'.length))).toEqual([
      'conv2d_0',
      'leaky_relu_0',
      'conv2d_1',
      'instance_norm_0',
      'leaky_relu_1',
      'conv2d_2',
      'instance_norm_1',
      'leaky_relu_2',
      'conv2d_3',
    ]);
    const shapes = d.trainableVariables.filter((v) => v.name.endsWith('kernel')).map((v) => v.shape);
    expect(shapes).toEqual([
      [4, 4, 1, 4],
      [4, 4, 4, 8],
      [4, 4, 8, 16],
      [4, 4, 16, 1],
    ]);
    const x = new RandomSource(3).normal([2, 28, 28, 1]);
    const y = d.apply(x, { training: true });
    expect(y.shape).toEqual([2, 4, 4, 1]);
    expectNoLeak(d, x);
    tf.dispose([x, y]);
    d.dispose();
    const d32 = patchganDiscriminator({ imageShape: [32, 32, 3], filters: 2, layers: 2 });
    expect(d32.outputShape).toEqual([8, 8, 1]);
    d32.dispose();
  });
});

describe('CycleGAN gradients (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('reach every trainable variable of the generator and the PatchGAN', () => {
    const g = cycleganGenerator({ imageShape: [16, 16, 1], filters: 2, residualBlocks: 1, seed: 1 });
    const d = patchganDiscriminator({ imageShape: [16, 16, 1], filters: 2, seed: 2 });
    const x = new RandomSource(6).normal([2, 16, 16, 1]);
    expectGradientsFlow(g, x);
    expectGradientsFlow(d, x);
    tf.dispose([x]);
    g.dispose();
    d.dispose();
  });
});
