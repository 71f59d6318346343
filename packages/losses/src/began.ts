// BEGAN (Berthelot et al. 2017): the autoencoder discriminator's losses and the equilibrium control.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type LossPair, formatShape } from '@gankit/core';
import { checkOutput, checkPair } from './validate';

/**
 * BEGAN's pixel-wise autoencoder loss (Berthelot et al. 2017, eq. 1): for each example `v`,
 * `L(v) = mean |v − D(v)|^η` over its pixels, where `D(v)` is the autoencoder's reconstruction and
 * η ∈ {1, 2} (the paper uses η = 1).
 *
 * @param v - a batch `[batch, ...]`, float32
 * @param reconstruction - the autoencoder's output `D(v)`, the same shape as `v`
 * @param eta - the norm's exponent, 1 (default) or 2
 * @returns one loss per example, `[batch]`
 * @throws GankitError (`'shape'`) when the shapes differ; (`'value'`) for η other than 1 or 2
 */
export function beganReconstructionLoss(v: tf.Tensor, reconstruction: tf.Tensor, eta: 1 | 2 = 1): tf.Tensor1D {
  const fn = 'beganReconstructionLoss';
  checkOutput(v, 'v', fn);
  checkOutput(reconstruction, 'reconstruction', fn);
  if (!tf.util.arraysEqual(v.shape, reconstruction.shape)) {
    throw new GankitError(
      'shape',
      `${fn}: v ${formatShape(v.shape)} and reconstruction ${formatShape(reconstruction.shape)} must have the same shape`,
    );
  }
  if (eta !== 1 && eta !== 2) throw new GankitError('value', `${fn}: eta must be 1 or 2, got ${String(eta)}`);
  return tf.tidy(() => {
    const d = tf.sub(v, reconstruction);
    const e = eta === 1 ? tf.abs(d) : tf.square(d);
    return tf.mean(tf.reshape(e, [v.shape[0], -1]), 1);
  }) as tf.Tensor1D;
}

/** Checks an equilibrium factor k: a finite number in [0, 1]. */
function checkK(k: number, fn: string): number {
  if (typeof k !== 'number' || !Number.isFinite(k) || k < 0 || k > 1) {
    throw new GankitError('value', `${fn}: k must be a number in [0, 1], got ${String(k)}`);
  }
  return k;
}

/**
 * BEGAN's discriminator loss (Berthelot et al. 2017, eq. 4): `L_D = L(x) − k_t · L(G(z_D))`, the
 * means over the batch of the autoencoder losses of real and generated examples.
 *
 * @param realLoss - `L(x)` per real example (`[batch]` or `[batch, 1]`), e.g. from
 *   {@link beganReconstructionLoss}
 * @param fakeLoss - `L(G(z))` per generated example, the same shape after the batch dimension
 * @param k - the equilibrium factor k_t in [0, 1]
 * @throws GankitError when the inputs are not float tensors of matching shape or k is outside [0, 1]
 */
export function beganDiscriminatorLoss(realLoss: tf.Tensor, fakeLoss: tf.Tensor, k: number): tf.Scalar {
  const fn = 'beganDiscriminatorLoss';
  checkOutput(realLoss, 'realLoss', fn);
  checkOutput(fakeLoss, 'fakeLoss', fn);
  checkPair(realLoss, fakeLoss, fn);
  checkK(k, fn);
  return tf.tidy(() => tf.sub(tf.mean(realLoss), tf.mul(k, tf.mean(fakeLoss)))) as tf.Scalar;
}

/**
 * BEGAN's generator loss (Berthelot et al. 2017, eq. 4): `L_G = L(G(z_G))`, the mean autoencoder
 * loss of the generated batch: G wants its samples reconstructed well.
 *
 * @param fakeLoss - `L(G(z))` per generated example
 */
export function beganGeneratorLoss(fakeLoss: tf.Tensor): tf.Scalar {
  checkOutput(fakeLoss, 'fakeLoss', 'beganGeneratorLoss');
  return tf.mean(fakeLoss) as tf.Scalar;
}

/** The settings of BEGAN's equilibrium control. */
export interface BeganEquilibriumSettings {
  /** The diversity ratio γ = E[L(G(z))] / E[L(x)] in [0, 1] that the control holds (eq. 3). */
  readonly gamma: number;
  /** The proportional gain λ_k ≥ 0 of k (the paper: 0.001). */
  readonly lambdaK: number;
}

