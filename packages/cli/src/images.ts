import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, type DataSource, type GanPlugin, type JsonValue, type LossPair, type Network } from '@gankit/core';
import type { AveragingPlugin } from '@gankit/averaging';
import { FeatureStatistics, digitClassifier, frechetDistance, inceptionScore, type GaussianStatistics } from '@gankit/metrics';
import { gridRecorder, htmlReport, imageGrid, metricsLogger, type GridRecorder, type MetricsLogger } from '@gankit/report';
import type { Trainer } from '@gankit/trainer';
import { Progress } from './progress';
import type { EvaluateOptions, Example, ExampleOutputs, GeneratorSampler, RunFacts } from './examples/types';

/**
 * How an image example is scored:
 * - `'mnist'`: MNIST FID (Fréchet distance of the shipped digit classifier's 128-d features) and
 *   MNIST score (Inception Score with its class probabilities);
 * - `'digit-features'`: only the Fréchet distance in the digit classifier's feature space, for
 *   28×28 grey images that are not digits (Fashion-MNIST): comparable between runs on the same
 *   data, not with published FIDs, and no score (the classes are not theirs).
 */
export type ImageMetric = 'mnist' | 'digit-features';

/** Real images kept in memory, `[size, 28, 28, 1]` row-major in [-1, 1] (an `InMemoryDataset` is one). */
export interface RealImages {
  /** The pixels. */
  readonly data: Float32Array;
  /** Number of images. */
  readonly size: number;
  /** Shape of one image. */
  readonly sampleShape: readonly number[];
}

/** The latent batches an evaluation draws, in batches of this many. */
const EVAL_BATCH = 100;
/** At most this many real images make the real statistics. */
export const MAX_REAL_IMAGES = 10_000;

function checkDigitShape(shape: readonly number[], what: string): void {
  if (shape.length !== 3 || shape[0] !== 28 || shape[1] !== 28 || shape[2] !== 1) {
    throw new GankitError('shape', `${what}: the digit classifier scores 28×28×1 images, got images of shape [${shape.join(', ')}]`);
  }
}

/**
 * Feature statistics (mean and covariance of the digit classifier's 128-d features) of the first
 * `max` images of `real` (default {@link MAX_REAL_IMAGES}).
 */
export function realFeatureStatistics(
  real: RealImages,
  options: { max?: number | undefined; progress?: boolean | undefined } = {},
): GaussianStatistics {
  checkDigitShape(real.sampleShape, 'realFeatureStatistics');
  const n = Math.min(real.size, options.max ?? MAX_REAL_IMAGES);
  const clf = digitClassifier();
  const stats = new FeatureStatistics();
  const bar = options.progress === false ? undefined : new Progress({ total: n, label: 'real features' });
  try {
    for (let i = 0; i < n; i += 500) {
      const b = Math.min(500, n - i);
      const feats = tf.tidy(() => clf.features(tf.tensor(real.data.subarray(i * 784, (i + b) * 784), [b, 28, 28, 1])));
      stats.add(feats as tf.Tensor2D);
      feats.dispose();
      bar?.update(i + b);
    }
  } finally {
    bar?.finish();
    clf.dispose();
  }
  return stats.statistics();
}

/** What {@link evaluateImages} reports. */
export interface ImageScores {
  /** MNIST FID (`'mnist'` metric) against the real statistics. */
  readonly fid?: number | undefined;
  /** MNIST score: mean and std over 10 splits (`'mnist'` metric). */
  readonly inceptionScore?: { readonly mean: number; readonly std: number } | undefined;
  /** Fréchet distance in the digit classifier's feature space (`'digit-features'` metric). */
  readonly frechetDistanceDigitFeatures?: number | undefined;
  /** Conditional generators: fraction of samples the digit classifier puts in the class asked for. */
  readonly labelAccuracy?: number | undefined;
  /** Samples scored. */
  readonly samples: number;
}

/**
 * Scores `samples` images from a generator against real feature statistics, in batches of 100
 * with a progress bar. The latent points come from `RandomSource(seed)`, so the raw and averaged
 * weights of a run are scored on the same z. Conditional generators get labels `i mod numClasses`.
 */
