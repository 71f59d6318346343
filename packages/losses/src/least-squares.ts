import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type LossPair } from '@gankit/core';
import { checkOutput, checkPair } from './validate';

/**
 * Targets of the least-squares GAN (Mao et al. 2017): D pushes its outputs towards `b` on real
 * data and `a` on fakes; G pushes D's outputs on fakes towards `c`. Defaults `a = 0, b = 1, c = 1`;
 * `a = −1, b = 1, c = 0` is the variant that minimises the Pearson χ² divergence.
 */
export interface LeastSquaresTargets {
  /** Target of D's output on generated data (default 0). */
  readonly a?: number | undefined;
  /** Target of D's output on real data (default 1). */
  readonly b?: number | undefined;
  /** Target that G wants D to output on generated data (default 1). */
  readonly c?: number | undefined;
}

/** {@link LeastSquaresTargets} with every target filled in. */
export interface ResolvedLeastSquaresTargets {
  /** Target of D's output on generated data. */
  readonly a: number;
  /** Target of D's output on real data. */
  readonly b: number;
  /** Target that G wants D to output on generated data. */
  readonly c: number;
}

/** The default least-squares targets `a = 0, b = 1, c = 1`. */
export const DEFAULT_LEAST_SQUARES_TARGETS: ResolvedLeastSquaresTargets = Object.freeze({
  a: 0,
  b: 1,
  c: 1,
});

const TARGET_KEYS = ['a', 'b', 'c'] as const;

/**
 * Fills in default targets and checks that each given one is a finite number and that no other
 * key is present.
 *
 * @param targets - the targets to check (any subset of `a`, `b`, `c`)
 * @returns the complete targets
 * @throws GankitError (`'config'`) for a non-finite target or an unknown key
 */
export function resolveLeastSquaresTargets(targets: LeastSquaresTargets = {}): ResolvedLeastSquaresTargets {
  if (targets === null || typeof targets !== 'object') {
    throw new GankitError('config', `least-squares targets must be an object {a, b, c}, got ${String(targets)}`);
  }
  for (const key of Object.keys(targets)) {
    if (!(TARGET_KEYS as readonly string[]).includes(key)) {
      throw new GankitError('config', `least-squares targets: unknown key '${key}' (valid keys: a, b, c)`);
    }
  }
  const out = { ...DEFAULT_LEAST_SQUARES_TARGETS };
  for (const key of TARGET_KEYS) {
    const v = targets[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new GankitError('config', `least-squares target '${key}' must be a finite number, got ${String(v)}`);
    }
    out[key] = v;
  }
  return Object.freeze(out);
}

/**
 * Least-squares discriminator loss (LSGAN):
 * `½·E[(D(x) − b)²] + ½·E[(D(G(z)) − a)²]`.
 *
 * @param realOutput - D's raw outputs on real data, `[batch, ...]`, float32
 * @param fakeOutput - D's raw outputs on generated data, same rank and trailing dimensions
 * @param targets - the targets `a` (fake) and `b` (real); `c` is ignored here. Defaults 0 and 1.
 * @returns the scalar that D minimises
 */
export function leastSquaresDiscriminatorLoss(realOutput: tf.Tensor, fakeOutput: tf.Tensor, targets: LeastSquaresTargets = {}): tf.Scalar {
  const fn = 'leastSquaresDiscriminatorLoss';
  checkOutput(realOutput, 'realOutput', fn);
  checkOutput(fakeOutput, 'fakeOutput', fn);
  checkPair(realOutput, fakeOutput, fn);
  const { a, b } = resolveLeastSquaresTargets(targets);
  return tf.tidy(() => {
    const realTerm = tf.mean(tf.square(tf.sub(realOutput, tf.scalar(b))));
    const fakeTerm = tf.mean(tf.square(tf.sub(fakeOutput, tf.scalar(a))));
    return tf.mul(tf.scalar(0.5), tf.add(realTerm, fakeTerm));
  }) as tf.Scalar;
}

/**
 * Least-squares generator loss (LSGAN): `½·E[(D(G(z)) − c)²]`.
 *
 * @param fakeOutput - D's raw outputs on generated data, `[batch, ...]`, float32
 * @param targets - the target `c` (default 1); `a` and `b` are ignored here
 * @returns the scalar that G minimises
 */
export function leastSquaresGeneratorLoss(fakeOutput: tf.Tensor, targets: LeastSquaresTargets = {}): tf.Scalar {
  checkOutput(fakeOutput, 'fakeOutput', 'leastSquaresGeneratorLoss');
  const { c } = resolveLeastSquaresTargets(targets);
  return tf.tidy(() => tf.mul(tf.scalar(0.5), tf.mean(tf.square(tf.sub(fakeOutput, tf.scalar(c)))))) as tf.Scalar;
}

/** A least-squares `LossPair` that also tells which targets it uses. */
export interface LeastSquaresLossPair extends LossPair {
  /** The targets this pair uses. */
  readonly targets: ResolvedLeastSquaresTargets;
}

/**
 * The least-squares loss pair with the given targets (defaults `a = 0, b = 1, c = 1`).
 * Outputs are raw scores, not logits (`probabilistic: false`).
 *
 * @param targets - any of `a` (fake target), `b` (real target), `c` (G's target)
 * @returns a loss pair named `least-squares`
 * @throws GankitError (`'config'`) for a non-finite target or an unknown key
 */
export function leastSquares(targets: LeastSquaresTargets = {}): LeastSquaresLossPair {
  const resolved = resolveLeastSquaresTargets(targets);
  return Object.freeze({
    name: 'least-squares',
    probabilistic: false,
    targets: resolved,
    discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) => leastSquaresDiscriminatorLoss(realOutput, fakeOutput, resolved),
    generator: (fakeOutput: tf.Tensor) => leastSquaresGeneratorLoss(fakeOutput, resolved),
  });
}
