import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFashionIdx } from '../fashion-test-data';
import { FASHION_WGAN_GP, fashionWganGpExample } from '../index';
import { readLogLines } from '../run-dir-test-helpers';
import { runTraining } from '../train';
import { freeSetup } from '../setup-test-helpers';

describe('fashionWganGpExample', () => {
  let root = '';
  const saved = process.env.GANKIT_FASHION_MNIST_DIR;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-fashion-example-'));
    fs.mkdirSync(path.join(root, 'data'));
    process.env.GANKIT_FASHION_MNIST_DIR = writeFashionIdx(path.join(root, 'data'), 64, 40);
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.GANKIT_FASHION_MNIST_DIR;
    else process.env.GANKIT_FASHION_MNIST_DIR = saved;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('takes criticSteps critic updates per generator update and logs the Fashion FD every fdEvery iterations', async () => {
    const out = path.join(root, 'run');
    const settings = {
      ...FASHION_WGAN_GP,
      hiddenUnits: 16,
      generatorFilters: 4,
      discriminatorFilters: 4,
      criticSteps: 3,
      fdEvery: 2,
      fdSamples: 20,
    };
    const before = tf.memory().numTensors;
    await runTraining(fashionWganGpExample(settings, 'fashion-test'), {
      steps: 4,
      seed: 1,
      batchSize: 8,
      out,
      backend: tf.getBackend(),
      evalSamples: 20,
      checkpointEvery: 4,
      progress: false,
      log: () => {},
    });
    expect(tf.memory().numTensors).toBe(before);
    const fd = readLogLines(out).map((l) => (l as { metrics: Record<string, number> }).metrics.fashionFd);
    expect(fd[0]).toBeUndefined();
    expect(fd[2]).toBeUndefined();
    for (const v of [fd[1], fd[3]]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    const model = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'step-000000004', 'model.json'), 'utf8'));
    expect(model.gankit.state.optimizers.discriminator.iterations).toBe(12); // 3 critic updates × 4
    expect(model.gankit.state.optimizers.generator.iterations).toBe(4);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.metric).toBe('fashion');
    expect(metrics.realImages).toBe(40); // the test split
    expect(metrics.raw.frechetDistanceFashionFeatures).toBeGreaterThan(0);
  });

  it('falls both learning rates linearly from lrDecayStart to lrDecayTo × at lrDecayEnd, and refuses half a decay', () => {
    const settings = { ...FASHION_WGAN_GP, hiddenUnits: 16, generatorFilters: 4, discriminatorFilters: 4, fdEvery: 0 };
    const before = tf.memory().numTensors;
    const s = fashionWganGpExample({ ...settings, lrDecayStart: 100, lrDecayEnd: 300, lrDecayTo: 0.1 }, 'fashion-test').setup({
      seed: 0,
      batchSize: 8,
    });
    const schedule = s.plugins.find((p) => p.name === 'lr-schedule');
    expect(schedule).toBeDefined();
    const lr = () => [s.generatorOptimizer, s.discriminatorOptimizer].map((o) => (o as unknown as { learningRate: number }).learningRate);
    // The plugin sets the rate for the iteration about to run: onStepEnd gets the next step's context.
    for (const [step, factor] of [
      [0, 1],
      [100, 1],
      [200, 0.55],
      [300, 0.1],
      [5000, 0.1],
    ]) {
      schedule?.onStepEnd?.({ step } as never, {} as never);
      for (const v of lr()) expect(v).toBeCloseTo(FASHION_WGAN_GP.learningRate * factor, 12);
    }
    freeSetup(s, { data: true });
    expect(tf.memory().numTensors).toBe(before);
    // Without a decay there is no schedule; half of one is refused before any data is read.
    const plain = fashionWganGpExample(settings, 'fashion-test').setup({ seed: 0, batchSize: 8 });
    expect(plain.plugins.map((p) => p.name)).not.toContain('lr-schedule');
    freeSetup(plain, { data: true });
    expect(() => fashionWganGpExample({ ...settings, lrDecayStart: 100 })).toThrow(/lrDecayStart and lrDecayEnd go together/);
    expect(() => fashionWganGpExample({ ...settings, lrDecayStart: 300, lrDecayEnd: 100 })).toThrow(/startStep < endStep/);
  });
});
