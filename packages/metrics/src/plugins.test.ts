import * as tf from '@tensorflow/tfjs-core';
import { describe, it, expect } from 'vitest';
import { GankitError, RandomSource, sortPlugins, type ApplyOptions, type Network, type StepLogs, type TrainContext } from '@gankit/core';
import { FeatureStatistics, METRICS_PLUGIN_ORDER, fidPlugin, metricsPlugin, type FeatureExtractor } from './index';
import { rel } from './test-utils';

/** A generator x = z · [2, 0.5] + [1, −1] that records how it was called. */
function fakeGenerator(): Network & { calls: { batch: number; options: ApplyOptions }[] } {
  const calls: { batch: number; options: ApplyOptions }[] = [];
  return {
    name: 'generator',
    inputShape: [2],
    outputShape: [2],
    trainableVariables: [],
    nonTrainableVariables: [],
    calls,
    apply(z, options) {
      calls.push({ batch: z.shape[0], options });
      return tf.tidy(() => tf.add(tf.mul(z, tf.tensor1d([2, 0.5])), tf.tensor1d([1, -1])));
    },
    dispose() {},
  };
}

function fakeContext(seed: number, generator: Network): TrainContext & { random: RandomSource } {
  const random = new RandomSource(seed);
  return {
    step: 0,
    info: { batchSize: 4, discriminatorSteps: 1, latentShape: [2], seed, loss: 'test' },
    generator,
    discriminator: generator,
    networks: { generator },
    random,
    sampleLatent: (n) => random.normal([n, 2]),
    requestStop: () => {},
  };
}

function logsAt(step: number): StepLogs {
  return { step, discriminatorLoss: 0, generatorLoss: 0, dReal: 0, dFake: 0, terms: {}, metrics: {}, seconds: 0 };
}

/** Features (x0, x0·x1): a tiny non-linear extractor. */
const extractor: FeatureExtractor = {
  name: 'tiny',
  featureDim: 2,
  features: (x) =>
    tf.tidy(() => {
      const [a, b] = tf.split(x, 2, 1);
      return tf.concat([a, tf.mul(a, b)], 1) as tf.Tensor2D;
    }),
};

describe('metricsPlugin', () => {
  it('runs compute after every N iterations and writes the numbers into logs.metrics', async () => {
    const seen: number[] = [];
    const plugin = metricsPlugin({
      every: 3,
      compute: async (ctx) => {
        seen.push(ctx.step);
        return { a: ctx.step * 2, b: 0.5 };
      },
    });
    expect(plugin.order).toBe(METRICS_PLUGIN_ORDER);
    expect(plugin.order).toBe(150);
    expect(plugin.name).toBe('metrics');
    const gen = fakeGenerator();
    const written: Record<number, Record<string, number>> = {};
    for (let step = 0; step < 9; step++) {
      const ctx = { ...fakeContext(1, gen), step: step + 1 };
      const logs = logsAt(step);
      await plugin.onStepEnd!(ctx, logs);
      written[step] = logs.metrics;
    }
    expect(seen).toEqual([3, 6, 9]);
    expect(written[2]).toEqual({ a: 6, b: 0.5 });
    expect(written[5]).toEqual({ a: 12, b: 0.5 });
    expect(written[0]).toEqual({});
    expect(written[7]).toEqual({});
    // sorts between averaging (100) and loggers (200)
    const order = sortPlugins([{ name: 'logger', order: 200 }, plugin, { name: 'ema', order: 100 }]).map((p) => p.name);
    expect(order).toEqual(['ema', 'metrics', 'logger']);
  });

  it('rejects a bad `every` and non-number results with GankitError', async () => {
    expect(() => metricsPlugin({ every: 0, compute: () => ({}) })).toThrow(GankitError);
    expect(() => metricsPlugin({ every: 1.5, compute: () => ({}) })).toThrow(/every must be a positive integer, got 1.5/);
    const p = metricsPlugin({ every: 1, name: 'm', compute: () => ({ x: 'high' as unknown as number }) });
    await expect(p.onStepEnd!(fakeContext(1, fakeGenerator()), logsAt(0))).rejects.toThrow(/metric 'x' is string, expected a number/);
  });
});

