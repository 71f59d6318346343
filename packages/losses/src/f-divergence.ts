import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type LossPair } from '@gankit/core';
import { checkOutput, checkPair } from './validate';

/** The f-divergences of f-GAN (Nowozin et al. 2016, Table 2) that {@link fGan} offers. */
export const F_DIVERGENCES = ['kl', 'reverse-kl', 'pearson', 'squared-hellinger', 'jensen-shannon', 'gan', 'total-variation'] as const;

/** One of {@link F_DIVERGENCES}. */
export type FDivergence = (typeof F_DIVERGENCES)[number];

/**
 * One f-divergence of f-GAN: its generator function f, the output activation g_f that maps the
 * critic's raw output v into the domain of the conjugate f*, and f*(g_f(v)) (written out for
 * numerical stability). The variational objective is
 * `F(T) = E_P[g_f(v(x))] − E_Q[f*(g_f(v(x)))]`, a lower bound of `D_f(P‖Q) = E_Q[f(p/q)]`, tight at
 * the optimal critic `g_f(v) = f′(p/q)`.
 */
export interface FDivergenceSpec {
  /** The divergence's name. */
  readonly name: FDivergence;
  /** f(u) for a density ratio u = p/q > 0, in plain numbers (for tests and documentation). */
  f(u: number): number;
  /** The output activation g_f(v), a tensor op. */
  activation(v: tf.Tensor): tf.Tensor;
  /** f*(g_f(v)), a tensor op. */
  conjugateOfActivation(v: tf.Tensor): tf.Tensor;
}

const LOG2 = Math.log(2);

/** Every divergence of {@link F_DIVERGENCES} by name. */
export const F_DIVERGENCE_SPECS: Readonly<Record<FDivergence, FDivergenceSpec>> = Object.freeze({
  // f(u) = u log u; g(v) = v; f*(t) = exp(t − 1).
  kl: { name: 'kl', f: (u) => u * Math.log(u), activation: (v) => v, conjugateOfActivation: (v) => tf.exp(tf.sub(v, 1)) },
  // f(u) = −log u; g(v) = −exp(−v); f*(t) = −1 − log(−t), so f*(g(v)) = v − 1.
  'reverse-kl': {
    name: 'reverse-kl',
    f: (u) => -Math.log(u),
    activation: (v) => tf.neg(tf.exp(tf.neg(v))),
    conjugateOfActivation: (v) => tf.sub(v, 1),
  },
  // f(u) = (u − 1)²; g(v) = v; f*(t) = t²/4 + t.
  pearson: {
    name: 'pearson',
    f: (u) => (u - 1) ** 2,
    activation: (v) => v,
    conjugateOfActivation: (v) => tf.add(tf.div(tf.square(v), 4), v),
  },
  // f(u) = (√u − 1)²; g(v) = 1 − exp(−v); f*(t) = t/(1 − t), so f*(g(v)) = exp(v) − 1.
  'squared-hellinger': {
    name: 'squared-hellinger',
    f: (u) => (Math.sqrt(u) - 1) ** 2,
    activation: (v) => tf.sub(1, tf.exp(tf.neg(v))),
    conjugateOfActivation: (v) => tf.sub(tf.exp(v), 1),
  },
  // f(u) = −(u + 1) log((1 + u)/2) + u log u; g(v) = log 2 − softplus(−v);
  // f*(t) = −log(2 − exp t), so f*(g(v)) = softplus(v) − log 2.
  'jensen-shannon': {
    name: 'jensen-shannon',
    f: (u) => -(u + 1) * Math.log((1 + u) / 2) + u * Math.log(u),
    activation: (v) => tf.sub(LOG2, tf.softplus(tf.neg(v))),
    conjugateOfActivation: (v) => tf.sub(tf.softplus(v), LOG2),
  },
  // f(u) = u log u − (u + 1) log(u + 1); g(v) = −softplus(−v); f*(t) = −log(1 − exp t), so
  // f*(g(v)) = softplus(v): the original GAN's discriminator loss.
  gan: {
    name: 'gan',
    f: (u) => u * Math.log(u) - (u + 1) * Math.log(u + 1),
    activation: (v) => tf.neg(tf.softplus(tf.neg(v))),
    conjugateOfActivation: (v) => tf.softplus(v),
  },
  // f(u) = ½|u − 1|; g(v) = ½ tanh v; f*(t) = t on |t| ≤ ½.
  'total-variation': {
    name: 'total-variation',
    f: (u) => 0.5 * Math.abs(u - 1),
    activation: (v) => tf.mul(0.5, tf.tanh(v)),
    conjugateOfActivation: (v) => tf.mul(0.5, tf.tanh(v)),
  },
});

