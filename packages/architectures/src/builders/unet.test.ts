import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff, zeroVariables } from '../test-helpers';
import { buildLayer } from '../layer';
import { upsampling2d } from '../layers/shape-layers';
import { unetGenerator, unetLayout, upsampleNearest } from './unet';

describe('unetGenerator', () => {
  it('maps 28×28 images to 28×28 images in (-1, 1) with two levels (28 → 14 → 7), gradients reach every variable, no leaks', () => {
    const g = unetGenerator({ inputShape: [28, 28, 1], filters: 4, seed: 1, name: 'unet-28' });
    expect(unetLayout({ inputShape: [28, 28, 1] })).toEqual({ factor: 1, levels: 2 });
    expect(g.outputShape).toEqual([28, 28, 1]);
    const x = new RandomSource(2).uniform([2, 28, 28, 1], -1, 1);
    const y = g.apply(x, { training: true });
    expect(y.shape).toEqual([2, 28, 28, 1]);
    const [lo, hi] = tf.tidy(() => [tf.min(y).dataSync()[0], tf.max(y).dataSync()[0]]);
    expect(lo).toBeGreaterThan(-1);
    expect(hi).toBeLessThan(1);
    expectGradientsFlow(g, x);
    expectNoLeak(g, x);
    tf.dispose([x, y]);
    g.dispose();
  });

  for (const [size, factor] of [
    [7, 4],
    [14, 2],
  ] as const) {
    it(`super-resolves ${size}×${size} → 28×28 (input upsampled ×${factor} first)`, () => {
      const g = unetGenerator({ inputShape: [size, size, 1], outputShape: [28, 28, 1], filters: 4, name: `sr-${size}` });
      expect(unetLayout({ inputShape: [size, size, 1], outputShape: [28, 28, 1] }).factor).toBe(factor);
      const x = new RandomSource(3).uniform([2, size, size, 1], -1, 1);
      const y = g.apply(x, { training: false });
      expect(y.shape).toEqual([2, 28, 28, 1]);
      expectNoLeak(g, x);
      tf.dispose([x, y]);
      g.dispose();
    });
  }

  it('skip connections carry the input around the bottleneck: with the bottleneck silenced, only the U-Net still sees its input', () => {
    const x1 = new RandomSource(4).uniform([1, 28, 28, 1], -1, 1);
    const x2 = new RandomSource(5).uniform([1, 28, 28, 1], -1, 1);
    const outputs: Record<string, number> = {};
    for (const skips of [true, false]) {
      const g = unetGenerator({ inputShape: [28, 28, 1], filters: 4, skips, seed: 6, name: `skips-${skips}` });
      // A zero bottleneck kernel makes the bottleneck's output 0 whatever the input (conv → 0, norm → 0, ReLU → 0).
      expect(zeroVariables(g.trainableVariables, (n) => n.startsWith(`skips-${skips}/bottleneck/conv2d`) && n.endsWith('/kernel'))).toBe(1);
      const y1 = g.apply(x1, { training: false });
      const y2 = g.apply(x2, { training: false });
      outputs[String(skips)] = maxAbsDiff(y1, y2);
      tf.dispose([y1, y2]);
      g.dispose();
    }
    expect(outputs.false).toBe(0); // the plain encoder–decoder forgets the input
    expect(outputs.true).toBeGreaterThan(1e-4); // the U-Net does not
    tf.dispose([x1, x2]);
  });

  it('refuses sizes that do not fit, in one line', () => {
    expect(() => unetGenerator({ inputShape: [7, 7, 1], outputShape: [28, 21, 1] })).toThrow(/same integer multiple of the input 7×7/);
    expect(() => unetGenerator({ inputShape: [28, 28, 1], levels: 3 })).toThrow(/not divisible by 2\^3 = 8; use fewer levels/);
    expect(() => unetGenerator({ inputShape: [28, 28] as never })).toThrow(/inputShape must be \[height, width, channels\]/);
    expect(() => unetGenerator({ inputShape: [7, 7, 1] })).toThrow(/levels must be a positive integer/);
  });
});

describe('upsampleNearest', () => {
  it('gives exactly the values of upsampling2d, for factors 2 and 4, and the same gradient', () => {
    const x = new RandomSource(8).normal([2, 3, 5, 2]);
    for (const k of [2, 4]) {
      const layer = buildLayer(upsampling2d({ size: k }), [3, 5, 2]);
      const want = layer.apply(x, { training: false });
      const got = upsampleNearest(x, k);
      expect(maxAbsDiff(got, want)).toBe(0);
      const w = new RandomSource(k).normal(want.shape);
      const g1 = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(upsampleNearest(a, k), w)))(x);
      const g2 = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: false }), w)))(x);
      expect(maxAbsDiff(g1, g2)).toBeLessThan(1e-5);
      tf.dispose([want, got, w, g1, g2]);
    }
    tf.dispose(x);
  });
});
