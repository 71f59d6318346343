import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Layer } from '../layer';
import { expectNoLeak, maxAbsDiff } from '../test-helpers';
import { progressiveDiscriminator, progressiveGenerator } from './progressive';
import type { ProgressiveNetwork } from './progressive';

const small = { filters: [16, 8, 4], latentDim: 8, seed: 3 } as const;

/** Nearest-neighbour upsampling by `s` (the reference the outputs are compared with). */
function nearest(x: tf.Tensor, s: number): tf.Tensor {
  const [, h, w] = x.shape;
  return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [h * s, w * s]);
}

/** Adds 0.5 to every variable of the layers whose name starts with `prefix`; returns how many layers. */
function perturb(net: ProgressiveNetwork, prefix: string): number {
  const layers = net.layers.filter((l: Layer) => l.name.startsWith(`${net.name}/${prefix}`));
  for (const l of layers) for (const v of l.trainableVariables) tf.tidy(() => v.assign(tf.add(v, 0.5)));
  return layers.length;
}

function run(net: ProgressiveNetwork, x: tf.Tensor, stage: number, alpha: number): tf.Tensor {
  net.setGrowth(stage, alpha);
  return net.apply(x, { training: false });
}

describe('progressive GAN networks', () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('grow 7 → 14 → 28 with every variable built from the start, lowest resolution first', () => {
    const g = progressiveGenerator({ imageShape: [28, 28, 1], ...small });
    const d = progressiveDiscriminator({ imageShape: [28, 28, 1], filters: small.filters, seed: 3 });
    expect(g.resolutions).toEqual([7, 14, 28]);
    expect([g.stage, g.alpha, g.resolution]).toEqual([0, 1, 7]);
    const names = g.trainableVariables.map((v) => v.name);
    expect(names[0]).toBe('generator/block_7/dense_0/kernel');
    expect(names.indexOf('generator/to_rgb_7/kernel')).toBeLessThan(names.indexOf('generator/block_14/conv2d_0/kernel'));
    expect(names[names.length - 1]).toBe('generator/to_rgb_28/bias');
    expect(d.trainableVariables.map((v) => v.name).slice(0, 2)).toEqual([
      'discriminator/head/conv2d_0/kernel',
      'discriminator/head/conv2d_0/bias',
    ]);
    const z = tf.tidy(() => new RandomSource(1).normal([4, 8]));
    for (let stage = 0; stage < 3; stage++) {
      for (const alpha of [0, 0.5, 1]) {
        g.setGrowth(stage, alpha);
        d.setGrowth(stage, alpha);
        const x = g.apply(z, { training: true });
        expect(x.shape).toEqual([4, 28, 28, 1]);
        const y = d.apply(x, { training: true });
        expect(y.shape).toEqual([4, 1]);
        tf.dispose([x, y]);
      }
    }
    g.setGrowth(1, 0.3);
    d.setGrowth(1, 0.3);
    expectNoLeak(g, z);
    const img = tf.zeros([4, 28, 28, 1]);
    expectNoLeak(d, img);
    expect(g.summary()).toMatch(/stage 1 \(14×14\), alpha 0.3/);
    expect(() => g.setGrowth(3, 1)).toThrow(/stage must be an integer in \[0, 2\] \(resolutions 7, 14, 28\), got 3/);
    expect(() => d.setGrowth(1, 1.5)).toThrow(/alpha must be a number in \[0, 1\], got 1.5/);
    expect(() => progressiveGenerator({ imageShape: [28, 28, 1], filters: [8, 8] })).toThrow(/filters must be one number or 3 numbers/);
    tf.dispose([z, img]);
    g.dispose();
    d.dispose();
  });

  it('G at stage 0 is toRGB of the 7×7 block, upsampled ×4; grown at α = 0 it is the smaller G’s output upsampled', () => {
    const z = tf.tidy(() => new RandomSource(2).normal([3, 8]));
    // a generator for 14×14 images, at its last stage: the "smaller network"
    const g14 = progressiveGenerator({ imageShape: [14, 14, 1], ...small, filters: [16, 8], stage: 1 });
    const out14 = g14.apply(z, { training: false });
    g14.dispose();
    const g = progressiveGenerator({ imageShape: [28, 28, 1], ...small });
    const stage0 = run(g, z, 0, 1);
    const byHand = tf.tidy(() => {
      let h: tf.Tensor = z;
      for (const l of g.layers.filter((x) => x.name.startsWith('generator/block_7/'))) h = l.apply(h, { training: false });
      const rgb = (g.layers.find((x) => x.name === 'generator/to_rgb_7') as Layer).apply(h, { training: false });
      return nearest(rgb, 4);
    });
    expect(maxAbsDiff(stage0, byHand)).toBe(0);
    // stage 1 at α = 0 is stage 0 exactly
    const grown1 = run(g, z, 1, 0);
    expect(maxAbsDiff(grown1, stage0)).toBe(0);
    // stage 2 at α = 0 is the 14×14 generator's image, upsampled ×2
    const grown2 = run(g, z, 2, 0);
    const up14 = nearest(out14, 2);
    expect(maxAbsDiff(grown2, up14)).toBe(0);
    expect(maxAbsDiff(run(g, z, 1, 1), up14)).toBe(0);
    tf.dispose([z, out14, stage0, byHand, grown1, grown2, up14]);
    g.dispose();
  });

  it('G at α = 1 is the new block alone; in between, the images blend linearly', () => {
    const g = progressiveGenerator({ imageShape: [28, 28, 1], ...small });
    const z = tf.tidy(() => new RandomSource(4).normal([2, 8]));
    const a0 = run(g, z, 2, 0);
    const a1 = run(g, z, 2, 1);
    const half = run(g, z, 2, 0.5);
    const mid = tf.tidy(() => tf.mul(tf.add(a0, a1), 0.5));
    expect(maxAbsDiff(half, mid)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a0, a1)).toBeGreaterThan(1e-3);
    // the old toRGB no longer counts at α = 1, but does at α = 0.5
    expect(perturb(g, 'to_rgb_14')).toBe(1);
    const a1After = run(g, z, 2, 1);
    const halfAfter = run(g, z, 2, 0.5);
    expect(maxAbsDiff(a1After, a1)).toBe(0);
    expect(maxAbsDiff(halfAfter, half)).toBeGreaterThan(1e-3);
    tf.dispose([z, a0, a1, half, mid, a1After, halfAfter]);
    g.dispose();
  });

  it('D grown at α = 0 is the smaller D on the pooled images; at α = 1 the new block alone', () => {
    const x = tf.tidy(() => new RandomSource(5).normal([4, 28, 28, 1]));
    const x14 = tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid');
    const d14 = progressiveDiscriminator({ imageShape: [14, 14, 1], filters: [16, 8], seed: 3, stage: 1 });
    const out14 = d14.apply(x14, { training: false });
    const out14at7 = run(d14, x14, 0, 1);
    d14.dispose();
    const d = progressiveDiscriminator({ imageShape: [28, 28, 1], filters: small.filters, seed: 3 });
    const grown2 = run(d, x, 2, 0);
    expect(maxAbsDiff(grown2, out14)).toBeLessThan(1e-6);
    const grown1 = run(d, x, 1, 0);
    expect(maxAbsDiff(grown1, out14at7)).toBeLessThan(1e-6);
    tf.tidy(() => {
      expect(maxAbsDiff(grown1, run(d, x, 0, 1))).toBe(0);
    });
    // at α = 1 the 14×14 fromRGB no longer counts; at α = 0 the new 28×28 path does not either
    const a1 = run(d, x, 2, 1);
    const half = run(d, x, 2, 0.5);
    expect(perturb(d, 'from_rgb_14/')).toBe(2);
    tf.tidy(() => {
      expect(maxAbsDiff(run(d, x, 2, 1), a1)).toBe(0);
    });
    tf.tidy(() => {
      expect(maxAbsDiff(run(d, x, 2, 0.5), half)).toBeGreaterThan(1e-4);
    });
    const a0 = run(d, x, 2, 0);
    expect(perturb(d, 'block_28/') + perturb(d, 'from_rgb_28/')).toBe(7);
    tf.tidy(() => {
      expect(maxAbsDiff(run(d, x, 2, 0), a0)).toBe(0);
    });
    tf.dispose([x, x14, out14, out14at7, grown2, grown1, a1, half, a0]);
    d.dispose();
  });

  it('trains only the blocks that run: gradients reach the fading blocks and none of the later ones', () => {
    ensureGradients();
    const g = progressiveGenerator({ imageShape: [28, 28, 1], ...small, outputActivation: 'tanh' });
    const z = tf.tidy(() => new RandomSource(6).normal([2, 8]));
    g.setGrowth(1, 0.5);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(g.apply(z, { training: true }))) as tf.Scalar,
      g.trainableVariables as tf.Variable[],
    );
    const got = Object.keys(grads);
    expect(got.some((n) => n.startsWith('generator/to_rgb_7/'))).toBe(true);
    expect(got.some((n) => n.startsWith('generator/block_14/'))).toBe(true);
    expect(got.some((n) => n.includes('_28'))).toBe(false);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const img = g.apply(z, { training: false });
    expect(tf.tidy(() => tf.max(tf.abs(img)).dataSync()[0])).toBeLessThan(1);
    tf.dispose([z, img]);
    g.dispose();
  });
});
