import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { digitClassifier } from './digit-classifier';
import { fashionClassifier } from './fashion-classifier';
import type { FeatureExtractor, ImageClassifier } from './feature-extractor';
import { FeatureStatistics } from './feature-statistics';
import { frechetDistance, type GaussianStatistics } from './frechet';
import { inceptionScore, type ScoreWithStd } from './inception-score';

/**
 * A batch of images: a float32 tensor `[n, h, w, c]` (read, never disposed), or for 28×28 grey
 * images also `[n, 28, 28]`, `[n, 784]` or a row-major `Float32Array` of `n · 784` values.
 */
export type Images = tf.Tensor | Float32Array;

/** Options of {@link extractFeatureStatistics}. */
export interface ExtractOptions {
  /** Images per forward pass. Default 250. */
  batchSize?: number | undefined;
}

function toImageTensor(images: Images, what: string): { t: tf.Tensor; owned: boolean } {
  if (images instanceof Float32Array) {
    if (images.length % 784 !== 0)
      throw new GankitError('shape', `${what}: a Float32Array of images needs a multiple of 784 (28·28) values, got ${images.length}`);
    return { t: tf.tensor4d(images, [images.length / 784, 28, 28, 1]), owned: true };
  }
  if (!(images instanceof tf.Tensor))
    throw new GankitError('argument', `${what}: expected images as a tf.Tensor [n, h, w, c] or a Float32Array`);
  if (images.rank < 2) throw new GankitError('shape', `${what}: expected a batch of images [n, h, w, c], got ${formatShape(images.shape)}`);
  return { t: images, owned: false };
}

function checkBatchSize(b: number, what: string): void {
  if (!Number.isInteger(b) || b < 1) throw new GankitError('value', `${what}: batchSize must be a positive integer, got ${b}`);
}

/**
 * Runs `fn` on consecutive batches of `images` and returns the concatenated rows as float32 (read
 * back batch by batch so that only one batch's tensors live at a time).
 */
function mapBatches(
  images: Images,
  batchSize: number,
  what: string,
  fn: (x: tf.Tensor) => tf.Tensor2D,
  each: (rows: Float32Array, dim: number) => void,
): number {
  checkBatchSize(batchSize, what);
  const { t, owned } = toImageTensor(images, what);
  try {
    const n = t.shape[0];
    if (n === 0) throw new GankitError('shape', `${what}: got no images`);
    for (let i = 0; i < n; i += batchSize) {
      const m = Math.min(batchSize, n - i);
      const out = tf.tidy(() => {
        const begin = t.shape.map((_, k) => (k === 0 ? i : 0));
        const size = t.shape.map((d, k) => (k === 0 ? m : d));
        return fn(tf.slice(t, begin, size));
      });
      try {
        each(out.dataSync() as Float32Array, out.shape[1]);
      } finally {
        out.dispose();
      }
    }
    return n;
  } finally {
    if (owned) t.dispose();
  }
}

/**
 * Feature statistics (float64 mean and covariance) of a set of images under any
 * {@link FeatureExtractor}, computed batch by batch: the real-data statistics that
 * {@link fidPlugin} compares against, or one side of a FID.
 *
 * @example
 * ```ts
 * const clf = digitClassifier();
 * const real = extractFeatureStatistics(clf, realImages).statistics();
 * ```
 */
export function extractFeatureStatistics(extractor: FeatureExtractor, images: Images, options: ExtractOptions = {}): FeatureStatistics {
  const stats = new FeatureStatistics(extractor.featureDim);
  mapBatches(
    images,
    options.batchSize ?? 250,
    'extractFeatureStatistics',
    (x) => extractor.features(x),
    (rows, dim) => stats.add({ data: rows, dim }),
  );
  return stats;
}

/** Options of {@link mnistScore}. */
export interface MnistScoreOptions extends ExtractOptions {
  /** Splits of consecutive images, as {@link inceptionScore}. Default 10. */
  splits?: number | undefined;
  /** The classifier; default the bundled {@link digitClassifier} (made and freed per call). */
  classifier?: ImageClassifier | undefined;
}

