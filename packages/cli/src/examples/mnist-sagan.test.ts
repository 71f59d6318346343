import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selfAttentionMap, type Layer } from '@gankit/architectures';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_SAGAN, mnistSagan, mnistSaganNoAttention } from '../index';
import { EXAMPLES } from './index';
import { readLogLines, smokeTrain } from '../run-dir-test-helpers';

type Layered = { readonly name: string; readonly layers: readonly Layer[] };

describe('mnist-sagan examples', () => {
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it('are registered: attention at 14×14 in G and 7×7 in D, or none; hinge loss and the two-timescale Adam', () => {
    expect(EXAMPLES['mnist-sagan']).toBe(mnistSagan);
    expect(EXAMPLES['mnist-sagan-no-attention']).toBe(mnistSaganNoAttention);
    const z = tf.randomNormal([2, MNIST_SAGAN.latentDim]);
    const x = tf.zeros([2, 28, 28, 1]);
    try {
      const s = mnistSagan.setup({ seed: 1, batchSize: 4 });
      const g = selfAttentionMap(s.generator as unknown as Layered, z);
      const d = selfAttentionMap(s.discriminator as unknown as Layered, x);
      expect(g.shape).toEqual([2, 196, 196]);
      expect(d.shape).toEqual([2, 49, 49]);
      // Rows are softmax weights: each sums to 1.
      expect(tf.sum(g, -1).dataSync()[0]).toBeCloseTo(1, 5);
      tf.dispose([g, d]);
      expect(s.generatorOptimizer.getConfig()).toMatchObject({ learningRate: 1e-4, beta1: 0, beta2: 0.9 });
      expect(s.discriminatorOptimizer.getConfig()).toMatchObject({ learningRate: 4e-4, beta1: 0, beta2: 0.9 });
      const withAttention = s.generator.trainableVariables.length;
      s.generator.dispose();
      s.discriminator.dispose();
      const c = mnistSaganNoAttention.setup({ seed: 1, batchSize: 4 });
      expect(() => selfAttentionMap(c.generator as unknown as Layered, z)).toThrow(/has no selfAttention layer/);
      expect(() => selfAttentionMap(c.discriminator as unknown as Layered, x)).toThrow(/has no selfAttention layer/);
      // The attention layer's query/key/value/output kernels and γ are the only extra variables.
      expect(withAttention).toBeGreaterThan(c.generator.trainableVariables.length);
      const images = c.generator.apply(z, { training: false });
      expect(images.shape).toEqual([2, 28, 28, 1]);
      images.dispose();
      expect(c.loss).toBe(s.loss);
      c.generator.dispose();
      c.discriminator.dispose();
    } finally {
      tf.dispose([z, x]);
    }
  });

  it('trains 2 steps and writes the attention picture: a row per digit, the query cells outlined in green', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-sagan-'));
    try {
      const r = await smokeTrain(mnistSagan, dir, 2, 8);
      expect(r.steps).toBe(2);
      const lines = readLogLines(dir);
      expect(lines).toHaveLength(2);
      for (const l of lines) for (const v of [l.dLoss, l.gLoss, l.dReal, l.dFake]) expect(Number.isFinite(v)).toBe(true);
      for (const f of ['samples.png', 'samples-raw.png', 'report.html', 'grids/step-000000002.png'])
        expect(fs.existsSync(path.join(dir, f))).toBe(true);
      const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      expect(metrics.ema.fid).toBeGreaterThan(0);
      expect(metrics.attentionMap.grid).toBe('14x14');
      expect(metrics.attentionMap.queries).toHaveLength(MNIST_SAGAN.attentionDigits);
      const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'attention.png')));
      // 3 columns and 4 rows of 112-pixel tiles (28 × 4) with 2 pixels of padding.
      expect([png.width, png.height]).toEqual([3 * 112 + 4 * 2, MNIST_SAGAN.attentionDigits * 112 + (MNIST_SAGAN.attentionDigits + 1) * 2]);
      const rgb = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));
      // The stroke query of the first digit: its cell's top-left pixel in the second tile is pure green.
      const [qy, qx] = metrics.attentionMap.queries[0].stroke as [number, number];
      expect(rgb(2 + 112 + 2 + qx * 8, 2 + qy * 8)).toEqual([0, 255, 0]);
      // The first tile is the plain digit: grey.
      const [r0, g0, b0] = rgb(2 + 14, 2 + 14);
      expect(r0).toBe(g0);
      expect(g0).toBe(b0);
      expect(r.summary).toMatch(/attention\.png \(G's 14x14 attention\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
