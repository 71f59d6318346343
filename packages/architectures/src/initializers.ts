import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { RandomSource } from '@gankit/core';

/**
 * Makes a weight's initial value. Every random draw comes from the given `RandomSource`, so the
 * same seed gives bit-identical weights on every backend (tfjs draws random numbers in JavaScript).
 * The caller owns the returned tensor.
 */
export type Initializer = (shape: readonly number[], random: RandomSource) => tf.Tensor;

/** Fan-in and fan-out of a weight, as Keras computes them. */
export interface Fans {
  /** Number of inputs that feed one output unit. */
  readonly fanIn: number;
  /** Number of outputs one input unit feeds. */
  readonly fanOut: number;
}

/**
 * Fan-in and fan-out of a weight from its shape, Keras's way: a dense kernel `[in, out]` gives
 * `(in, out)`; a conv kernel `[kh, kw, a, b]` gives `(kh·kw·a, kh·kw·b)` (for tfjs's transposed
 * convolution kernel `[kh, kw, out, in]` the two are swapped, as in Keras); a vector `[n]` gives `(n, n)`.
 */
export function computeFans(shape: readonly number[]): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return { fanIn: receptive * shape[shape.length - 2], fanOut: receptive * shape[shape.length - 1] };
}

function checkFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new GankitError('config', `${what} must be a finite number, got ${value}`);
}

/**
 * Glorot (Xavier) uniform: values uniform in `[-l, l]` with `l = sqrt(6 / (fanIn + fanOut))`.
 * The default for kernels.
 */
export function glorotUniform(): Initializer {
  return (shape, random) => {
    const { fanIn, fanOut } = computeFans(shape);
    const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
    return random.uniform([...shape], -limit, limit, 'glorot-uniform');
  };
}

/** Standard deviation of a unit normal truncated to ±2, by which He normal's draw is rescaled. */
const TRUNCATED_STD = 0.8796256610342398;

/**
 * He normal (Kaiming): a normal truncated at two standard deviations, rescaled so that the values'
 * standard deviation is `sqrt(2 / fanIn)` (as Keras does), suited to ReLU networks.
 */
export function heNormal(): Initializer {
  return (shape, random) => {
    const { fanIn } = computeFans(shape);
    const std = Math.sqrt(2 / Math.max(1, fanIn)) / TRUNCATED_STD;
    return tf.truncatedNormal([...shape], 0, std, 'float32', random.nextSeed('he-normal'));
  };
}

/**
 * Normal `N(mean, std²)`; `normal(0, 0.02)` is DCGAN's initialisation (Radford et al., 2015).
 *
 * @param mean - the mean (default 0)
 * @param std - the standard deviation, > 0 (default 0.02)
 */
export function normal(mean = 0, std = 0.02): Initializer {
  checkFinite(mean, 'normal: mean');
  checkFinite(std, 'normal: std');
  if (std <= 0) throw new GankitError('config', `normal: std must be > 0, got ${std}`);
  return (shape, random) => random.normal([...shape], mean, std, 'normal-init');
}

/** Every value `value`. */
export function constant(value: number): Initializer {
  checkFinite(value, 'constant: value');
  return (shape) => tf.fill([...shape], value, 'float32');
}

/** Every value 0 (the default for biases and batch norm's beta). */
export function zeros(): Initializer {
  return constant(0);
}

/** Every value 1 (the default for batch norm's gamma). */
export function ones(): Initializer {
  return constant(1);
}