export function evaluateImages(
  sampler: GeneratorSampler,
  real: GaussianStatistics,
  metric: ImageMetric,
  options: EvaluateOptions & { samples: number },
): ImageScores {
  const n = options.samples;
  if (!Number.isInteger(n) || n < 10) throw new GankitError('config', `evaluateImages: samples must be an integer >= 10, got ${n}`);
  checkDigitShape(sampler.network.outputShape, 'evaluateImages');
  const random = new RandomSource(options.seed);
  const clf = digitClassifier();
  const feats = new FeatureStatistics();
  const probs = new Float32Array(n * 10);
  let correct = 0;
  const bar =
    options.progress === false ? undefined : new Progress({ total: n, label: `evaluate${options.label ? ` ${options.label}` : ''}` });
  try {
    for (let i = 0; i < n; i += EVAL_BATCH) {
      const b = Math.min(EVAL_BATCH, n - i);
      const labels = sampler.numClasses ? Int32Array.from({ length: b }, (_, k) => (i + k) % sampler.numClasses!) : undefined;
      const z = random.normal([b, ...sampler.latentShape]);
      const [f, p] = tf.tidy(() => {
        const x = sampler.sample(z, labels ? tf.tensor1d(labels, 'int32') : undefined);
        return [clf.features(x), clf.probs(x)];
      });
      z.dispose();
      feats.add(f as tf.Tensor2D);
      const pv = p.dataSync();
      probs.set(pv, i * 10);
      tf.dispose([f, p]);
      if (labels) {
        for (let k = 0; k < b; k++) {
          let arg = 0;
          for (let c = 1; c < 10; c++) if (pv[k * 10 + c] > pv[k * 10 + arg]) arg = c;
          if (arg === labels[k]) correct++;
        }
      }
      bar?.update(i + b);
    }
  } finally {
    bar?.finish();
    clf.dispose();
  }
  const fd = frechetDistance(real, feats.statistics());
  const out: { -readonly [K in keyof ImageScores]: ImageScores[K] } = { samples: n };
  if (metric === 'mnist') {
    out.fid = fd;
    const is = inceptionScore({ data: probs, dim: 10 }, { splits: 10 });
    out.inceptionScore = { mean: is.mean, std: is.std };
  } else {
    out.frechetDistanceDigitFeatures = fd;
  }
  if (sampler.numClasses) out.labelAccuracy = correct / n;
  return out;
}

/** A {@link GeneratorSampler} over a network in inference mode. */
export function networkSampler(network: Network, numClasses?: number): GeneratorSampler {
  return {
    network,
    latentShape: network.inputShape,
    numClasses,
    sample: (z, labels) => network.apply(z, { training: false, labels }),
  };
}

/** The averaging plugin of the generator (e.g. `ema`) among a trainer's plugins, if any. */
export function findAverager(plugins: readonly GanPlugin[]): AveragingPlugin | undefined {
  return plugins.find(
    (p) =>
      typeof (p as Partial<AveragingPlugin>).withAveragedWeights === 'function' &&
      typeof (p as Partial<AveragingPlugin>).averagedWeights === 'function' &&
      ((p as Partial<AveragingPlugin>).network ?? 'generator') === 'generator',
  ) as AveragingPlugin | undefined;
}

/** Labels `[0 × perClass, 1 × perClass, ...]` for a grid with one row per class. */
export function rowPerClassLabels(numClasses: number, perClass: number): Int32Array {
  return Int32Array.from({ length: numClasses * perClass }, (_, i) => Math.floor(i / perClass));
}

/** Rounds a JSON number for metrics files (6 significant digits). */
function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : v;
}

function scoresJson(s: ImageScores): { [key: string]: JsonValue } {
  const o: { [key: string]: JsonValue } = { samples: s.samples };
  if (s.fid !== undefined) o.fid = round(s.fid);
  if (s.inceptionScore) o.inceptionScore = { mean: round(s.inceptionScore.mean), std: round(s.inceptionScore.std) };
  if (s.frechetDistanceDigitFeatures !== undefined) o.frechetDistanceDigitFeatures = round(s.frechetDistanceDigitFeatures);
  if (s.labelAccuracy !== undefined) o.labelAccuracy = round(s.labelAccuracy);
  return o;
}

function scoresLine(s: ImageScores): string {
  const parts: string[] = [];
  if (s.fid !== undefined) parts.push(`FID ${s.fid.toFixed(1)}`);
  if (s.inceptionScore) parts.push(`IS ${s.inceptionScore.mean.toFixed(2)}`);
  if (s.frechetDistanceDigitFeatures !== undefined) parts.push(`FD ${s.frechetDistanceDigitFeatures.toFixed(1)}`);
  if (s.labelAccuracy !== undefined) parts.push(`label accuracy ${(s.labelAccuracy * 100).toFixed(0)}%`);
  return parts.join(', ');
}