/**
 * The MNIST score (TF-GAN's `mnist_score`): the Inception Score computed with the probabilities of
 * the small digit classifier instead of Inception, `exp(E KL(p(y|x) ‖ p(y)))`. 10 for confident,
 * evenly spread digits; 1 for a generator that always draws the same thing. The bundled
 * classifier's value on the real test digits is in the README.
 *
 * @param images - 28×28 grey images in [-1, 1]: `[n, 28, 28, 1]`, `[n, 28, 28]`, `[n, 784]` or a Float32Array
 */
export function mnistScore(images: Images, options: MnistScoreOptions = {}): ScoreWithStd {
  const clf = options.classifier ?? digitClassifier();
  try {
    const chunks: Float32Array[] = [];
    let k = 0;
    const n = mapBatches(
      images,
      options.batchSize ?? 250,
      'mnistScore',
      (x) => clf.probs(x),
      (rows, dim) => {
        chunks.push(rows.slice());
        k = dim;
      },
    );
    const all = new Float32Array(n * k);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    return inceptionScore({ data: all, dim: k }, { splits: options.splits ?? 10 });
  } finally {
    if (!options.classifier) clf.dispose();
  }
}

/** Options of {@link mnistFrechetDistance}. */
export interface MnistFrechetOptions extends ExtractOptions {
  /** The feature extractor; default the bundled {@link digitClassifier} (made and freed per call). */
  classifier?: FeatureExtractor | undefined;
}

/**
 * The Fréchet distance between two sets of 28×28 grey images in the 128-d feature space of the
 * bundled digit classifier (its penultimate layer), the MNIST analogue of FID. Either side may be
 * images or precomputed statistics (`{ mean, covariance }`, e.g. from {@link extractFeatureStatistics}).
 * The README lists reference values (real train vs. real test digits, real vs. noise).
 */
export function mnistFrechetDistance(
  a: Images | GaussianStatistics,
  b: Images | GaussianStatistics,
  options: MnistFrechetOptions = {},
): number {
  return classifierFrechetDistance(a, b, options, digitClassifier);
}

/** Options of {@link fashionFrechetDistance}. */
export interface FashionFrechetOptions extends ExtractOptions {
  /** The feature extractor; default the bundled {@link fashionClassifier} (made and freed per call). */
  classifier?: FeatureExtractor | undefined;
}

/**
 * The Fréchet distance between two sets of 28×28 grey images in the 128-d feature space of the
 * bundled Fashion-MNIST classifier ({@link fashionClassifier}, its penultimate layer): the
 * Fashion-MNIST analogue of FID, computed exactly as {@link mnistFrechetDistance}. Either side may
 * be images in [-1, 1] or precomputed statistics (`{ mean, covariance }`, e.g. from
 * {@link extractFeatureStatistics} with `fashionClassifier()`). The README lists reference values
 * (real train vs. real t10k test images, real vs. noise).
 *
 * @example
 * ```ts
 * const fd = fashionFrechetDistance(generated, fashionMnist({ split: 'test' }).batchAt(range(10000)).x);
 * ```
 */
export function fashionFrechetDistance(
  a: Images | GaussianStatistics,
  b: Images | GaussianStatistics,
  options: FashionFrechetOptions = {},
): number {
  return classifierFrechetDistance(a, b, options, fashionClassifier);
}

/** The Fréchet distance in the features of `options.classifier`, else of a fresh `makeDefault()` (freed after). */
function classifierFrechetDistance(
  a: Images | GaussianStatistics,
  b: Images | GaussianStatistics,
  options: MnistFrechetOptions,
  makeDefault: () => ImageClassifier,
): number {
  const clf = options.classifier ?? makeDefault();
  try {
    const stats = (x: Images | GaussianStatistics): GaussianStatistics =>
      x instanceof tf.Tensor || x instanceof Float32Array ? extractFeatureStatistics(clf, x, options).statistics() : x;
    return frechetDistance(stats(a), stats(b));
  } finally {
    if (!options.classifier) (clf as ImageClassifier).dispose();
  }
}