/** Checks γ ∈ [0, 1] and λ_k ≥ 0, both finite. */
function checkBeganSettings(s: BeganEquilibriumSettings, fn: string): void {
  if (typeof s.gamma !== 'number' || !Number.isFinite(s.gamma) || s.gamma < 0 || s.gamma > 1) {
    throw new GankitError('value', `${fn}: gamma must be a number in [0, 1], got ${String(s.gamma)}`);
  }
  if (typeof s.lambdaK !== 'number' || !Number.isFinite(s.lambdaK) || s.lambdaK < 0) {
    throw new GankitError('value', `${fn}: lambdaK must be a finite number >= 0, got ${String(s.lambdaK)}`);
  }
}

function checkLossValue(v: number, what: string, fn: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new GankitError('value', `${fn}: ${what} must be a finite number, got ${String(v)}`);
}

/**
 * One step of BEGAN's equilibrium control (Berthelot et al. 2017, eq. 4):
 * `k_{t+1} = clip(k_t + λ_k · (γ · L(x) − L(G(z))), 0, 1)`, a proportional controller that raises
 * the weight of the fakes in D's loss while G's samples are reconstructed better than γ times the
 * real ones, and lowers it otherwise.
 *
 * @param k - the current k_t in [0, 1]
 * @param realLoss - the mean `L(x)` of the step's real batch
 * @param fakeLoss - the mean `L(G(z))` of the step's generated batch
 * @param settings - γ and λ_k
 * @returns k_{t+1}, always in [0, 1]
 */
export function beganEquilibriumStep(k: number, realLoss: number, fakeLoss: number, settings: BeganEquilibriumSettings): number {
  const fn = 'beganEquilibriumStep';
  checkK(k, fn);
  checkLossValue(realLoss, 'realLoss', fn);
  checkLossValue(fakeLoss, 'fakeLoss', fn);
  checkBeganSettings(settings, fn);
  return Math.min(1, Math.max(0, k + settings.lambdaK * (settings.gamma * realLoss - fakeLoss)));
}

/**
 * BEGAN's global convergence measure (Berthelot et al. 2017, section 3.4.1):
 * `M_global = L(x) + |γ · L(x) − L(G(z))|`: the real reconstruction loss plus the distance from
 * the equilibrium; it falls as training converges and as the samples improve.
 *
 * @param realLoss - the mean `L(x)` of a real batch
 * @param fakeLoss - the mean `L(G(z))` of a generated batch
 * @param gamma - the diversity ratio γ in [0, 1]
 */
export function beganConvergence(realLoss: number, fakeLoss: number, gamma: number): number {
  const fn = 'beganConvergence';
  checkLossValue(realLoss, 'realLoss', fn);
  checkLossValue(fakeLoss, 'fakeLoss', fn);
  checkBeganSettings({ gamma, lambdaK: 0 }, fn);
  return realLoss + Math.abs(gamma * realLoss - fakeLoss);
}

/**
 * BEGAN's losses (Berthelot et al. 2017, eq. 4) as a `LossPair` over the autoencoder losses that a
 * BEGAN discriminator outputs per example (`D(v) = L(v)`, e.g. `beganDiscriminator` of
 * `@gankit/architectures`): D minimises `L(x) − k_t · L(G(z))`, G minimises `L(G(z))`. The factor
 * k_t is read at every discriminator update from `k`, a number or a function that returns the
 * current value, such as the `beganEquilibrium` plugin of `@gankit/trainer`, which updates it
 * after every step (eq. 4) and saves it in checkpoints. A critic loss (`probabilistic: false`): the
 * logged `dReal`/`dFake` are the mean `L(x)` and `L(G(z))`.
 *
 * @param k - k_t in [0, 1], or a function returning it
 */
export function beganLoss(k: number | (() => number)): LossPair {
  const current = typeof k === 'function' ? k : () => k;
  if (typeof k !== 'function') checkK(k, 'beganLoss');
  return {
    name: 'began',
    probabilistic: false,
    discriminator: (realLoss, fakeLoss) => beganDiscriminatorLoss(realLoss, fakeLoss, current()),
    generator: (fakeLoss) => beganGeneratorLoss(fakeLoss),
  };
}
