import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, countParameters, networkVariables } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import type { ResidualLayer } from '../layers/residual';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff, zeroVariables } from '../test-helpers';
import { optimizedResBlockDown, resBlockDown, resBlockUp, snganDiscriminator, snganGenerator } from './sngan';

/** A parametrization that multiplies the kernel by a stored scalar, and records which kernels it wraps. */
function scaling(scale: number, seen: string[]): WeightParametrizationFactory {
  return (_shape, name) => {
    seen.push(name);
    const s = tf.variable(tf.scalar(scale), false, `${name}/scale`);
    return { name: 'scale', variables: [s], apply: (kernel) => tf.mul(kernel, s), dispose: () => s.dispose() };
  };
}

describe('SNGAN ResNet blocks', () => {
  it('resBlockUp doubles the size; with zero main-branch convs it is its shortcut, conv1x1(upsample(x))', () => {
    const block = buildLayer(resBlockUp({ filters: 5 }), [4, 4, 3], { name: 'g/res_block_up_0', seed: 1 }) as ResidualLayer;
    expect(block.outputShape([4, 4, 3])).toEqual([8, 8, 5]);
    expect(block.main.map((l) => l.name.split('/').pop())).toEqual([
      'batch_norm_0',
      'relu_0',
      'upsampling2d_0',
      'conv2d_0',
      'batch_norm_1',
      'relu_1',
      'conv2d_1',
    ]);
    expect(block.shortcut.map((l) => l.name)).toEqual(['g/res_block_up_0/shortcut/upsampling2d_0', 'g/res_block_up_0/shortcut/conv2d_0']);
    const zeroed = zeroVariables(block.trainableVariables, (n) => /res_block_up_0\/conv2d_\d\/(kernel|bias)$/.test(n));
    expect(zeroed).toBe(3); // conv2d_0 kernel (no bias: batch norm follows), conv2d_1 kernel and bias
    const x = new RandomSource(2).normal([2, 4, 4, 3]);
    const y = block.apply(x, { training: true });
    // by hand: nearest upsampling, then the 1x1 conv as a matrix product per pixel, plus bias
    const w = block.shortcut[1].trainableVariables[0].arraySync() as number[][][][];
    const bias = block.shortcut[1].trainableVariables[1].arraySync() as number[];
    const xs = x.arraySync() as number[][][][];
    const ys = y.arraySync() as number[][][][];
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 8; j++) {
          for (let f = 0; f < 5; f++) {
            let v = bias[f];
            for (let c = 0; c < 3; c++) v += xs[n][i >> 1][j >> 1][c] * w[0][0][c][f];
            expect(ys[n][i][j][f]).toBeCloseTo(v, 5);
          }
        }
      }
    }
    tf.dispose([x, y]);
    block.dispose();
  });

  it('resBlockDown without downsampling and equal channels has an identity shortcut: zero convs give x back', () => {
    const block = buildLayer(resBlockDown({ filters: 4, downsample: false }), [6, 6, 4], { name: 'd/b', seed: 3 }) as ResidualLayer;
    expect(block.shortcut).toEqual([]);
    expect(block.outputShape([6, 6, 4])).toEqual([6, 6, 4]);
    const x = new RandomSource(4).normal([2, 6, 6, 4]);
    const y = block.apply(x, { training: false });
    expect(maxAbsDiff(y, x)).toBeGreaterThan(1e-3);
    expect(zeroVariables(block.trainableVariables, () => true)).toBe(4);
    const same = block.apply(x, { training: false });
    expect(maxAbsDiff(same, x)).toBe(0);
    tf.dispose([x, y, same]);
    block.dispose();
    // downsampling or a change of channels gives a learned 1x1 shortcut (with pooling)
    const down = buildLayer(resBlockDown({ filters: 4 }), [6, 6, 4], { name: 'd/c' }) as ResidualLayer;
    expect(down.outputShape([6, 6, 4])).toEqual([3, 3, 4]);
    expect(down.shortcut.map((l) => l.name.split('/').pop())).toEqual(['conv2d_0', 'avg_pool2d_0']);
    down.dispose();
    const widen = buildLayer(resBlockDown({ filters: 8, downsample: false }), [6, 6, 4], { name: 'd/e' }) as ResidualLayer;
    expect(widen.shortcut.map((l) => l.name.split('/').pop())).toEqual(['conv2d_0']);
    widen.dispose();
    const first = buildLayer(optimizedResBlockDown({ filters: 4 }), [8, 8, 3], { name: 'd/f' }) as ResidualLayer;
    expect(first.main[0].name).toBe('d/f/conv2d_0'); // no ReLU on the image
    expect(first.shortcut.map((l) => l.name.split('/').pop())).toEqual(['avg_pool2d_0', 'conv2d_0']);
    expect(first.outputShape([8, 8, 3])).toEqual([4, 4, 4]);
    first.dispose();
  });
});

