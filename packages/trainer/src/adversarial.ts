// The adversarial part of a discriminator's output, shape checks and label draws shared by games.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type Network, type RandomSource } from '@gankit/core';

/**
 * `n` class labels drawn uniformly from `0 .. numClasses-1` (int32 `[n]`) with a seeded source.
 * The caller disposes the tensor.
 */
export function sampleUniformLabels(n: number, numClasses: number, random: RandomSource): tf.Tensor1D {
  if (!Number.isInteger(numClasses) || numClasses <= 0)
    throw new GankitError('config', `numClasses must be a positive integer, got ${numClasses}`);
  const next = random.floats('labels');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(numClasses - 1, Math.floor(next() * numClasses));
  return tf.tensor1d(out, 'int32');
}

/** @internal */
export function checkPositiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new GankitError('config', `${name} must be a positive integer, got ${v}`);
  return v;
}

/** @internal */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Whether a per-example output shape can feed an adversarial loss: one value (`[]`, `[1]`) or a
 * map of values with one channel (`[h, w, 1]`, PatchGAN), whose elements the losses average.
 */
export function isAdversarialShape(perExample: readonly number[]): boolean {
  return perExample.reduce((a, b) => a * b, 1) === 1 || (perExample.length >= 2 && perExample[perExample.length - 1] === 1);
}

/**
 * Checks a discriminator's per-example output shape for an adversarial loss (see
 * {@link isAdversarialShape}) when no `adversarialOutput` picks a part of it.
 * @internal
 */
export function checkDiscriminatorOutput(discriminator: Network, hasSelector: boolean): void {
  if (hasSelector || isAdversarialShape(discriminator.outputShape)) return;
  throw new GankitError(
    'shape',
    `discriminator '${discriminator.name}' outputs ${formatShape(discriminator.outputShape)} per example, but the adversarial loss needs one value per example ([1]) or a patch map with one channel ([h, w, 1]); for a multi-head discriminator (e.g. ACGAN's [1+K]) pass \`adversarialOutput\` to pick the adversarial part (e.g. acganAdversarialOutput)`,
  );
}

/**
 * Applies an `adversarialOutput` selector and checks its result: `[batch, ...]` with one value or
 * one channel per example.
 * @internal
 */
export function selectAdversarial(select: ((o: tf.Tensor) => tf.Tensor) | undefined, output: tf.Tensor, name: string): tf.Tensor {
  if (!select) return output;
  const adv = select(output);
  if (!(adv instanceof tf.Tensor) || adv.rank < 1 || adv.shape[0] !== output.shape[0] || !isAdversarialShape(adv.shape.slice(1))) {
    const got = adv instanceof tf.Tensor ? formatShape(adv.shape) : typeof adv;
    throw new GankitError(
      'shape',
      `adversarialOutput turned discriminator '${name}''s output ${formatShape(output.shape)} into ${got}; expected [${output.shape[0]}, 1] (one value per example) or a patch map [${output.shape[0]}, ..., 1]`,
    );
  }
  return adv;
}

/**
 * The logged mean of a discriminator output: a probability for probabilistic losses, the raw
 * critic output otherwise.
 * @internal
 */
export function outputMean(loss: { readonly probabilistic: boolean }, out: tf.Tensor): tf.Scalar {
  return loss.probabilistic ? tf.mean(tf.sigmoid(out)) : tf.mean(out);
}
