// How image examples are scored: a classifier's feature statistics of real images (the digit
// classifier's, or the Fashion-MNIST one's), and the MNIST FID / IS (or the Fréchet distance in the
// classifier's features) of a generator's samples.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, type JsonValue } from '@gankit/core';
import {
  FeatureStatistics,
  digitClassifier,
  fashionClassifier,
  frechetDistance,
  inceptionScore,
  precisionRecall,
  type DigitClassifier,
  type GaussianStatistics,
} from '@gankit/metrics';
import { Progress } from './progress';
import type { EvaluateOptions, GeneratorSampler } from './examples/types';

/**
 * How an image example is scored:
 * - `'mnist'`: MNIST FID (Fréchet distance of the shipped digit classifier's 128-d features) and
 *   MNIST score (Inception Score with its class probabilities);
 * - `'digit-features'`: only the Fréchet distance in the digit classifier's feature space, for
 *   28×28 grey images that are not digits (Fashion-MNIST): comparable between runs on the same
 *   data, not with published FIDs, and no score (the classes are not theirs);
 * - `'fashion'`: the Fréchet distance in the 128-d features of `@gankit/metrics`'
 *   `fashionClassifier` (trained on the real Fashion-MNIST images), the Fashion-MNIST counterpart of
 *   the MNIST FID: 10,000 training images score 0.72 against the 10,000 test images.
 */
export type ImageMetric = 'mnist' | 'digit-features' | 'fashion';

/** A new instance of the classifier whose features `metric` compares (the caller disposes it). */
export function metricClassifier(metric: ImageMetric): DigitClassifier {
  return metric === 'fashion' ? fashionClassifier() : digitClassifier();
}

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
 * Feature statistics (mean and covariance of the 128-d features of the classifier of
 * `options.metric`, default the digit classifier) of the first `max` images of `real` (default
 * {@link MAX_REAL_IMAGES}).
 */
