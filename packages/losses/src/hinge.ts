import * as tf from '@tensorflow/tfjs-core';
import type { LossPair } from '@gankit/core';
import { checkOutput, checkPair } from './validate';

/**
 * Hinge discriminator loss (Lim & Ye 2017; used by SNGAN, SAGAN, BigGAN):
 * `E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]`.
 *
 * @param realOutput - D's raw outputs on real data, `[batch, ...]`, float32
 * @param fakeOutput - D's raw outputs on generated data, same rank and trailing dimensions
 * @returns the scalar that D minimises
 */
export function hingeDiscriminatorLoss(realOutput: tf.Tensor, fakeOutput: tf.Tensor): tf.Scalar {
  const fn = 'hingeDiscriminatorLoss';
  checkOutput(realOutput, 'realOutput', fn);
  checkOutput(fakeOutput, 'fakeOutput', fn);
  checkPair(realOutput, fakeOutput, fn);
  return tf.tidy(() =>
    tf.add(tf.mean(tf.relu(tf.sub(tf.scalar(1), realOutput))), tf.mean(tf.relu(tf.add(tf.scalar(1), fakeOutput)))),
  ) as tf.Scalar;
}

/**
 * Hinge generator loss: `−E[D(G(z))]` (the same as {@link wassersteinGeneratorLoss}).
 *
 * @param fakeOutput - D's raw outputs on generated data, `[batch, ...]`, float32
 * @returns the scalar that G minimises
 */
export function hingeGeneratorLoss(fakeOutput: tf.Tensor): tf.Scalar {
  checkOutput(fakeOutput, 'fakeOutput', 'hingeGeneratorLoss');
  return tf.tidy(() => tf.neg(tf.mean(fakeOutput))) as tf.Scalar;
}

/**
 * The hinge loss pair: {@link hingeDiscriminatorLoss} and {@link hingeGeneratorLoss}.
 * Outputs are raw scores (`probabilistic: false`).
 */
export const hinge: LossPair = Object.freeze({
  name: 'hinge',
  probabilistic: false,
  discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) => hingeDiscriminatorLoss(realOutput, fakeOutput),
  generator: (fakeOutput: tf.Tensor) => hingeGeneratorLoss(fakeOutput),
});
