import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RandomSource } from '@gankit/core';
import type { GaussianMixture } from '@gankit/data';
import { ringMixture } from '@gankit/data';
import { EXAMPLES } from './index';
import { GRID25, grid25, RING8 } from '../index';
import { mixtureGanSetup, type MixtureGanSettings } from './mixture';
import type { Example } from './types';
import { runTraining } from '../train';
import { freeSetup } from '../setup-test-helpers';

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
    expect(s.plugins.map((p) => p.name)).toEqual(['infogan', 'ema', 'lr-schedule']);
    expect(s.generator.inputShape).toEqual([GRID25.latentDim + 25]);
    freeSetup(s);
  });

  it('trains for a few steps and scores 25 modes', async () => {
    await withThreeStepRun(grid25, (r, out) => {
      expect(r.summary).toMatch(/^grid25: \d+\/25 modes captured/);
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics.example).toBe('grid25');
      expect(metrics.numModes).toBe(25);
      expect(fs.existsSync(path.join(out, 'samples.png'))).toBe(true);
    });
  });
});

/** Trains `example` for 3 steps (seed 1, batch 16) into a temporary folder, hands the result and the folder to `check`, removes the folder. */
async function withThreeStepRun<T>(example: Example, check: (r: Awaited<ReturnType<typeof runTraining>>, out: string) => T): Promise<T> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `${example.name}-`));
  try {
    const r = await runTraining(example, {
      steps: 3,
      seed: 1,
      batchSize: 16,
      out,
      backend: tf.getBackend(),
      progress: false,
      log: () => undefined,
    });
    return check(r, out);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** Trains the mixture recipe with `settings` on ring8's data for 3 steps through runTraining; returns its samples.csv. */
async function trainsThreeSteps(settings: MixtureGanSettings, name: string): Promise<{ samples: string }> {
  const example: Example = {
    ...grid25,
    name,
    setup: ({ seed }) => mixtureGanSetup(settings, ringMixture({ modes: 8, radius: 2, std: 0.02 }), seed),
  };
  return withThreeStepRun(example, (r, out) => {
    expect(r.steps).toBe(3);
    expect(r.fault).toBeUndefined();
    return { samples: fs.readFileSync(path.join(out, 'samples.csv'), 'utf8') };
  });
}

describe('mixtureGanSetup', () => {
  it('packs the discriminator when packing > 1 (PacGAN), and a packed run trains with R1', async () => {
    const settings: MixtureGanSettings = { ...RING8, codeCategories: 0, packing: 2, r1Gamma: 0.1, hidden: [16, 16] };
    const s = mixtureGanSetup(settings, ringMixture({ modes: 8, radius: 2, std: 0.02 }), 3);
    expect(s.discriminator.inputShape).toEqual([2]);
    expect((s.discriminator as unknown as { packing: number }).packing).toBe(2);
    // The wrapped D sees pairs of points: its first kernel takes 4 inputs.
    expect(s.discriminator.trainableVariables[0].shape).toEqual([4, 16]);
    expect(s.plugins.map((p) => p.name)).toEqual(['r1', 'ema', 'lr-schedule']);
    freeSetup(s);
    await trainsThreeSteps(settings, 'packed');
  });

  it("adds a categorical latent code with InfoGAN's Q on D's body when codeCategories > 0, and trains with it", async () => {
    const settings: MixtureGanSettings = { ...RING8, codeCategories: 4, codeWeight: 0.5, hidden: [16, 16] };
    const ring = () => ringMixture({ modes: 8, radius: 2, std: 0.02 });
    const before = tf.memory().numTensors;
    const s = mixtureGanSetup(settings, ring(), 3);
    // G reads the noise and the one-hot code; D puts out the logit and Q's 4 code logits.
    expect(s.generator.inputShape).toEqual([RING8.latentDim + 4]);
    expect(s.discriminator.outputShape).toEqual([5]);
    expect(s.plugins.map((p) => p.name)).toEqual(['infogan', 'ema', 'lr-schedule']);
    const z = s.latent!(6, new RandomSource(2));
    const again = s.latent!(6, new RandomSource(2));
    expect(z.shape).toEqual([6, RING8.latentDim + 4]);
    expect(again.arraySync()).toEqual(z.arraySync());
    const code = tf.slice(z, [0, RING8.latentDim], [6, 4]);
    for (const row of code.arraySync() as number[][]) {
      expect(row.filter((v) => v === 1)).toHaveLength(1);
      expect(row.filter((v) => v === 0)).toHaveLength(3);
    }
    const d = tf.tensor2d([[0.5, 1, 2, 3, 4]]);
    const logit = s.adversarialOutput!(d);
    expect(logit.arraySync()).toEqual([[0.5]]);
    tf.dispose([z, again, code, d, logit]);
    freeSetup(s);
    expect(tf.memory().numTensors).toBe(before);
    // What packing would feed Q is pairs of points, whose code is not one sample's: refused.
    expect(() => mixtureGanSetup({ ...settings, packing: 2 }, ring(), 3)).toThrow(/codeCategories > 0\) and packing > 1 do not combine/);
    expect(() => mixtureGanSetup({ ...settings, codeCategories: 2.5 }, ring(), 3)).toThrow(
      /codeCategories must be an integer >= 0, got 2\.5/,
    );

    const out = await trainsThreeSteps(settings, 'coded');
    expect(out.samples.trim().split('\n').length).toBeGreaterThan(100);
  });
});