export function realFeatureStatistics(
  real: RealImages,
  options: { max?: number | undefined; progress?: boolean | undefined; metric?: ImageMetric | undefined } = {},
): GaussianStatistics {
  checkDigitShape(real.sampleShape, 'realFeatureStatistics');
  const n = Math.min(real.size, options.max ?? MAX_REAL_IMAGES);
  const clf = metricClassifier(options.metric ?? 'mnist');
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

/** Length of the digit classifier's feature vector. */
const FEATURE_DIM = 128;

/**
 * The 128-d features (of the classifier of `options.metric`, default the digit classifier) of `max`
 * images of `real` (default 1,000) spread evenly over it (image `floor(j · size / max)` for row j:
 * stored data sets such as `mnistDigits` are grouped by class), row-major: the real set of
 * {@link evaluateImages}' precision and recall.
 */
export function realFeatureRows(
  real: RealImages,
  options: { max?: number | undefined; metric?: ImageMetric | undefined } = {},
): Float32Array {
  checkDigitShape(real.sampleShape, 'realFeatureRows');
  const n = Math.min(real.size, options.max ?? 1000);
  const clf = metricClassifier(options.metric ?? 'mnist');
  const rows = new Float32Array(n * FEATURE_DIM);
  try {
    for (let i = 0; i < n; i += 500) {
      const b = Math.min(500, n - i);
      const pixels = new Float32Array(b * 784);
      for (let j = 0; j < b; j++) {
        const src = Math.floor(((i + j) * real.size) / n);
        pixels.set(real.data.subarray(src * 784, (src + 1) * 784), j * 784);
      }
      const feats = tf.tidy(() => clf.features(tf.tensor(pixels, [b, 28, 28, 1])));
      rows.set(feats.dataSync(), i * FEATURE_DIM);
      feats.dispose();
    }
  } finally {
    clf.dispose();
  }
  return rows;
}

/** What {@link evaluateImages} reports. */
export interface ImageScores {
  /** MNIST FID (`'mnist'` metric) against the real statistics. */
  readonly fid?: number | undefined;
  /** MNIST score: mean and std over 10 splits (`'mnist'` metric). */
  readonly inceptionScore?: { readonly mean: number; readonly std: number } | undefined;
  /** Fréchet distance in the digit classifier's feature space (`'digit-features'` metric). */
  readonly frechetDistanceDigitFeatures?: number | undefined;
  /** Fréchet distance in the Fashion-MNIST classifier's feature space (`'fashion'` metric). */
  readonly frechetDistanceFashionFeatures?: number | undefined;
  /** Conditional generators: fraction of samples the metric's classifier puts in the class asked for. */
  readonly labelAccuracy?: number | undefined;
  /** Improved precision (Kynkäänniemi et al. 2019, k = 3, the metric's classifier features), when real feature rows were given. */
  readonly precision?: number | undefined;
  /** Improved recall, likewise. */
  readonly recall?: number | undefined;
  /** Samples scored. */
  readonly samples: number;
}

/**
 * Scores `samples` images from a generator against real feature statistics (made by
 * {@link realFeatureStatistics} with the same `metric`), in batches of 100 with a progress bar.
 * The latent points come from `RandomSource(seed)`, so the raw and averaged weights of a run are
 * scored on the same z. Conditional generators get labels `i mod numClasses`.
 * With `realFeatures` (rows from {@link realFeatureRows}) it also reports improved precision and
 * recall (k = 3) of the samples' features against those rows.
 */
export function evaluateImages(
  sampler: GeneratorSampler,
  real: GaussianStatistics,
  metric: ImageMetric,
  options: EvaluateOptions & { samples: number; realFeatures?: Float32Array | undefined },
): ImageScores {
  const n = options.samples;
  if (!Number.isInteger(n) || n < 10) throw new GankitError('config', `evaluateImages: samples must be an integer >= 10, got ${n}`);
  checkDigitShape(sampler.network.outputShape, 'evaluateImages');
  const random = new RandomSource(options.seed);
  const clf = metricClassifier(metric);
  const feats = new FeatureStatistics();
  const probs = new Float32Array(n * 10);
  const rows = options.realFeatures ? new Float32Array(n * FEATURE_DIM) : undefined;
  let correct = 0;
  const bar =
    options.progress === false ? undefined : new Progress({ total: n, label: `evaluate${options.label ? ` ${options.label}` : ''}` });
  try {
    for (let i = 0; i < n; i += EVAL_BATCH) {
      const b = Math.min(EVAL_BATCH, n - i);
      const labels = sampler.numClasses ? Int32Array.from({ length: b }, (_, k) => (i + k) % sampler.numClasses!) : undefined;
      const z = sampler.latent ? sampler.latent(b, random) : random.normal([b, ...sampler.latentShape]);
      const [f, p] = tf.tidy(() => {
        const x = sampler.sample(z, labels ? tf.tensor1d(labels, 'int32') : undefined);
        return [clf.features(x), clf.probs(x)];
      });
      z.dispose();
      feats.add(f as tf.Tensor2D);
      rows?.set(f.dataSync(), i * FEATURE_DIM);
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
  } else if (metric === 'fashion') {
    out.frechetDistanceFashionFeatures = fd;
  } else {
    out.frechetDistanceDigitFeatures = fd;
  }
  if (sampler.numClasses) out.labelAccuracy = correct / n;
  if (rows && options.realFeatures) {
    const pr = precisionRecall(options.realFeatures, rows, { k: 3, dim: FEATURE_DIM });
    out.precision = pr.precision;
    out.recall = pr.recall;
  }
  return out;
}

/** Rounds a JSON number for metrics files (6 significant digits). */
export function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : v;
}

/** Image scores as JSON for metrics.json and eval.json (numbers rounded to 6 significant digits). */
export function scoresJson(s: ImageScores): { [key: string]: JsonValue } {
  const o: { [key: string]: JsonValue } = { samples: s.samples };
  if (s.fid !== undefined) o.fid = round(s.fid);
  if (s.inceptionScore) o.inceptionScore = { mean: round(s.inceptionScore.mean), std: round(s.inceptionScore.std) };
  if (s.frechetDistanceDigitFeatures !== undefined) o.frechetDistanceDigitFeatures = round(s.frechetDistanceDigitFeatures);
  if (s.frechetDistanceFashionFeatures !== undefined) o.frechetDistanceFashionFeatures = round(s.frechetDistanceFashionFeatures);
  if (s.labelAccuracy !== undefined) o.labelAccuracy = round(s.labelAccuracy);
  if (s.precision !== undefined) o.precision = round(s.precision);
  if (s.recall !== undefined) o.recall = round(s.recall);
  return o;
}

/** Image scores as a short line for the terminal (`FID 12.3, IS 8.12`). */
export function scoresLine(s: ImageScores): string {
  const parts: string[] = [];
  if (s.fid !== undefined) parts.push(`FID ${s.fid.toFixed(1)}`);
  if (s.inceptionScore) parts.push(`IS ${s.inceptionScore.mean.toFixed(2)}`);
  if (s.frechetDistanceDigitFeatures !== undefined) parts.push(`FD ${s.frechetDistanceDigitFeatures.toFixed(1)}`);
  if (s.frechetDistanceFashionFeatures !== undefined) parts.push(`Fashion FD ${s.frechetDistanceFashionFeatures.toFixed(2)}`);
  if (s.labelAccuracy !== undefined) parts.push(`label accuracy ${(s.labelAccuracy * 100).toFixed(0)}%`);
  if (s.precision !== undefined && s.recall !== undefined) parts.push(`precision ${s.precision.toFixed(2)}, recall ${s.recall.toFixed(2)}`);
  return parts.join(', ');
}
