import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from './errors';
import type { RandomSource } from './random';

/** At most this many redraw rounds; the candidates of each round are sized so that one or two suffice. */
const MAX_ROUNDS = 1000;

function checkThreshold(psi: number, what: string): number {
  if (typeof psi !== 'number' || !(psi > 0) || !Number.isFinite(psi)) {
    throw new GankitError('config', `${what}: the threshold psi must be a finite number > 0, got ${String(psi)}`);
  }
  return psi;
}

/** erf(x) for x ≥ 0 (Abramowitz & Stegun 7.1.26, error < 1.5e-7): sizes each round's candidates. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 1 - poly * Math.exp(-x * x);
}

/**
 * Replaces, in place, every entry of `values` with `|v| > psi` by a fresh standard normal draw
 * that lies within `[-psi, psi]`, drawing candidates from `random` round by round.
 */
function resampleOutside(values: Float32Array, psi: number, random: RandomSource, what: string): void {
  let bad: number[] = [];
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > psi) bad.push(i);
  // P(|z| ≤ ψ) for z ~ N(0, 1): candidates per round are sized so that a round usually fills every slot.
  const accept = Math.max(erf(psi / Math.SQRT2), 1e-6);
  for (let round = 0; bad.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new GankitError('config', `${what}: psi ${psi} is too small to sample by redrawing`);
    const count = Math.min(Math.ceil((bad.length / accept) * 1.25) + 16, 1 << 22);
    const draw = random.normal([count], 0, 1, 'truncation');
    const candidates = draw.dataSync() as Float32Array;
    draw.dispose();
    let next = 0;
    const still: number[] = [];
    for (const i of bad) {
      while (next < count && Math.abs(candidates[next]) > psi) next++;
      if (next < count) values[i] = candidates[next++];
      else still.push(i);
    }
    bad = still;
  }
}

/**
 * The truncation trick (Brock et al. 2019, BigGAN §3.1): redraws every entry of a latent batch `z`
 * whose magnitude exceeds the threshold ψ (`psi`) until it falls within `[-ψ, ψ]`, so the result is
 * distributed as a standard normal truncated to `[-ψ, ψ]` entry by entry (entries already within are
 * kept). Smaller ψ trades variety for fidelity: samples come from nearer the mode of the latent
 * distribution. Works for any generator whose latent prior is N(0, I).
 *
 * The redraws come from `random` (a seeded {@link RandomSource}), so the same `z`, ψ and source
 * state give the same result. Returns a new float32 tensor of `z`'s shape; `z` is not changed.
 *
 * @example
 * ```ts
 * const random = new RandomSource(0);
 * const z = truncateLatent(random.normal([64, 100]), 0.5, random); // every |z| ≤ 0.5
 * ```
 */
export function truncateLatent(z: tf.Tensor, psi: number, random: RandomSource): tf.Tensor {
  const what = 'truncateLatent';
  if (!(z instanceof tf.Tensor)) throw new GankitError('argument', `${what}: z must be a tensor`);
  if (z.dtype !== 'float32') throw new GankitError('dtype', `${what}: z must be float32, got ${z.dtype}`);
  checkThreshold(psi, what);
  const values = Float32Array.from(z.dataSync() as Float32Array);
  resampleOutside(values, psi, random, what);
  return tf.tensor(values, z.shape, 'float32');
}

/**
 * A batch of latent vectors from the truncated standard normal (the truncation trick of Brock et al.
 * 2019, §3.1): draws `N(0, 1)` entries of the given shape from `random` and redraws those with
 * `|z| > ψ` (see {@link truncateLatent}). With `psi` `undefined` it is a plain `random.normal(shape)`,
 * so "no truncation" is the same call.
 *
 * @param shape - the batch's shape, e.g. `[64, 100]`
 * @param psi - the threshold ψ > 0, or `undefined` for no truncation
 * @param random - the seeded source of every draw
 */
export function truncatedNormal(shape: number[], psi: number | undefined, random: RandomSource): tf.Tensor {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new GankitError('shape', `truncatedNormal: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (psi === undefined) return random.normal(shape);
  checkThreshold(psi, 'truncatedNormal');
  const z = random.normal(shape);
  try {
    return truncateLatent(z, psi, random);
  } finally {
    z.dispose();
  }
}