describe('SNGAN networks', () => {
  it('G: z [b, 128] -> [b, 32, 32, 3] in [-1, 1] through 3 up-blocks; D: [b, 32, 32, 3] -> [b, 1]', () => {
    const g = snganGenerator({ channels: 8, seed: 1 });
    expect(g.inputShape).toEqual([128]);
    expect(g.outputShape).toEqual([32, 32, 3]);
    expect(g.layers.map((l) => l.name)).toEqual([
      'generator/dense_0',
      'generator/reshape_0',
      'generator/res_block_up_0',
      'generator/res_block_up_1',
      'generator/res_block_up_2',
      'generator/batch_norm_0',
      'generator/relu_0',
      'generator/conv2d_0',
      'generator/tanh_0',
    ]);
    const z = new RandomSource(2).normal([2, 128]);
    const x = g.apply(z, { training: true });
    expect(x.shape).toEqual([2, 32, 32, 3]);
    expect(tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0])).toBeLessThanOrEqual(1);
    expectNoLeak(g, z);

    const d = snganDiscriminator({ channels: 8, seed: 2 });
    expect(d.outputShape).toEqual([1]);
    expect(d.layers.map((l) => l.name.split('/')[1])).toEqual([
      'optimized_res_block_0',
      'res_block_down_0',
      'res_block_down_1',
      'res_block_down_2',
      'relu_0',
      'global_sum_pool2d_0',
      'dense_0',
    ]);
    const y = d.apply(x, { training: true });
    expect(y.shape).toEqual([2, 1]);
    expectNoLeak(d, x);
    tf.dispose([z, x, y]);
    for (const net of [g, d]) {
      const before = tf.memory().numTensors;
      const count = networkVariables(net).length;
      net.dispose();
      expect(tf.memory().numTensors).toBe(before - count);
    }
    expect(() => snganGenerator({ imageShape: [28, 28, 1] })).toThrow(/size 4·2\^n/);
    expect(() => snganDiscriminator({ imageShape: [30, 30, 3] })).toThrow(/divisible by 4, got \[30, 30, 3\]/);
  });

  it('D passes weightParametrization to every conv and dense kernel and uses it', () => {
    const seen: string[] = [];
    const d = snganDiscriminator({ channels: 4, weightParametrization: scaling(0, seen), seed: 3 });
    const kernels = d.trainableVariables.map((v) => v.name).filter((n) => n.endsWith('/kernel'));
    // optimized block: 2 convs + shortcut; down block: 2 + shortcut; two identity blocks: 2 each; dense
    expect(kernels.length).toBe(3 + 3 + 2 + 2 + 1);
    expect(seen.sort()).toEqual(kernels.sort());
    expect(d.nonTrainableVariables.length).toBe(kernels.length);
    const x = new RandomSource(4).normal([2, 32, 32, 3]);
    // every kernel scaled by 0: every conv and the dense layer put out their bias (0), so D(x) = 0
    const y = d.apply(x, { training: false });
    expect(Array.from(y.dataSync())).toEqual([0, 0]);
    const plain = snganDiscriminator({ channels: 4, seed: 3, name: 'plain' });
    const yp = plain.apply(x, { training: false });
    expect(tf.tidy(() => tf.max(tf.abs(yp)).dataSync()[0])).toBeGreaterThan(0);
    expect(countParameters(plain)).toBe(countParameters(d));
    tf.dispose([x, y, yp]);
    const before = tf.memory().numTensors;
    d.dispose();
    expect(tf.memory().numTensors).toBe(before - 2 * kernels.length - (d.trainableVariables.length - kernels.length));
    plain.dispose();
  });
});

describe('SNGAN gradients (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('reach every trainable variable of G and D', () => {
    const g = snganGenerator({ latentDim: 8, channels: 4, imageShape: [16, 16, 3], seed: 1 });
    const d = snganDiscriminator({ channels: 4, imageShape: [16, 16, 3], seed: 2 });
    const z = new RandomSource(5).normal([2, 8]);
    const x = new RandomSource(6).normal([2, 16, 16, 3]);
    expectGradientsFlow(g, z);
    expectGradientsFlow(d, x);
    tf.dispose([z, x]);
    g.dispose();
    d.dispose();
  });
});
