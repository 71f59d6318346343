import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, exampleNames } from './index';
import { ringMixture } from '@gankit/data';
import { RING8, RING8_VARIANTS, mixtureGanSetup, ring8, ring8Replay, ring8Unrolled } from '../index';
import { runTraining } from '../train';
import { freeSetup } from '../setup-test-helpers';

describe('ring8 variants', () => {
  it('are registered and add exactly their plugin to ring8’s recipe without the categorical code', () => {
    expect(exampleNames()).toEqual(expect.arrayContaining(['ring8', 'ring8-replay', 'ring8-unrolled']));
    expect(EXAMPLES['ring8-unrolled']).toBe(ring8Unrolled);
    expect(EXAMPLES['ring8-replay']).toBe(ring8Replay);
    // ring8 itself: 16 noise values and an 8-valued code into G; D's logit and Q's 8 code logits.
    const coded = ring8.setup({ seed: 1, batchSize: 8 });
    expect(coded.generator.inputShape).toEqual([RING8.latentDim + 8]);
    expect(coded.discriminator.outputShape).toEqual([9]);
    expect(coded.plugins.map((p) => p.name)).toEqual(['infogan', 'ema', 'lr-schedule']);
    expect(ring8.latent).toBeDefined();
    freeSetup(coded);
    // The recipe without the code, recorded and freed (network names are unique while alive).
    const base = mixtureGanSetup({ ...RING8, codeCategories: 0 }, ringMixture({ modes: 8, radius: 2, std: 0.02 }), 1);
    const basePlugins = base.plugins.map((p) => p.name);
    const baseG = Array.from(base.generator.trainableVariables[0].dataSync());
    const baseLoss = base.loss;
    freeSetup(base);
    expect(basePlugins).toEqual(['ema', 'lr-schedule']);
    for (const [example, name] of [
      [ring8Unrolled, 'unrolled'],
      [ring8Replay, 'experience-replay'],
    ] as const) {
      const s = example.setup({ seed: 1, batchSize: 8 });
      expect(s.plugins.map((p) => p.name)).toEqual([...basePlugins, name]);
      expect(s.loss).toBe(baseLoss);
      // Same seed, same initial generator as the recipe without the code; no code in its latent.
      expect(example.latent).toBeUndefined();
      expect(s.latent).toBeUndefined();
      expect(Array.from(s.generator.trainableVariables[0].dataSync())).toEqual(baseG);
      const last = s.plugins[s.plugins.length - 1] as { steps?: number; bufferSize?: number };
      if (name === 'unrolled') expect(last.steps).toBe(RING8_VARIANTS.unrolledSteps);
      else expect(last.bufferSize).toBe(RING8_VARIANTS.replayBufferSize);
      freeSetup(s);
    }
  });

  it('trains for a few steps and writes metrics.json under its own name', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ring8-unrolled-'));
    try {
      const r = await runTraining(ring8Unrolled, {
        steps: 3,
        seed: 2,
        batchSize: 16,
        out,
        backend: tf.getBackend(),
        progress: false,
        log: () => undefined,
      });
      expect(r.summary).toMatch(/^ring8-unrolled: \d\/8 modes captured/);
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics.example).toBe('ring8-unrolled');
      expect(metrics.variant).toEqual({ plugin: 'unrolled', steps: 5 });
      expect(metrics.steps).toBe(3);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
