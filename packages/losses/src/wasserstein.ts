import * as tf from '@tensorflow/tfjs-core';
import type { LossPair } from '@gankit/core';
import { checkOutput, checkPair } from './validate';

/**
 * Wasserstein critic loss (Arjovsky et al. 2017): `E[C(G(z))] − E[C(x)]`. The critic must be kept
 * (approximately) 1-Lipschitz by weight clipping, a gradient penalty or spectral norm.
 *
 * @param realOutput - critic values on real data, `[batch, ...]`, float32
 * @param fakeOutput - critic values on generated data, same rank and trailing dimensions
 * @returns the scalar that the critic minimises
 */
export function wassersteinDiscriminatorLoss(realOutput: tf.Tensor, fakeOutput: tf.Tensor): tf.Scalar {
  const fn = 'wassersteinDiscriminatorLoss';
  checkOutput(realOutput, 'realOutput', fn);
  checkOutput(fakeOutput, 'fakeOutput', fn);
  checkPair(realOutput, fakeOutput, fn);
  return tf.tidy(() => tf.sub(tf.mean(fakeOutput), tf.mean(realOutput))) as tf.Scalar;
}

/**
 * Wasserstein generator loss: `−E[C(G(z))]`. Also the generator loss of the hinge GAN.
 *
 * @param fakeOutput - critic values on generated data, `[batch, ...]`, float32
 * @returns the scalar that G minimises
 */
export function wassersteinGeneratorLoss(fakeOutput: tf.Tensor): tf.Scalar {
  checkOutput(fakeOutput, 'fakeOutput', 'wassersteinGeneratorLoss');
  return tf.tidy(() => tf.neg(tf.mean(fakeOutput))) as tf.Scalar;
}

/**
 * The Wasserstein loss pair: {@link wassersteinDiscriminatorLoss} and
 * {@link wassersteinGeneratorLoss}. Outputs are critic values (`probabilistic: false`).
 */
export const wasserstein: LossPair = Object.freeze({
  name: 'wasserstein',
  probabilistic: false,
  discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) => wassersteinDiscriminatorLoss(realOutput, fakeOutput),
  generator: (fakeOutput: tf.Tensor) => wassersteinGeneratorLoss(fakeOutput),
});
