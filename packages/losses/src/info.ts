// InfoGAN (Chen et al. 2016): the variational lower bound on the mutual information between the
// latent codes and the generated samples, as loss terms of G and Q.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { checkOutput, describe } from './validate';

const LOG_2PI = Math.log(2 * Math.PI);

function checkMatrix(x: unknown, what: string, fn: string): asserts x is tf.Tensor2D {
  checkOutput(x, what, fn);
  if (x.rank !== 2) throw new GankitError('shape', `${fn}: ${what} must be [batch, n], got shape ${formatShape(x.shape)}`);
}

function checkSameShape(a: tf.Tensor, b: tf.Tensor, whatA: string, whatB: string, fn: string): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new GankitError('shape', `${fn}: ${whatB} ${formatShape(b.shape)} must have the shape of ${whatA} ${formatShape(a.shape)}`);
  }
}

/**
 * The categorical part of InfoGAN's information term (Chen et al. 2016, eq. (4)–(5)): the mean
 * cross-entropy `−E[log Q(c|x)] = −E[Σ_k c_k · log softmax(logits)_k]` of Q's logits on generated
 * samples `x = G(z, c)` against the code `c` they were made from (one-hot, or any distribution over
 * the `K` values). With the entropy `H(c)` of the code's prior it gives the lower bound
 * `L_I(G, Q) = H(c) − E[−log Q(c|x)] ≤ I(c; G(z, c))` (for a uniform code `H(c) = log K`); `H(c)` is
 * a constant, so minimising this term maximises `L_I`. Both G and Q (D's body with the Q head) add
 * `λ_cat` times it: the objective is `min_{G,Q} max_D V(D, G) − λ L_I(G, Q)` (eq. (6)).
 *
 * @param logits - Q's logits of the categorical code `[batch, K]`, float32
 * @param codes - the sampled codes `[batch, K]`, float32: one-hot rows (or probability rows)
 * @returns the mean cross-entropy in nats
 * @throws GankitError (`'shape'`, `'dtype'`, `'argument'`) naming the input at fault
 */
export function infoCategoricalLoss(logits: tf.Tensor, codes: tf.Tensor): tf.Scalar {
  const fn = 'infoCategoricalLoss';
  checkMatrix(logits, 'logits', fn);
  checkMatrix(codes, 'codes', fn);
  checkSameShape(logits, codes, 'logits', 'codes', fn);
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), codes), 1)))) as tf.Scalar;
}

/**
 * The standard deviation of the factored Gaussian `Q(c|x) = Π_j N(c_j; μ_j(x), σ_j²)` of InfoGAN's
 * continuous codes: a fixed number (the same for every code), or Q's own `log σ` output `[batch, C]`
 * (learned σ, as the paper suggests in section 6).
 */
export type InfoStd = number | tf.Tensor;

/**
 * The continuous part of InfoGAN's information term (Chen et al. 2016, section 6): the mean
 * negative log-likelihood `−E[log Q(c|x)]` of the codes `c` under the factored Gaussian Q,
 * `−log Q(c|x) = Σ_j [ ½ log 2π + log σ_j + (c_j − μ_j)² / (2σ_j²) ]` summed over the `C` codes and
 * averaged over the batch. `L_I(G, Q) = H(c) − E[−log Q(c|x)]` (eq. (5)) with `H(c)` the constant
 * (differential) entropy of the codes' prior, so minimising this maximises the bound; G and Q add
 * `λ_cont` times it (the paper uses a smaller λ for continuous codes than for discrete ones).
 *
 * @param mean - Q's means `μ(x)` `[batch, C]`, float32
 * @param codes - the sampled codes `[batch, C]`, float32
 * @param std - a fixed `σ > 0` (default 1), or Q's `log σ` `[batch, C]` (learned σ)
 * @returns the mean negative log-likelihood in nats
 * @throws GankitError (`'shape'`, `'dtype'`, `'argument'`, `'config'`) naming the input at fault
 */
export function infoContinuousLoss(mean: tf.Tensor, codes: tf.Tensor, std: InfoStd = 1): tf.Scalar {
  const fn = 'infoContinuousLoss';
  checkMatrix(mean, 'mean', fn);
  checkMatrix(codes, 'codes', fn);
  checkSameShape(mean, codes, 'mean', 'codes', fn);
  if (typeof std === 'number') {
    if (!Number.isFinite(std) || std <= 0) throw new GankitError('config', `${fn}: std must be a finite number > 0, got ${std}`);
    const logStd = Math.log(std);
    const inv = 1 / (2 * std * std);
    return tf.tidy(() => {
      const sq = tf.sum(tf.square(tf.sub(codes, mean)), 1);
      return tf.add(tf.mean(tf.mul(sq, inv)), (0.5 * LOG_2PI + logStd) * mean.shape[1]);
    }) as tf.Scalar;
  }
  if (!(std instanceof tf.Tensor))
    throw new GankitError('argument', `${fn}: std must be a number or Q's log σ tensor, got ${describe(std)}`);
  checkMatrix(std, 'logStd', fn);
  checkSameShape(mean, std, 'mean', 'logStd', fn);
  return tf.tidy(() => {
    const z = tf.mul(tf.sub(codes, mean), tf.exp(tf.neg(std)));
    const perCode = tf.add(tf.add(std, tf.mul(tf.square(z), 0.5)), 0.5 * LOG_2PI);
    return tf.mean(tf.sum(perCode, 1));
  }) as tf.Scalar;
}
