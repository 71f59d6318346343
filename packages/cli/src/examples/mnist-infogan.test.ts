import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_INFOGAN, mnistInfogan } from '../index';
import { readLogLines } from '../run-dir-test-helpers';
import { runTraining } from '../train';

/** The settings the tests change, restored after each run. */
type Tunable = { accuracyEvery: number; accuracySamples: number };

async function train(dir: string, every: number): Promise<{ lines: ReturnType<typeof readLogLines>; metrics: Record<string, unknown> }> {
  const settings = MNIST_INFOGAN as unknown as Tunable;
  const saved = { ...settings };
  Object.assign(settings, { accuracyEvery: every, accuracySamples: 20 });
  try {
    await runTraining(mnistInfogan, {
      steps: 4,
      seed: 3,
      batchSize: 8,
      out: dir,
      backend: tf.getBackend(),
      evalSamples: 20,
      progress: false,
      log: () => {},
    });
  } finally {
    Object.assign(settings, { accuracyEvery: saved.accuracyEvery, accuracySamples: saved.accuracySamples });
  }
  return { lines: readLogLines(dir), metrics: JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')) };
}

describe('mnist-infogan example', () => {
  let added: string[] = [];
  let root = '';
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-infogan-example-'));
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('logs the code accuracy of the raw and EMA generator every accuracyEvery iterations, without changing the training', async () => {
    const logged = await train(path.join(root, 'every-2'), 2);
    const silent = await train(path.join(root, 'never'), 0);
    expect(logged.lines).toHaveLength(4);
    logged.lines.forEach((l, i) => {
      const metrics = (l as { metrics: Record<string, number> }).metrics;
      if ((i + 1) % 2 === 0) {
        for (const key of ['infogan/codeAccuracy', 'infogan/codeAccuracyEma']) {
          expect(metrics[key]).toBeGreaterThanOrEqual(0.1); // the best assignment is never worse than chance
          expect(metrics[key]).toBeLessThanOrEqual(1);
        }
      } else {
        expect(metrics['infogan/codeAccuracy']).toBeUndefined();
      }
    });
    for (const l of silent.lines) expect((l as { metrics: Record<string, number> }).metrics['infogan/codeAccuracy']).toBeUndefined();
    // The logger reads its own random stream and restores the weights: the run is the same without it.
    const losses = (r: typeof logged) => r.lines.map((l) => [(l as { dLoss: number }).dLoss, (l as { gLoss: number }).gLoss]);
    expect(losses(logged)).toEqual(losses(silent));
    expect(logged.metrics.codeAccuracy).toEqual(silent.metrics.codeAccuracy);
  }, 120_000);
});
