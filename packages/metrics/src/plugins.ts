import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type GanPlugin, type Network, type TrainContext } from '@gankit/core';
import type { FeatureExtractor } from './feature-extractor';
import { FeatureStatistics } from './feature-statistics';
import { frechetDistance, type GaussianStatistics } from './frechet';

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  /** Evaluate after every `every` iterations (after iterations `every`, `2·every`, ...). */
  every: number;
  /** Computes the metrics; its numbers are written into `logs.metrics` under their keys. */
  compute: (ctx: TrainContext) => Promise<Record<string, number>> | Record<string, number>;
  /** The plugin's name (unique among a run's plugins). Default `'metrics'`. */
  name?: string | undefined;
}

/** The order metric plugins run at: after averaging (~100), before loggers (~200). */
export const METRICS_PLUGIN_ORDER = 150;

function checkEvery(every: number, what: string): void {
  if (!Number.isInteger(every) || every < 1) throw new GankitError('config', `${what}: every must be a positive integer, got ${every}`);
}

/**
 * A plugin that evaluates metrics during training: after every `every` iterations its
 * `onStepEnd` awaits `compute(ctx)` and writes the returned numbers into `logs.metrics`, where the
 * trainer's loggers see them. Runs at order {@link METRICS_PLUGIN_ORDER} (150).
 *
 * @example
 * ```ts
 * const plugin = metricsPlugin({ every: 500, compute: async (ctx) => ({ score: await myScore(ctx.generator) }) });
 * ```
 * @throws GankitError when `every` is not a positive integer; at run time when `compute` returns a
 *   value that is not a number
 */
export function metricsPlugin(options: MetricsPluginOptions): GanPlugin {
  const { every, compute, name = 'metrics' } = options;
  checkEvery(every, name);
  if (typeof compute !== 'function') throw new GankitError('config', `${name}: compute must be a function`);
  return {
    name,
    order: METRICS_PLUGIN_ORDER,
    async onStepEnd(ctx, logs) {
      if ((logs.step + 1) % every !== 0) return;
      const values = await compute(ctx);
      if (values === null || typeof values !== 'object') {
        throw new GankitError(
          'value',
          `${name}: compute must return an object of numbers, got ${values === null ? 'null' : typeof values}`,
        );
      }
      for (const [k, v] of Object.entries(values)) {
        if (typeof v !== 'number') throw new GankitError('value', `${name}: metric '${k}' is ${typeof v}, expected a number`);
        logs.metrics[k] = v;
      }
    },
  };
}

/** Options of {@link fidPlugin}. */
export interface FidPluginOptions {
  /** Evaluate after every `every` iterations. */
  every: number;
  /** The feature extractor (e.g. {@link digitClassifier} or {@link loadFidInception}). Not disposed by the plugin. */
  extractor: FeatureExtractor;
  /** Statistics of the real data's features under the same extractor (e.g. from {@link extractFeatureStatistics}). */
  realStatistics: GaussianStatistics | FeatureStatistics;
  /** Generated samples per evaluation. Default 1000. */
  samples?: number | undefined;
  /** Samples per generator / extractor pass. Default 100. */
  batchSize?: number | undefined;
  /** Key in `logs.metrics`. Default `'fid'`. */
  key?: string | undefined;
  /** The plugin's name. Default `'fid'`. */
  name?: string | undefined;
  /**
   * The network to sample (default `ctx.generator`), e.g. a weight-averaged copy of the generator.
   */
  generator?: ((ctx: TrainContext) => Network) | undefined;
  /** Class labels `[n]` (int32) for a conditional generator; none by default. The plugin disposes them. */
  labels?: ((n: number, ctx: TrainContext) => tf.Tensor) | undefined;
}

/**
 * A plugin that computes the FID of the generator during training: after every `every` iterations
 * it draws `samples` latent vectors with `ctx.sampleLatent` (so the run's seeded random source
 * advances), runs the generator in inference mode (`training: false`) batch by batch, extracts
 * features, accumulates their float64 statistics, and writes the Fréchet distance to
 * `realStatistics` into `logs.metrics[key]`. Tensors are freed batch by batch. Order 150.
 *
 * @example
 * ```ts
 * const clf = digitClassifier();
 * const real = extractFeatureStatistics(clf, mnistDigits({ split: 'test' }).batchAt(range(997)).x);
 * const plugin = fidPlugin({ every: 500, extractor: clf, realStatistics: real, samples: 1000 });
 * ```
 */
export function fidPlugin(options: FidPluginOptions): GanPlugin {
  const { every, extractor, samples = 1000, batchSize = 100, key = 'fid', name = 'fid' } = options;
  checkEvery(every, name);
  if (!extractor || typeof extractor.features !== 'function')
    throw new GankitError('config', `${name}: extractor must have a features(x) method`);
  if (!Number.isInteger(samples) || samples < 2)
    throw new GankitError('config', `${name}: samples must be an integer >= 2, got ${samples}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new GankitError('config', `${name}: batchSize must be a positive integer, got ${batchSize}`);
  const real: GaussianStatistics =
    options.realStatistics instanceof FeatureStatistics ? options.realStatistics.statistics() : options.realStatistics;
  if (!real || real.mean == null || real.covariance == null)
    throw new GankitError('config', `${name}: realStatistics must be { mean, covariance } or a FeatureStatistics`);
  if (real.mean.length !== extractor.featureDim) {
    throw new GankitError(
      'shape',
      `${name}: realStatistics have dimension ${real.mean.length}, but the extractor's features have ${extractor.featureDim}`,
    );
  }
  return metricsPlugin({
    every,
    name,
    compute: (ctx) => {
      const net = options.generator ? options.generator(ctx) : ctx.generator;
      const stats = new FeatureStatistics(extractor.featureDim);
      for (let i = 0; i < samples; i += batchSize) {
        const m = Math.min(batchSize, samples - i);
        const z = ctx.sampleLatent(m);
        const labels = options.labels ? options.labels(m, ctx) : undefined;
        try {
          const f = tf.tidy(() => extractor.features(net.apply(z, { training: false, labels })));
          try {
            stats.add(f);
          } finally {
            f.dispose();
          }
        } finally {
          z.dispose();
          labels?.dispose();
        }
      }
      return { [key]: frechetDistance(stats.statistics(), real) };
    },
  });
}
