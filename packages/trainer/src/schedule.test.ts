import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Trainer } from './trainer';
import { learningRateSchedule, linearDecay } from './schedule';
import { gaussian1d, mlp, nonSaturating } from './test-utils';

const lr = (o: tf.Optimizer) => (o as unknown as { learningRate: number }).learningRate;

describe('learningRateSchedule', () => {
  it('linearDecay: 1, then a straight line, then the floor', () => {
    const f = linearDecay({ startStep: 10, endStep: 20, to: 0.5 });
    expect([0, 10, 15, 20, 100].map(f)).toEqual([1, 1, 0.75, 0.5, 0.5]);
    expect(() => linearDecay({ startStep: 5, endStep: 5 })).toThrow(/startStep < endStep/);
  });

  it('sets each optimizer to initial x schedule(step) before every iteration, also after a resume', async () => {
    const g = tf.train.adam(1e-2);
    const d = tf.train.sgd(4e-2);
    const seen: number[] = [];
    const t = new Trainer({
      generator: mlp('g', 2, 4, 1, 1),
      discriminator: mlp('d', 1, 4, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 8,
      generatorOptimizer: g,
      discriminatorOptimizer: d,
      plugins: [
        learningRateSchedule({ optimizers: [g, d], schedule: (s) => 1 / (1 + s) }),
        { name: 'probe', discriminatorLoss: () => void seen.push(lr(d)) },
      ],
    });
    await t.fit({ steps: 3 });
    expect(seen.map((v) => +v.toPrecision(6))).toEqual([0.04, 0.02, +(0.04 / 3).toPrecision(6)]);
    expect(lr(g)).toBeCloseTo(1e-2 / 4, 12);
    t.dispose();
    t.generator.dispose();
    t.discriminator.dispose();
    // A trainer restored at step 10 (as a resume does before training) starts on the curve.
    const d2 = tf.train.sgd(4e-2);
    const seen2: number[] = [];
    const t2 = new Trainer({
      generator: mlp('g', 2, 4, 1, 1),
      discriminator: mlp('d', 1, 4, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 8,
      discriminatorOptimizer: d2,
      plugins: [
        learningRateSchedule({ optimizers: [d2], schedule: (s) => 1 / (1 + s) }),
        { name: 'probe', discriminatorLoss: () => void seen2.push(lr(d2)) },
      ],
    });
    t2.setStep(10);
    await t2.fit({ steps: 1 });
    expect(seen2[0]).toBeCloseTo(0.04 / 11, 12);
    t2.dispose();
    t2.generator.dispose();
    t2.discriminator.dispose();
  });

  it('rejects what it cannot schedule', () => {
    expect(() => learningRateSchedule({ optimizers: [], schedule: () => 1 })).toThrow(/at least one optimizer/);
  });
});
