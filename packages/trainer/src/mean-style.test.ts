import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GanPlugin, GankitError, RandomSource } from '@gankit/core';
import { dcganDiscriminator, dcganGenerator, styleGenerator, styleMixingLatent, truncateStyles } from '@gankit/architectures';
import type { StyleGenerator } from '@gankit/architectures';
import { tensorDataset } from '@gankit/data';
import { type MeanStyleTracker, meanStyleTracker } from './mean-style';
import { resumeLatest, saveCheckpoint } from './node';
import { expectSameState, stateValues } from './test-model';
import { nonSaturating } from './test-utils';
import { Trainer } from './trainer';

/** 32 random 8×8 grey images in [-1, 1]. */
function images(): Float32Array {
  const x = new RandomSource(5).uniform([32, 8, 8, 1], -1, 1);
  const data = x.dataSync().slice() as Float32Array;
  x.dispose();
  return data;
}

/** Keeps a copy of each generator update's latent batch. */
function latentRecorder(): GanPlugin & { zs: tf.Tensor[] } {
  const zs: tf.Tensor[] = [];
  return { name: 'z-recorder', order: 10, zs, afterGeneratorStep: (s) => void zs.push(tf.keep(tf.clone(s.z))) };
}

function build(tag: string, extra: GanPlugin[] = [], decay = 0.9): Trainer & { tracker: MeanStyleTracker; g: StyleGenerator } {
  const g = styleGenerator({
    imageShape: [8, 8, 1],
    latentDim: 4,
    styleDim: 6,
    mappingLayers: 2,
    baseFilters: 3,
    seed: 1,
    name: `g-${tag}`,
  });
  const tracker = meanStyleTracker({ decay });
  const t = new Trainer({
    generator: g,
    discriminator: dcganDiscriminator({ imageShape: [8, 8, 1], baseFilters: 4, seed: 2, name: `d-${tag}` }),
    loss: nonSaturating,
    data: tensorDataset({ x: images(), shape: [8, 8, 1], name: 'noise-images' }),
    batchSize: 8,
    latent: styleMixingLatent({ numStyles: g.numStyles, latentDim: g.latentDim, probability: 0.5 }),
    generatorOptimizer: tf.train.adam(0.001, 0.5),
    discriminatorOptimizer: tf.train.adam(0.001, 0.5),
    plugins: [tracker, ...extra],
    seed: 3,
  });
  return Object.assign(t, { tracker, g });
}

function dispose(t: Trainer): void {
  t.dispose();
  t.generator.dispose();
  t.discriminator.dispose();
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gankit-mean-w-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('meanStyleTracker', () => {
  it('sets w̄ to the first batch mean of f(z), then w̄ ← β·w̄ + (1 − β)·mean(f(z)), after each generator update', async () => {
    const rec = latentRecorder();
    const t = build('track', [rec], 0.9);
    await t.fit({ steps: 1 });
    expect(t.tracker.updates).toBe(1);
    const mean1 = Array.from(t.tracker.mean.dataSync());
    // The generator moved during the update; the tracker maps with the weights after it (as here).
    const expected1 = tf.tidy(() => tf.mean(tf.reshape(t.g.map(rec.zs[0]), [-1, 6]), 0).dataSync());
    mean1.forEach((v, i) => expect(v).toBeCloseTo(expected1[i], 6));
    await t.fit({ steps: 1 });
    const batch2 = tf.tidy(() => tf.mean(tf.reshape(t.g.map(rec.zs[1]), [-1, 6]), 0).dataSync());
    Array.from(t.tracker.mean.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(0.9 * mean1[i] + 0.1 * batch2[i], 6));
    // ψ = 0 truncation of any styles gives the tracked mean
    const ws = t.g.map(rec.zs[1]);
    const truncated = truncateStyles(ws, t.tracker.mean, 0);
    const rows = truncated.arraySync() as number[][][];
    const m = Array.from(t.tracker.mean.dataSync());
    for (const ex of rows) for (const r of ex) r.forEach((v, i) => expect(v).toBeCloseTo(m[i], 6));
    tf.dispose([ws, truncated, ...rec.zs]);
    const before = tf.memory().numTensors;
    await t.fit({ steps: 2 });
    // only the recorder's two kept latent batches are new
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose(rec.zs.slice(2));
    dispose(t);
  });

  it('exact resume: its mean w round-trips through a checkpoint, and a resumed run is bit-identical', async () => {
    const N = 4;
    const whole = build('run');
    await whole.fit({ steps: N });
    const expected = await stateValues(whole);
    const expectedMean = Array.from(whole.tracker.mean.dataSync());
    expect(Object.keys(expected.values)).toContain('plugins/mean-w/mean_w');
    dispose(whole);

    const first = build('run');
    await first.fit({ steps: N / 2 });
    await saveCheckpoint(dir, first);
    const halfMean = Array.from(first.tracker.mean.dataSync());
    dispose(first);

    const second = build('resumed');
    await resumeLatest(dir, second);
    expect(second.tracker.updates).toBe(N / 2);
    expect(Array.from(second.tracker.mean.dataSync())).toEqual(halfMean);
    await second.fit({ steps: N / 2 });
    expect(Array.from(second.tracker.mean.dataSync())).toEqual(expectedMean);
    expectSameState(await stateValues(second), expected);
    dispose(second);
  });

  it('refuses a generator without a mapping network, bad options and a bad saved mean, in one line', async () => {
    expect(() => meanStyleTracker({ decay: 1 })).toThrow(/decay must be a number in \[0, 1\), got 1/);
    const tracker = meanStyleTracker();
    expect(() => tracker.mean).toThrow(/after setup/);
    const wrong = tf.zeros([5]);
    const t = build('bad');
    await t.setup();
    expect(() => t.tracker.loadState?.({ tensors: { mean_w: wrong }, meta: { updates: 1 } })).toThrow(
      /mean_w must have shape \[6\], got \[5\]/,
    );
    expect(() => t.tracker.loadState?.({ tensors: { mean_w: tf.zeros([6]) }, meta: { updates: -1 } })).toThrow(GankitError);
    dispose(t);
    const early = build('early');
    early.tracker.loadState?.({ tensors: { mean_w: wrong }, meta: { updates: 1 } });
    await expect(early.fit({ steps: 1 })).rejects.toThrow(/loaded mean_w has length 5, but the generator's w has 6/);
    dispose(early);
    wrong.dispose();
    const plain = new Trainer({
      generator: dcganGenerator({ imageShape: [8, 8, 1], latentDim: 4, baseFilters: 4, name: 'not-style' }),
      discriminator: dcganDiscriminator({ imageShape: [8, 8, 1], name: 'd-plain' }),
      loss: nonSaturating,
      data: tensorDataset({ x: images(), shape: [8, 8, 1] }),
      batchSize: 8,
      plugins: [meanStyleTracker()],
    });
    await expect(plain.fit({ steps: 1 })).rejects.toThrow(/needs a style generator with map\(z\) and styleDim/);
    dispose(plain);
  });
});
