// GAN-CLS and GAN-INT (Reed et al. 2016, "Generative Adversarial Text to Image Synthesis"): the
// matching-aware discriminator loss and the interpolated text embeddings, as pure functions.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type LossPair } from '@gankit/core';
import { checkOutput, checkPair, describe } from './validate';

function checkWeight(weight: number, fn: string, what: string): void {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
    throw new GankitError('config', `${fn}: ${what} must be a number in [0, 1], got ${String(weight)}`);
  }
}

function checkLoss(loss: LossPair, fn: string): void {
  if (loss == null || typeof loss.discriminator !== 'function') {
    throw new GankitError('argument', `${fn}: loss must be a LossPair (with a discriminator function), got ${describe(loss)}`);
  }
}

/**
 * The matching-aware discriminator loss of GAN-CLS (Reed et al. 2016, Algorithm 1): D scores three
 * kinds of pairs, `s_r = D(x, h)` (real image, its own caption), `s_w = D(x, ĥ)` (real image, a
 * mismatched caption) and `s_f = D(x̂, h)` (generated image, the caption it was made from), and
 * maximises `log s_r + ½(log(1 − s_w) + log(1 − s_f))`: a mismatched pair counts as fake.
 *
 * For any loss pair `ℓ_D(r, f)` this returns
 * `(1 − mismatchWeight)·ℓ_D(r, f) + mismatchWeight·ℓ_D(r, w)`. For the separable losses
 * (`ℓ_D(r, f) = A(r) + B(f)`: minimax, non-saturating, least squares, Wasserstein, hinge, the
 * f-GANs) that is `A(r) + (1 − λ)·B(f) + λ·B(w)`, so the default `mismatchWeight` ½ is exactly the
 * paper's objective (Algorithm 1, line 9, written as a loss to minimise). For the relativistic
 * losses, which compare real outputs with the mean of the fake ones, it is the average of two
 * comparisons (real against fake, real against mismatched), a natural reading that the paper does
 * not cover.
 *
 * @param loss - the adversarial loss pair
 * @param realOutput - `s_r`: D's adversarial output on real images with their captions, `[batch, ...]`
 * @param mismatchedOutput - `s_w`: D's output on the same real images with mismatched captions
 * @param fakeOutput - `s_f`: D's output on generated images with their captions
 * @param mismatchWeight - λ, the share of the fake side given to mismatched pairs (default ½)
 * @returns D's loss, a scalar to minimise
 * @throws GankitError naming the bad argument
 */
export function ganClsDiscriminatorLoss(
  loss: LossPair,
  realOutput: tf.Tensor,
  mismatchedOutput: tf.Tensor,
  fakeOutput: tf.Tensor,
  mismatchWeight = 0.5,
): tf.Scalar {
  const fn = 'ganClsDiscriminatorLoss';
  checkArgs(fn, loss, realOutput, mismatchedOutput, fakeOutput, mismatchWeight);
  return tf.tidy(() =>
    tf.add(
      tf.mul(1 - mismatchWeight, loss.discriminator(realOutput, fakeOutput)),
      tf.mul(mismatchWeight, loss.discriminator(realOutput, mismatchedOutput)),
    ),
  ) as tf.Scalar;
}

/**
 * What GAN-CLS adds to a discriminator loss that already holds `ℓ_D(r, f)` (as a trainer's does):
 * `λ·(ℓ_D(r, w) − ℓ_D(r, f))`, so that the sum is {@link ganClsDiscriminatorLoss}. Arguments as
 * there.
 */
export function ganClsMismatchTerm(
  loss: LossPair,
  realOutput: tf.Tensor,
  mismatchedOutput: tf.Tensor,
  fakeOutput: tf.Tensor,
  mismatchWeight = 0.5,
): tf.Scalar {
  const fn = 'ganClsMismatchTerm';
  checkArgs(fn, loss, realOutput, mismatchedOutput, fakeOutput, mismatchWeight);
  return tf.tidy(() =>
    tf.mul(mismatchWeight, tf.sub(loss.discriminator(realOutput, mismatchedOutput), loss.discriminator(realOutput, fakeOutput))),
  ) as tf.Scalar;
}

function checkArgs(fn: string, loss: LossPair, r: tf.Tensor, w: tf.Tensor, f: tf.Tensor, weight: number): void {
  checkLoss(loss, fn);
  checkOutput(r, 'realOutput', fn);
  checkOutput(w, 'mismatchedOutput', fn);
  checkOutput(f, 'fakeOutput', fn);
  checkPair(r, f, fn);
  checkPair(r, w, fn);
  checkWeight(weight, fn, 'mismatchWeight');
}

/**
 * GAN-INT's interpolated text embeddings (Reed et al. 2016, Eq. 5): `β·t₁ + (1 − β)·t₂`, rows of
 * two batches of caption embeddings `[batch, d]`. The generator is trained to fool D on
 * `G(z, β·t₁ + (1 − β)·t₂)` as well, which fills the embedding space between captions; β = ½ in
 * the paper.
 *
 * @param t1 - embeddings `[batch, d]`, float32
 * @param t2 - embeddings of the same shape
 * @param beta - the weight of `t1`, in [0, 1] (default ½)
 * @returns the interpolated embeddings `[batch, d]` (the caller disposes them)
 * @throws GankitError when the shapes differ or β is outside [0, 1]
 */
export function interpolateEmbeddings(t1: tf.Tensor, t2: tf.Tensor, beta = 0.5): tf.Tensor {
  const fn = 'interpolateEmbeddings';
  checkOutput(t1, 't1', fn);
  checkOutput(t2, 't2', fn);
  if (t1.rank !== t2.rank || t1.shape.some((d, i) => d !== t2.shape[i])) {
    throw new GankitError('shape', `${fn}: t1 ${formatShape(t1.shape)} and t2 ${formatShape(t2.shape)} must have the same shape`);
  }
  checkWeight(beta, fn, 'beta');
  return tf.tidy(() => tf.add(tf.mul(beta, t1), tf.mul(1 - beta, t2)));
}