/** What an image example is made of: see {@link imageExample}. */
export interface ImageExampleSpec {
  /** The name on the command line. */
  readonly name: string;
  /** One line on what it shows. */
  readonly description: string;
  /** Title of report.html. */
  readonly title: string;
  /** Defaults: iterations, batch size, iterations between grids, samples of the final evaluation. */
  readonly defaults: { readonly steps: number; readonly batchSize: number; readonly gridEvery: number; readonly evalSamples: number };
  /** Loads the real images (an `InMemoryDataset`). */
  data(): RealImages & DataSource;
  /** How samples are scored. */
  readonly metric: ImageMetric;
  /** Number of classes, for a class-conditional generator (grids then have a row per class). */
  readonly numClasses?: number | undefined;
  /** Builds the generator from a seed. */
  generator(seed: number): Network;
  /** Builds the discriminator from a seed. */
  discriminator(seed: number): Network;
  /** The adversarial loss. */
  readonly loss: LossPair;
  /** Fresh optimizers of G and D. */
  optimizers(): { generator: tf.Optimizer; discriminator: tf.Optimizer };
  /** Fresh plugins: regularizers, averaging, metrics (the grid recorder and logger are added). */
  plugins(): GanPlugin[];
  /** Discriminator updates per iteration. */
  readonly discriminatorSteps: number;
  /** The settings, shown in report.html (and, for `--config` runs, the whole config). */
  readonly settings: { [key: string]: JsonValue };
  /** The training configuration (`--config` runs), written to config.json. */
  readonly config?: JsonValue | undefined;
}

const GRID_COLUMNS = 8;

/**
 * Builds an image {@link Example} from its parts. Training writes a PNG grid of samples from fixed
 * latent points every `gridEvery` iterations (`grids/step-*.png`) and one JSON line per iteration
 * (`logs.jsonl`); the finish writes `samples.png` (averaged generator, the same fixed z) and
 * `samples-raw.png`, scores the raw and the averaged generator (`metrics.json`) and writes
 * `report.html`. Every image example shares this code.
 */