function spec(divergence: FDivergence, fn: string): FDivergenceSpec {
  const s = (F_DIVERGENCE_SPECS as Record<string, FDivergenceSpec | undefined>)[divergence];
  if (!s) throw new GankitError('config', `${fn}: unknown f-divergence '${String(divergence)}'; one of ${F_DIVERGENCES.join(', ')}`);
  return s;
}

/**
 * The f-GAN variational lower bound `E_P[g_f(v_real)] − E_Q[f*(g_f(v_fake))]` of `D_f(P‖Q)` from
 * the critic's raw outputs on real (P) and generated (Q) data; at the optimal critic it equals the
 * divergence.
 *
 * @param realOutput - the critic's raw outputs on real data, `[batch, ...]`, float32
 * @param fakeOutput - its raw outputs on generated data, same rank and trailing dimensions
 * @param divergence - one of {@link F_DIVERGENCES}
 * @returns the bound (the critic maximises it)
 */
export function fDivergenceBound(realOutput: tf.Tensor, fakeOutput: tf.Tensor, divergence: FDivergence): tf.Scalar {
  const fn = 'fDivergenceBound';
  checkOutput(realOutput, 'realOutput', fn);
  checkOutput(fakeOutput, 'fakeOutput', fn);
  checkPair(realOutput, fakeOutput, fn);
  const s = spec(divergence, fn);
  return tf.tidy(() => tf.sub(tf.mean(s.activation(realOutput)), tf.mean(s.conjugateOfActivation(fakeOutput)))) as tf.Scalar;
}

/** How the generator of {@link fGan} is updated. */
export type FGanGeneratorObjective = 'saddle' | 'non-saturating';

/** Options of {@link fGan}. */
export interface FGanOptions {
  /**
   * `'saddle'` (default): G minimises the bound's fake part `−E_Q[f*(g_f(v))]`, the saddle-point
   * objective of the paper's Algorithm 1. `'non-saturating'`: G maximises `E_Q[g_f(v)]` instead
   * (Nowozin et al. 2016, §3.2, the f-divergence form of the `−log D` trick, with the same stationary
   * point): for `gan` it is the non-saturating GAN loss; for `kl` it follows `log(p/q)` where the
   * saddle objective follows `p/q`, which lets a generator stuck on one mode spread out.
   */
  readonly generator?: FGanGeneratorObjective | undefined;
}

/**
 * The f-GAN loss pair for one f-divergence (Nowozin et al. 2016): the critic minimises the negated
 * bound {@link fDivergenceBound}; the generator minimises the bound's fake part,
 * `−E_Q[f*(g_f(v_fake))]` (the saddle-point objective of the paper), or with
 * `{ generator: 'non-saturating' }` maximises `E_Q[g_f(v_fake)]` (§3.2). Outputs are raw scores
 * (`probabilistic: false`); the name is `f-gan/<divergence>`, with `/non-saturating` added for that
 * generator objective.
 *
 * @param divergence - one of {@link F_DIVERGENCES} (default `'jensen-shannon'`)
 * @param options - the generator objective ({@link FGanOptions})
 * @returns the loss pair
 * @throws GankitError (`'config'`) for an unknown divergence or generator objective
 */
export function fGan(divergence: FDivergence = 'jensen-shannon', options: FGanOptions = {}): LossPair {
  const s = spec(divergence, 'fGan');
  const objective = options.generator ?? 'saddle';
  if (objective !== 'saddle' && objective !== 'non-saturating')
    throw new GankitError('config', `fGan: generator must be 'saddle' or 'non-saturating', got ${JSON.stringify(objective)}`);
  const generatorTerm = objective === 'saddle' ? s.conjugateOfActivation : s.activation;
  return Object.freeze({
    name: objective === 'saddle' ? `f-gan/${s.name}` : `f-gan/${s.name}/non-saturating`,
    probabilistic: false,
    discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) =>
      tf.tidy(() => tf.neg(fDivergenceBound(realOutput, fakeOutput, s.name))) as tf.Scalar,
    generator: (fakeOutput: tf.Tensor) => {
      checkOutput(fakeOutput, 'fakeOutput', 'fGan generator');
      return tf.tidy(() => tf.neg(tf.mean(generatorTerm(fakeOutput)))) as tf.Scalar;
    },
  });
}
