import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { GaussianMixture } from '@gankit/data';
import { ringMixture } from '@gankit/data';
import { EXAMPLES } from './index';
import { GRID25, grid25, RING8 } from '../index';
import { mixtureGanSetup, type MixtureGanSettings } from './mixture';
import type { Example, ExampleSetup } from './types';
import { runTraining } from '../train';

function free(s: ExampleSetup): void {
  s.generator.dispose();
  s.discriminator.dispose();
  s.generatorOptimizer.dispose();
  s.discriminatorOptimizer.dispose();
  s.plugins.forEach((p) => p.dispose?.());
}

describe('grid25', () => {
  it('is registered and trains on the 5 × 5 grid at {-4, -2, 0, 2, 4}² with std 0.05', () => {
    expect(EXAMPLES.grid25).toBe(grid25);
    expect(grid25.defaults).toEqual({ steps: GRID25.steps, batchSize: GRID25.batchSize });
    const s = grid25.setup({ seed: 0, batchSize: 8 });
    const data = s.data as GaussianMixture;
    expect(data.modes).toHaveLength(25);
    expect(data.std).toBe(0.05);
    const coords = [...new Set(data.modes.map((m) => m[0]))].sort((a, b) => a - b);
    expect(coords).toEqual([-4, -2, 0, 2, 4]);
    expect(s.plugins.map((p) => p.name)).toEqual(GRID25.r1Gamma > 0 ? ['r1', 'ema', 'lr-schedule'] : ['ema', 'lr-schedule']);
    free(s);
  });

  it('trains for a few steps and scores 25 modes', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'grid25-'));
    try {
      const r = await runTraining(grid25, {
        steps: 3,
        seed: 1,
        batchSize: 16,
        out,
        backend: tf.getBackend(),
        progress: false,
        log: () => undefined,
      });
      expect(r.summary).toMatch(/^grid25: \d+\/25 modes captured/);
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics.example).toBe('grid25');
      expect(metrics.numModes).toBe(25);
      expect(fs.existsSync(path.join(out, 'samples.png'))).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('mixtureGanSetup', () => {
  it('packs the discriminator when packing > 1 (PacGAN), and a packed run trains with R1', async () => {
    const settings: MixtureGanSettings = { ...RING8, packing: 2, r1Gamma: 0.1, hidden: [16, 16] };
    const s = mixtureGanSetup(settings, ringMixture({ modes: 8, radius: 2, std: 0.02 }), 3);
    expect(s.discriminator.inputShape).toEqual([2]);
    expect((s.discriminator as unknown as { packing: number }).packing).toBe(2);
    // The wrapped D sees pairs of points: its first kernel takes 4 inputs.
    expect(s.discriminator.trainableVariables[0].shape).toEqual([4, 16]);
    expect(s.plugins.map((p) => p.name)).toEqual(['r1', 'ema', 'lr-schedule']);
    free(s);
    const packed: Example = {
      ...grid25,
      name: 'packed',
      setup: ({ seed }) => mixtureGanSetup(settings, ringMixture({ modes: 8, radius: 2, std: 0.02 }), seed),
    };
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'packed-'));
    try {
      const r = await runTraining(packed, {
        steps: 3,
        seed: 1,
        batchSize: 16,
        out,
        backend: tf.getBackend(),
        progress: false,
        log: () => undefined,
      });
      expect(r.steps).toBe(3);
      expect(r.fault).toBeUndefined();
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
