import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type Network, RandomSource, type StepLogs, type TrainContext } from '@gankit/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type FeatureExtractor, type ModeCoverageEvaluator, type PluginMetricEntry, metrics } from './index';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe('config');
    return (err as Error).message;
  }
  throw new Error('expected a GankitError');
}

/** A generator that outputs its latent vector plus 1. */
const generator: Network = {
  name: 'generator',
  inputShape: [2],
  outputShape: [2],
  trainableVariables: [],
  nonTrainableVariables: [],
  apply: (z) => tf.add(z, 1),
  dispose: () => undefined,
};
const identity: FeatureExtractor = { name: 'identity', featureDim: 2, features: (x) => tf.clone(x) as tf.Tensor2D };

describe('metrics (the registry)', () => {
  it('lists fid and mode-coverage with what they need, each schema parsing its defaults', () => {
    expect(metrics.names).toEqual(['fid', 'mode-coverage']);
    expect(metrics.entries.map((e) => [e.kind, e.needs])).toEqual([
      ['plugin', 'images'],
      ['evaluation', 'points'],
    ]);
    expect(metrics.parse('fid', { every: 5 })).toEqual({ every: 5, samples: 500 });
    expect(metrics.parse('mode-coverage')).toEqual({ threshold: 3, minPoints: 1 });
    expectTypeOf<PluginMetricEntry['name']>().toEqualTypeOf<'fid'>();
  });

  it('refuses bad options with one precise line', () => {
    expect(messageOf(() => metrics.parse('fid'))).toBe('fid.every is required (an integer >= 1 and <= 100000000)');
    expect(messageOf(() => metrics.parse('fid', { every: 1, samples: 5 }))).toBe('fid.samples must be >= 10, got 5');
    expect(messageOf(() => metrics.parse('mode-coverage', { threshold: 0 }))).toBe('mode-coverage.threshold must be > 0, got 0');
    expect(messageOf(() => metrics.get('FID'))).toBe("unknown metric 'FID'; did you mean 'fid'? (one of: fid, mode-coverage)");
  });

  it('makes a FID plugin that logs the distance at its steps without leaking', async () => {
    const plugin = metrics.create(
      'fid',
      { every: 2, samples: 10 },
      {
        extractor: identity,
        realStatistics: {
          mean: [1, 1],
          covariance: [
            [1, 0],
            [0, 1],
          ],
        },
      },
    );
    const random = new RandomSource(3);
    const ctx = {
      step: 1,
      generator,
      discriminator: generator,
      networks: { generator },
      random,
      sampleLatent: (n: number) => random.normal([n, 2]),
    } as unknown as TrainContext;
    const logs = { step: 1, metrics: {} } as unknown as StepLogs;
    const before = tf.memory().numTensors;
    await plugin.onStepEnd!(ctx, logs);
    expect(tf.memory().numTensors).toBe(before);
    // Samples are N(1, I) like the real statistics: a small distance, not zero (10 samples).
    expect(logs.metrics.fid).toBeGreaterThan(0);
    expect(logs.metrics.fid).toBeLessThan(5);
  });

  it('makes a mode-coverage evaluator with the options given', () => {
    const cover = metrics.create('mode-coverage', { threshold: 1 }) as ModeCoverageEvaluator;
    const modes = [
      [0, 0],
      [10, 0],
    ];
    const r = cover(
      [
        [0.5, 0],
        [10, 2],
      ],
      modes,
      1,
    );
    // Within 1·std of the first mode only; the second point is 2 std away.
    expect(r.modesCaptured).toBe(1);
    expect(r.highQualityFraction).toBe(0.5);
    expect((metrics.create('mode-coverage') as ModeCoverageEvaluator)([[10, 2]], modes, 1).modesCaptured).toBe(1);
  });
});