export function imageExample(spec: ImageExampleSpec): Example {
  let realStats: GaussianStatistics | undefined;
  const realStatistics = (data: RealImages, progress: boolean | undefined): GaussianStatistics => {
    realStats ??= realFeatureStatistics(data, { progress });
    return realStats;
  };
  const gridCount = spec.numClasses ? spec.numClasses * GRID_COLUMNS : 64;
  const gridLabels = spec.numClasses ? rowPerClassLabels(spec.numClasses, GRID_COLUMNS) : undefined;

  return {
    name: spec.name,
    description: spec.description,
    defaults: { steps: spec.defaults.steps, batchSize: spec.defaults.batchSize },
    output: 'images',
    numClasses: spec.numClasses,
    config: spec.config,
    buildGenerator: ({ seed }) => spec.generator(seed * 2 + 1),
    setup({ seed, out, resume, gridEvery }) {
      const data = spec.data();
      const optimizers = spec.optimizers();
      const plugins = spec.plugins();
      if (out) {
        plugins.push(
          gridRecorder({
            every: gridEvery ?? spec.defaults.gridEvery,
            dir: out,
            z: gridCount,
            labels: gridLabels,
            grid: { cols: GRID_COLUMNS },
          }),
          metricsLogger({ file: path.join(out, 'logs.jsonl'), overwrite: !resume }),
        );
      }
      const generator = spec.generator(seed * 2 + 1);
      const discriminator = spec.discriminator(seed * 2 + 2);
      return {
        generator,
        discriminator,
        loss: spec.loss,
        data,
        generatorOptimizer: optimizers.generator,
        discriminatorOptimizer: optimizers.discriminator,
        plugins,
        discriminatorSteps: spec.discriminatorSteps,
        conditional: spec.numClasses !== undefined,
      };
    },
    async evaluate(sampler, options) {
      const data = spec.data();
      return scoresJson(
        evaluateImages(sampler, realStatistics(data, options.progress), spec.metric, {
          ...options,
          samples: options.samples ?? spec.defaults.evalSamples,
        }),
      );
    },
    async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
      const files: string[] = [];
      const grids = trainer.plugins.find((p) => p.name === 'grid-recorder') as GridRecorder | undefined;
      const logger = trainer.plugins.find((p) => p.name === 'metrics-logger') as MetricsLogger | undefined;
      const averager = findAverager(trainer.plugins);
      const raw = networkSampler(trainer.generator, spec.numClasses);
      const withWeights = <T>(which: 'raw' | 'averaged', fn: () => T): T =>
        which === 'averaged' && averager ? averager.withAveragedWeights(trainer.generator, fn) : fn();

      // Final grids from the recorder's fixed z (or fresh points when there was no recorder).
      const z = grids?.z ? grids.z.clone() : new RandomSource(facts.seed).normal([gridCount, ...trainer.generator.inputShape]);
      const labels = gridLabels ? tf.tensor1d(gridLabels, 'int32') : undefined;
      const gridOptions = { cols: GRID_COLUMNS, labelsPerRow: gridLabels };
      try {
        for (const which of averager ? (['averaged', 'raw'] as const) : (['raw'] as const)) {
          const images = withWeights(which, () => raw.sample(z, labels));
          const file = which === 'averaged' || !averager ? 'samples.png' : 'samples-raw.png';
          fs.writeFileSync(path.join(facts.out, file), imageGrid(images, gridOptions));
          images.dispose();
          files.push(file);
        }
      } finally {
        tf.dispose([z, labels as tf.Tensor]);
      }

      // Scores of the raw and the averaged generator on the same latent points.
      const data = trainer.data as unknown as RealImages;
      const real = realStatistics(data, facts.progress);
      const samples = facts.evalSamples ?? spec.defaults.evalSamples;
      const evalOptions = { seed: facts.seed, samples, progress: facts.progress };
      const rawScores = evaluateImages(raw, real, spec.metric, { ...evalOptions, label: 'raw' });
      const avgScores = averager
        ? await averager.withAveragedWeights(trainer.generator, async () =>
            evaluateImages(raw, real, spec.metric, { ...evalOptions, label: averager.name }),
          )
        : undefined;

      const metrics: { [key: string]: JsonValue } = {
        example: spec.name,
        metric: spec.metric,
        generator: averager ? averager.name : 'raw',
        raw: scoresJson(rawScores),
        ...(avgScores ? { [averager!.name]: scoresJson(avgScores) } : {}),
        realImages: Math.min(data.size, MAX_REAL_IMAGES),
        definition:
          spec.metric === 'mnist'
            ? "fid: Fréchet distance between the 128-d features of @gankit/metrics' digit classifier on generated and real digits; inceptionScore: exp(E KL(p(y|x) || p(y))) of its class probabilities, mean and std over 10 splits"
            : "frechetDistanceDigitFeatures: Fréchet distance in the 128-d feature space of @gankit/metrics' digit classifier (not an Inception FID: compare runs on the same data only)",
        steps: facts.steps,
        seconds: Number(facts.seconds.toFixed(2)),
        secondsPerStep: facts.steps > 0 ? Number((facts.seconds / facts.steps).toFixed(3)) : null,
        backend: facts.backend,
        seed: facts.seed,
        batchSize: facts.batchSize,
      };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      files.push('metrics.json');

      const finalMetrics: Record<string, number | string> = {
        steps: facts.steps,
        'seconds per step': round(facts.seconds / Math.max(1, facts.steps)),
      };
      const addScores = (prefix: string, s: ImageScores) => {
        if (s.fid !== undefined) finalMetrics[`${prefix} FID`] = round(s.fid);
        if (s.inceptionScore) finalMetrics[`${prefix} IS`] = `${s.inceptionScore.mean.toFixed(3)} ± ${s.inceptionScore.std.toFixed(3)}`;
        if (s.frechetDistanceDigitFeatures !== undefined)
          finalMetrics[`${prefix} FD (digit features)`] = round(s.frechetDistanceDigitFeatures);
        if (s.labelAccuracy !== undefined) finalMetrics[`${prefix} label accuracy`] = round(s.labelAccuracy);
      };
      addScores('raw', rawScores);
      if (avgScores) addScores(averager!.name, avgScores);
      if (logger) await logger.flush();
      await htmlReport({
        dir: facts.out,
        title: spec.title,
        config: {
          example: spec.name,
          seed: facts.seed,
          batchSize: facts.batchSize,
          steps: facts.steps,
          backend: facts.backend,
          ...spec.settings,
        },
        logsFile: logger && fs.existsSync(logger.file) ? logger.file : undefined,
        grids: [
          ...(grids?.files ?? []),
          { file: path.join(facts.out, 'samples.png'), caption: `final samples (${averager ? averager.name : 'raw'} generator, fixed z)` },
          ...(averager ? [{ file: path.join(facts.out, 'samples-raw.png'), caption: 'final samples (raw generator, fixed z)' }] : []),
        ],
        finalMetrics,
      });
      files.push('report.html');
      if (logger) files.push('logs.jsonl');
      if (grids?.files.length) files.push('grids/');
      const best = avgScores ?? rawScores;
      return {
        files,
        metrics,
        summary: `${spec.name}: ${averager ? `${averager.name} ${scoresLine(best)}; raw ` : ''}${scoresLine(rawScores)} (${samples} samples; ${facts.steps} steps, ${facts.seconds.toFixed(1)} s on ${facts.backend})`,
      };
    },
  };
}
