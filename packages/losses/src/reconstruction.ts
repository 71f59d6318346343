import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { checkOutput } from './validate';

/** Mean absolute difference of two float tensors of exactly the same shape. @internal */
export function meanAbsoluteError(a: tf.Tensor, b: tf.Tensor, names: [string, string], fn: string): tf.Scalar {
  checkOutput(a, names[0], fn);
  checkOutput(b, names[1], fn);
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new GankitError(
      'shape',
      `${fn}: ${names[0]} ${formatShape(a.shape)} and ${names[1]} ${formatShape(b.shape)} must have the same shape`,
    );
  }
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b)))) as tf.Scalar;
}

/**
 * Cycle-consistency loss of CycleGAN (Zhu et al. 2017): the L1 distance `E[|x − F(G(x))|]`,
 * averaged over every element. Multiply by the cycle weight (λ = 10 in the paper) yourself.
 *
 * @param x - a batch from one domain, `[batch, ...]`, float32
 * @param reconstructed - the same batch mapped to the other domain and back; the same shape as `x`
 * @returns the mean absolute difference
 * @throws GankitError (`'shape'`) when the shapes differ
 */
export function cycleConsistencyLoss(x: tf.Tensor, reconstructed: tf.Tensor): tf.Scalar {
  return meanAbsoluteError(x, reconstructed, ['x', 'reconstructed'], 'cycleConsistencyLoss');
}

/**
 * Identity loss of CycleGAN: `E[|y − G(y)|]`, where `G` maps into `y`'s own domain, so that it
 * learns to leave such inputs (and their colours) alone. Averaged over every element.
 *
 * @param x - a batch from the target domain of the mapping, `[batch, ...]`, float32
 * @param mapped - the mapping applied to `x`; the same shape as `x`
 * @returns the mean absolute difference
 * @throws GankitError (`'shape'`) when the shapes differ
 */
export function identityLoss(x: tf.Tensor, mapped: tf.Tensor): tf.Scalar {
  return meanAbsoluteError(x, mapped, ['x', 'mapped'], 'identityLoss');
}