describe('fidPlugin', () => {
  /** Mean and unbiased covariance of 2-d rows. */
  function moments(rows: number[][]): { mean: number[]; cov: number[][] } {
    const n = rows.length;
    const mean = [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / n);
    const cov = [0, 1].map((i) => [0, 1].map((j) => rows.reduce((s, r) => s + (r[i] - mean[i]) * (r[j] - mean[j]), 0) / (n - 1)));
    return { mean, cov };
  }

  /** Closed-form 2-d Fréchet distance: Tr √M = √(tr M + 2 √det M) for M = Σ₁Σ₂ (non-negative eigenvalues). */
  function frechet2(m1: number[], s1: number[][], m2: number[], s2: number[][]): number {
    const p = [
      [s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0], s1[0][0] * s2[0][1] + s1[0][1] * s2[1][1]],
      [s1[1][0] * s2[0][0] + s1[1][1] * s2[1][0], s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1]],
    ];
    const tr = p[0][0] + p[1][1];
    const det = p[0][0] * p[1][1] - p[0][1] * p[1][0];
    const trSqrt = Math.sqrt(tr + 2 * Math.sqrt(det));
    const dm = (m1[0] - m2[0]) ** 2 + (m1[1] - m2[1]) ** 2;
    return dm + s1[0][0] + s1[1][1] + s2[0][0] + s2[1][1] - 2 * trSqrt;
  }

  it('samples the generator in inference mode in batches and computes FID against the real statistics', async () => {
    const real = {
      mean: [1, 0.2],
      covariance: [
        [2, 0.3],
        [0.3, 1],
      ],
    };
    const gen = fakeGenerator();
    const plugin = fidPlugin({ every: 2, extractor, realStatistics: real, samples: 10, batchSize: 4 });
    expect(plugin.order).toBe(150);
    const ctx = fakeContext(42, gen);
    const skipped = logsAt(0);
    await plugin.onStepEnd!(ctx, skipped);
    expect(skipped.metrics).toEqual({});
    expect(gen.calls).toEqual([]);

    const before = tf.memory().numTensors;
    const logs = logsAt(1);
    await plugin.onStepEnd!(ctx, logs);
    expect(tf.memory().numTensors).toBe(before);
    expect(gen.calls.map((c) => c.batch)).toEqual([4, 4, 2]);
    expect(gen.calls.every((c) => c.options.training === false)).toBe(true);

    // Independent reference: the same draws from a fresh source, the generator and features in JS.
    const again = new RandomSource(42);
    const rows: number[][] = [];
    for (const m of [4, 4, 2]) {
      const z = again.normal([m, 2]);
      const d = z.dataSync();
      z.dispose();
      for (let i = 0; i < m; i++) {
        const x0 = 2 * d[2 * i] + 1;
        const x1 = 0.5 * d[2 * i + 1] - 1;
        rows.push([x0, x0 * x1]);
      }
    }
    const { mean, cov } = moments(rows);
    const expected = frechet2(mean, cov, real.mean, real.covariance);
    expect(rel(logs.metrics.fid, expected)).toBeLessThan(1e-4);
  });

  it('accepts a FeatureStatistics, a custom key, generator and conditional labels (disposed)', async () => {
    const realStats = new FeatureStatistics().add([
      [0, 1],
      [1, 0],
      [2, 2],
      [0.5, -1],
    ]);
    const gen = fakeGenerator();
    const other = fakeGenerator();
    const labelTensors: tf.Tensor[] = [];
    const plugin = fidPlugin({
      every: 1,
      extractor,
      realStatistics: realStats,
      samples: 6,
      batchSize: 6,
      key: 'fid_ema',
      name: 'fid-ema',
      generator: () => other,
      labels: (n) => {
        const l = tf.zeros([n], 'int32');
        labelTensors.push(l);
        return l;
      },
    });
    expect(plugin.name).toBe('fid-ema');
    const before = tf.memory().numTensors;
    const logs = logsAt(0);
    await plugin.onStepEnd!(fakeContext(3, gen), logs);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(logs.metrics.fid_ema)).toBe(true);
    expect(logs.metrics.fid_ema).toBeGreaterThan(0);
    expect(gen.calls).toEqual([]);
    expect(other.calls.length).toBe(1);
    expect(other.calls[0].options.labels).toBe(labelTensors[0]);
    expect(labelTensors[0].isDisposed).toBe(true);
  });

  it('checks its options', () => {
    const real = {
      mean: [0, 0],
      covariance: [
        [1, 0],
        [0, 1],
      ],
    };
    expect(() =>
      fidPlugin({
        every: 1,
        extractor,
        realStatistics: {
          mean: [0, 0, 0],
          covariance: [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
          ],
        },
      }),
    ).toThrow(/dimension 3, but the extractor's features have 2/);
    expect(() => fidPlugin({ every: 1, extractor, realStatistics: real, samples: 1 })).toThrow(/samples/);
    expect(() => fidPlugin({ every: 1, extractor, realStatistics: real, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => fidPlugin({ every: -2, extractor, realStatistics: real })).toThrow(/every/);
  });
});
