import * as tf from '@tensorflow/tfjs-core';
import { GankitError, ensureGradients, formatShape } from '@gankit/core';
import type { StepContext } from '@gankit/core';

/**
 * Per-example squared norm `‖∇ₓ D(x)‖²` of the discriminator's gradient with respect to its
 * input, as a `[batch]` tensor. Computed with `tf.grad` of `sum(D(x))` (examples are independent
 * unless D mixes them, e.g. with batch norm), so the result stays differentiable with respect to
 * D's variables: penalties built on it train D through second-order gradients.
 *
 * "D" is the part of the discriminator's output that the adversarial loss sees
 * ({@link StepContext.adversarial}): column 0 of an ACGAN discriminator, not its class logits; the
 * whole output (summed over a patch map) otherwise. `labels` are the class labels D is given in a
 * conditional run (default: the real batch's).
 */
export function inputGradientSquaredNorms(s: StepContext, x: tf.Tensor, labels?: tf.Tensor): tf.Tensor1D {
  ensureGradients();
  const gradient = tf.grad((input: tf.Tensor) => {
    const out = s.discriminate(input, labels);
    return tf.sum(s.adversarial(out));
  })(x);
  const axes = Array.from({ length: gradient.rank - 1 }, (_, i) => i + 1);
  const sq = tf.square(gradient);
  return (axes.length ? tf.sum(sq, axes) : sq) as tf.Tensor1D;
}

/** Checks a finite, non-negative number option. */
export function checkNonNegative(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new GankitError('config', `${what} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

/** Checks a float32 batch with at least one example. */
export function checkBatch(x: tf.Tensor, what: string): void {
  if (!(x instanceof tf.Tensor)) throw new GankitError('argument', `${what} must be a tensor`);
  if (x.rank < 1 || x.shape[0] < 1)
    throw new GankitError('shape', `${what} must be a batch [batch, ...] with batch >= 1, got shape ${formatShape(x.shape)}`);
  if (x.dtype !== 'float32') throw new GankitError('dtype', `${what} must be float32, got ${x.dtype}`);
}
