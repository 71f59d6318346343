import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import { PerVariableAdamOptimizer, type GrowingNetwork } from '@gankit/trainer';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_PROGRESSIVE, mnistProgressive, mnistProgressiveNoGrowth, progressiveExample, resolutionGridFile } from '../index';
import { runTraining } from '../train';
import { EXAMPLES } from './index';
import { readLogLines } from '../run-dir-test-helpers';

const tiny = { ...MNIST_PROGRESSIVE, latentDim: 8, filters: [4, 4, 4] };
const train = (example: typeof mnistProgressive, out: string, steps: number, more: { checkpointEvery?: number; resume?: boolean } = {}) =>
  runTraining(example, {
    steps,
    seed: 3,
    batchSize: 4,
    out,
    backend: tf.getBackend(),
    gridEvery: 100,
    evalSamples: 20,
    progress: false,
    log: () => {},
    ...more,
  });

/** Whether every tile of a grid of 28×28 tiles (2 px padding, 8 columns) is constant on `k × k` blocks. */
function blocky(file: string, k: number): boolean {
  const png = PNG.sync.read(fs.readFileSync(file));
  const at = (x: number, y: number) => png.data[(y * png.width + x) * 4];
  for (let t = 0; t < 8; t++)
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const ox = 2 + t * 30;
        if (at(ox + x, 2 + y) !== at(ox + x - (x % k), 2 + y - (y % k))) return false;
      }
  return true;
}

describe('mnist-progressive examples', () => {
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it('are registered: growing from 7×7 with the growth plugin, or at 28×28 from the start without it', () => {
    expect(EXAMPLES['mnist-progressive']).toBe(mnistProgressive);
    expect(EXAMPLES['mnist-progressive-no-growth']).toBe(mnistProgressiveNoGrowth);
    for (const [example, stage, plugins] of [
      [mnistProgressive, 0, ['progressive-growth', 'ema']],
      [mnistProgressiveNoGrowth, 2, ['ema']],
    ] as const) {
      const setup = example.setup({ seed: 1, batchSize: 4 });
      expect(setup.plugins.map((p) => p.name)).toEqual(plugins);
      for (const n of [setup.generator, setup.discriminator] as GrowingNetwork[]) {
        expect(n.resolutions).toEqual([7, 14, 28]);
        expect(n.stage).toBe(stage);
      }
      expect(setup.generatorOptimizer.getConfig()).toMatchObject({ learningRate: 1e-3, beta1: 0, beta2: 0.99 });
      // Adam with a bias correction per variable for both players, in both examples.
      for (const opt of [setup.generatorOptimizer, setup.discriminatorOptimizer]) {
        expect(opt).toBeInstanceOf(PerVariableAdamOptimizer);
        opt.dispose();
      }
      setup.generator.dispose();
      setup.discriminator.dispose();
    }
    // What `gankit sample` rebuilds to load a finished run into: the generator at 28×28.
    const g = mnistProgressive.buildGenerator?.({ seed: 0 }) as GrowingNetwork;
    expect([g.stage, g.alpha]).toEqual([2, 1]);
    g.dispose();
  });

  it('grows 7 → 14 → 28 through two fade-ins and writes a grid per resolution, blocky as its resolution', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-progressive-'));
    try {
      // Batch 4: 4 images stable and 4 fading per resolution, so one iteration each.
      const r = await train(progressiveExample({ ...tiny, stableImages: 4, fadeImages: 4 }), dir, 5);
      expect(r.steps).toBe(5);
      const lines = readLogLines(dir);
      expect(lines.map((l) => l.metrics['progressive-growth/resolution'])).toEqual([7, 14, 14, 28, 28]);
      expect(lines.map((l) => l.metrics['progressive-growth/alpha'])).toEqual([1, 0, 1, 0, 1]);
      for (const l of lines) for (const v of [l.dLoss, l.gLoss]) expect(Number.isFinite(v)).toBe(true);
      const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      expect(metrics.growth).toMatchObject({ finalResolution: 28, finalAlpha: 1 });
      expect(metrics.growth.resolutionGrids).toEqual([7, 14, 28].map(resolutionGridFile));
      expect(metrics.ema.fid).toBeGreaterThan(0);
      // The 7×7 grid is made of 4×4 blocks, the 14×14 one of 2×2 blocks, the 28×28 one is not.
      expect(blocky(path.join(dir, resolutionGridFile(7)), 4)).toBe(true);
      expect(blocky(path.join(dir, resolutionGridFile(14)), 2)).toBe(true);
      expect(blocky(path.join(dir, resolutionGridFile(14)), 4)).toBe(false);
      expect(blocky(path.join(dir, resolutionGridFile(28)), 2)).toBe(false);
      expect(r.summary).toMatch(/ended at 28×28 \(α 1\.00\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumed from a checkpoint in the middle of a fade-in ends bit-identical to a straight run', async () => {
    const straight = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-progressive-straight-'));
    const resumed = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-progressive-resumed-'));
    try {
      // Batch 4, 4 images stable, 12 fading: the checkpoint after iteration 2 is at α = 1/3 of 14×14.
      const example = progressiveExample({ ...tiny, stableImages: 4, fadeImages: 12 });
      await train(example, straight, 4);
      await train(example, resumed, 2, { checkpointEvery: 2 });
      const second = await train(example, resumed, 4, { checkpointEvery: 2, resume: true });
      expect(second.resumedFrom).toBe(2);
      const alphas = readLogLines(resumed).map((l) => l.metrics['progressive-growth/alpha']);
      expect(alphas).toEqual([1, 0, 1 / 3, 2 / 3]);
      expect(readLogLines(resumed).map((l) => l.dLoss)).toEqual(readLogLines(straight).map((l) => l.dLoss));
      const weights = (dir: string) => fs.readFileSync(path.join(dir, 'final', 'weights.bin'));
      expect(weights(resumed).equals(weights(straight))).toBe(true);
    } finally {
      fs.rmSync(straight, { recursive: true, force: true });
      fs.rmSync(resumed, { recursive: true, force: true });
    }
  });
});
