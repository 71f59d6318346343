import type * as tf from '@tensorflow/tfjs-core';
import { type AnyOptionsSchema, type GanPlugin, type PartEntry, type TrainContext, createRegistry, definePart } from '@gankit/core';
import * as z from 'zod';
import type { FeatureExtractor } from './feature-extractor';
import type { FeatureStatistics } from './feature-statistics';
import type { GaussianStatistics } from './frechet';
import type { Rows } from './matrix';
import { type ModeCoverageResult, modeCoverage } from './mode-coverage';
import { fidPlugin } from './plugins';

/** What every metric entry declares beyond the core contract. */
export interface MetricTraits {
  /** The data the metric can score: `'images'` or `'points'` (2-D Gaussian mixtures). */
  readonly needs: 'images' | 'points';
}

/** What the `fid` entry needs when its plugin is built, besides its options. */
export interface FidPluginContext {
  /** The feature extractor, e.g. {@link digitClassifier}; the plugin does not dispose it. */
  readonly extractor: FeatureExtractor;
  /** The real data's feature statistics under the same extractor. */
  readonly realStatistics: GaussianStatistics | FeatureStatistics;
  /** Class labels `[n]` (int32) for a conditional generator; none by default. */
  readonly labels?: ((n: number, ctx: TrainContext) => tf.Tensor) | undefined;
}

/** Scores points from a generator against a Gaussian mixture's modes (what `mode-coverage` makes). */
export type ModeCoverageEvaluator = (points: Rows, modes: number[][], std: number) => ModeCoverageResult;

/** A metric entry: the core contract and {@link MetricTraits}, its `kind` kept as a literal type. */
function metric<const N extends string, S extends AnyOptionsSchema, P, C, const K extends 'plugin' | 'evaluation'>(
  entry: PartEntry<N, S, P, C> & MetricTraits & { readonly kind: K },
): PartEntry<N, S, P, C> & MetricTraits & { readonly kind: K } {
  return definePart(entry);
}

/**
 * The metrics of `@gankit/metrics` that a configured run can name, with the schema of their
 * options. An entry's `kind` says what it makes: `'plugin'`, a `GanPlugin` that evaluates during
 * training (`gankit train --config` offers each as `"metrics": { "<name>": { ... } }`); or
 * `'evaluation'`, a function that scores samples after training. `needs` says which data it can
 * score.
 */
export const metrics = /* @__PURE__ */ createRegistry('metric', () => [
  metric({
    name: 'fid',
    kind: 'plugin',
    needs: 'images',
    summary: 'Fréchet distance between generated and real features, computed every `every` iterations during training',
    schema: z.strictObject({
      every: z.int().min(1).max(100_000_000).describe('evaluate after every `every` iterations'),
      samples: z.int().min(10).max(100_000).default(500).describe('generated samples per evaluation'),
    }),
    create: (o, context: FidPluginContext): GanPlugin =>
      fidPlugin({
        every: o.every,
        extractor: context.extractor,
        realStatistics: context.realStatistics,
        samples: o.samples,
        labels: context.labels,
      }),
  }),
  metric({
    name: 'mode-coverage',
    kind: 'evaluation',
    needs: 'points',
    summary: 'modes captured and the fraction of high-quality points, for samples of a 2-D Gaussian mixture',
    schema: z.strictObject({
      threshold: z.number().positive().default(3).describe('a point is high quality within threshold · std of a mode'),
      minPoints: z.int().min(1).max(1_000_000).default(1).describe('high-quality points a mode needs to count as captured'),
    }),
    create:
      (o): ModeCoverageEvaluator =>
      (points, modes, std) =>
        modeCoverage(points, modes, std, { threshold: o.threshold, minPoints: o.minPoints }),
  }),
]);

/** One entry of {@link metrics}. */
export type MetricEntry = (typeof metrics.entries)[number];

/** The entries of {@link metrics} that make plugins (evaluated during training). */
export type PluginMetricEntry = Extract<MetricEntry, { readonly kind: 'plugin' }>;
