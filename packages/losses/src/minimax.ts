import * as tf from '@tensorflow/tfjs-core';
import type { LossPair } from '@gankit/core';
import { checkOutput, checkPair } from './validate';

/**
 * Discriminator loss of the original minimax GAN (Goodfellow et al. 2014), from logits:
 * `−E[log σ(r)] − E[log(1 − σ(f))] = E[softplus(−r)] + E[softplus(f)]`.
 * Shared by the minimax and non-saturating losses. Computed with softplus, never `log(sigmoid(x))`,
 * so it stays finite for logits of any size.
 *
 * @param realOutput - D's logits on real data, `[batch, ...]`, float32
 * @param fakeOutput - D's logits on generated data, same rank and trailing dimensions
 * @returns the scalar that D minimises (each expectation a mean over all elements)
 */
export function minimaxDiscriminatorLoss(realOutput: tf.Tensor, fakeOutput: tf.Tensor): tf.Scalar {
  const fn = 'minimaxDiscriminatorLoss';
  checkOutput(realOutput, 'realOutput', fn);
  checkOutput(fakeOutput, 'fakeOutput', fn);
  checkPair(realOutput, fakeOutput, fn);
  return tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(realOutput))), tf.mean(tf.softplus(fakeOutput)))) as tf.Scalar;
}

/**
 * Generator loss of the original minimax game, from logits: `E[log(1 − σ(f))] = −E[softplus(f)]`.
 * Its gradient vanishes when D confidently rejects the fakes (`σ(f) → 0`), which is why
 * {@link nonSaturatingGeneratorLoss} is used in practice; it is offered for completeness and study.
 *
 * @param fakeOutput - D's logits on generated data, `[batch, ...]`, float32
 * @returns the scalar that G minimises
 */
export function minimaxGeneratorLoss(fakeOutput: tf.Tensor): tf.Scalar {
  checkOutput(fakeOutput, 'fakeOutput', 'minimaxGeneratorLoss');
  return tf.tidy(() => tf.neg(tf.mean(tf.softplus(fakeOutput)))) as tf.Scalar;
}

/**
 * Non-saturating generator loss (Goodfellow et al. 2014, §3), from logits:
 * `−E[log σ(f)] = E[softplus(−f)]`. Its gradient stays large while D rejects the fakes.
 *
 * @param fakeOutput - D's logits on generated data, `[batch, ...]`, float32
 * @returns the scalar that G minimises
 */
export function nonSaturatingGeneratorLoss(fakeOutput: tf.Tensor): tf.Scalar {
  checkOutput(fakeOutput, 'fakeOutput', 'nonSaturatingGeneratorLoss');
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(fakeOutput)))) as tf.Scalar;
}

/**
 * The minimax loss pair: {@link minimaxDiscriminatorLoss} and {@link minimaxGeneratorLoss}.
 * Discriminator outputs are logits (`probabilistic: true`).
 */
export const minimax: LossPair = Object.freeze({
  name: 'minimax',
  probabilistic: true,
  discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) => minimaxDiscriminatorLoss(realOutput, fakeOutput),
  generator: (fakeOutput: tf.Tensor) => minimaxGeneratorLoss(fakeOutput),
});

/**
 * The non-saturating loss pair: {@link minimaxDiscriminatorLoss} and
 * {@link nonSaturatingGeneratorLoss}. Discriminator outputs are logits (`probabilistic: true`).
 */
export const nonSaturating: LossPair = Object.freeze({
  name: 'non-saturating',
  probabilistic: true,
  discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) => minimaxDiscriminatorLoss(realOutput, fakeOutput),
  generator: (fakeOutput: tf.Tensor) => nonSaturatingGeneratorLoss(fakeOutput),
});
