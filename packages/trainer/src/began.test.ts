import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GanPlugin, GankitError, RandomSource, type StepLogs } from '@gankit/core';
import { beganDiscriminator, beganGenerator } from '@gankit/architectures';
import { tensorDataset } from '@gankit/data';
import { beganLoss } from '@gankit/losses';
import { type BeganEquilibrium, type BeganEquilibriumOptions, beganEquilibrium } from './began';
import { resumeLatest, saveCheckpoint } from './node';
import { expectSameState, stateValues } from './test-model';
import { Trainer } from './trainer';
import { nonSaturating } from './test-utils';

/** 48 random 8×8 grey images in [-1, 1]. */
function images(): Float32Array {
  const x = new RandomSource(5).uniform([48, 8, 8, 1], -1, 1);
  const data = x.dataSync().slice() as Float32Array;
  x.dispose();
  return data;
}

/** Every iteration's logs, after the other plugins. */
function recorder(): GanPlugin & { logs: StepLogs[] } {
  const logs: StepLogs[] = [];
  return { name: 'recorder', order: 300, logs, onStepEnd: (_ctx, l) => void logs.push({ ...l, metrics: { ...l.metrics } }) };
}

function build(
  tag: string,
  options: BeganEquilibriumOptions = {},
): Trainer & { began: BeganEquilibrium; rec: ReturnType<typeof recorder> } {
  const sizes = { imageShape: [8, 8, 1] as const, scales: 1, filters: 3, hidden: 4 };
  const began = beganEquilibrium({ gamma: 0.5, lambdaK: 0.05, ...options });
  const rec = recorder();
  const t = new Trainer({
    generator: beganGenerator({ ...sizes, seed: 1, name: `g-${tag}` }),
    discriminator: beganDiscriminator({ ...sizes, seed: 2, name: `d-${tag}` }),
    loss: began.loss,
    data: tensorDataset({ x: images(), shape: [8, 8, 1], name: 'noise-images' }),
    batchSize: 16,
    generatorOptimizer: tf.train.adam(0.001, 0.5),
    discriminatorOptimizer: tf.train.adam(0.001, 0.5),
    plugins: [began, rec],
    seed: 3,
  });
  return Object.assign(t, { began, rec });
}

function dispose(t: Trainer): void {
  t.dispose();
  t.generator.dispose();
  t.discriminator.dispose();
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gankit-began-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('beganEquilibrium', () => {
  it("D's loss uses k_t, and k and M follow eq. 4 and section 3.4.1 from each step's L(x) and L(G(z))", async () => {
    const t = build('eq', { initialK: 0.2 });
    await t.fit({ steps: 6 });
    let k = 0.2;
    for (const l of t.rec.logs) {
      const real = l.dReal;
      const fake = l.dFake;
      expect(real).toBeGreaterThan(0);
      // L_D = L(x) − k_t·L(G(z)) with the k of this step (float32 arithmetic in the trainer).
      expect(l.discriminatorLoss).toBeCloseTo(real - k * fake, 5);
      k = Math.min(1, Math.max(0, k + 0.05 * (0.5 * real - fake)));
      expect(l.metrics['began/k']).toBe(k);
      expect(l.metrics['began/M']).toBe(real + Math.abs(0.5 * real - fake));
    }
    expect(t.began.k).toBe(k);
    expect(t.began.convergence).toBe(t.rec.logs[5].metrics['began/M']);
    dispose(t);
  });

  it('k_t stays in [0, 1] under a large gain, reaching both ends', async () => {
    const t = build('clip', { gamma: 1, lambdaK: 50, initialK: 0.5 });
    await t.fit({ steps: 12 });
    const ks = t.rec.logs.map((l) => l.metrics['began/k']);
    for (const k of ks) {
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThanOrEqual(1);
    }
    expect(ks).toContain(1);
    dispose(t);
    const low = build('clip0', { gamma: 0, lambdaK: 50, initialK: 0.5 });
    await low.fit({ steps: 2 });
    expect(low.rec.logs.map((l) => l.metrics['began/k'])).toEqual([0, 0]);
    dispose(low);
  });

  it('leaks no tensors from step to step', async () => {
    const t = build('leak');
    await t.fit({ steps: 2 });
    const before = tf.memory().numTensors;
    await t.fit({ steps: 3 });
    expect(tf.memory().numTensors).toBe(before);
    dispose(t);
  });

  it('exact resume: N steps straight equal N/2, a checkpoint, fresh networks and N/2 more (weights and k_t)', async () => {
    const N = 8;
    const whole = build('run');
    await whole.fit({ steps: N });
    const expected = await stateValues(whole);
    const expectedK = whole.began.k;
    dispose(whole);

    const first = build('run');
    await first.fit({ steps: N / 2 });
    await saveCheckpoint(dir, first);
    const halfK = first.began.k;
    dispose(first);

    const second = build('resumed');
    expect(second.began.k).toBe(0);
    await resumeLatest(dir, second);
    expect(second.began.k).toBe(halfK);
    await second.fit({ steps: N / 2 });
    expect(second.began.k).toBe(expectedK);
    expect(expectedK).toBeGreaterThan(0);
    expectSameState(await stateValues(second), expected);
    dispose(second);
  });

  it('refuses bad options, another loss and a bad saved k, in one line', async () => {
    expect(() => beganEquilibrium({ gamma: 1.5 })).toThrow(/beganEquilibrium: gamma must be a number in \[0, 1\], got 1.5/);
    expect(() => beganEquilibrium({ lambdaK: -1 })).toThrow(/lambdaK must be a finite number >= 0/);
    expect(() => beganEquilibrium({ initialK: 2 })).toThrow(/beganEquilibrium: initialK must be a number in \[0, 1\], got 2/);
    const began = beganEquilibrium();
    expect(() => began.loadState?.({ tensors: {}, meta: { k: 1.2 } })).toThrow(/checkpoint's k must be a number in \[0, 1\], got 1.2/);
    expect(() => began.loadState?.({ tensors: {}, meta: null })).toThrow(GankitError);

    const sizes = { imageShape: [8, 8, 1] as const, scales: 1, filters: 2, hidden: 3 };
    const make = (loss: typeof nonSaturating) =>
      new Trainer({
        generator: beganGenerator({ ...sizes, name: 'g-bad' }),
        discriminator: beganDiscriminator({ ...sizes, name: 'd-bad' }),
        loss,
        data: tensorDataset({ x: images(), shape: [8, 8, 1], name: 'noise-images' }),
        batchSize: 8,
        plugins: [beganEquilibrium()],
      });
    for (const [loss, message] of [
      [nonSaturating, /steers BEGAN's loss, but the trainer's loss is 'non-saturating'/],
      [beganLoss(0), /no discriminator update read its k/],
    ] as const) {
      const t = make(loss);
      await expect(t.fit({ steps: 1 })).rejects.toThrow(message);
      dispose(t);
    }
  });
});
