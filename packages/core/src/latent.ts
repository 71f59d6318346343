import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from './errors';

/** How {@link interpolateLatents} walks between two latent points. */
export type InterpolationMode = 'linear' | 'spherical';

function checkPair(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (!(a instanceof tf.Tensor) || !(b instanceof tf.Tensor))
    throw new GankitError('argument', `${what}: both latent points must be tensors`);
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new GankitError('shape', `${what}: latent points have different shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32')
    throw new GankitError('dtype', `${what}: latent points must be float32, got ${a.dtype} and ${b.dtype}`);
}

/**
 * Points on the way from latent point `a` to `b` (each one latent vector, any shape), `steps`
 * of them including both ends, stacked on a new first axis: `[steps, ...a.shape]`.
 *
 * `'linear'` walks the straight line; `'spherical'` (slerp, White 2016) walks the great circle
 * with the norm interpolated linearly, which keeps points at the typical radius of a Gaussian
 * latent distribution (a straight line between two Gaussian samples passes near the origin, where
 * the generator rarely saw inputs). Falls back to linear when the two points are (anti)parallel.
 */
export function interpolateLatents(a: tf.Tensor, b: tf.Tensor, steps: number, mode: InterpolationMode = 'spherical'): tf.Tensor {
  checkPair(a, b, 'interpolateLatents');
  if (!Number.isInteger(steps) || steps < 2)
    throw new GankitError('config', `interpolateLatents: steps must be an integer >= 2, got ${steps}`);
  if (mode !== 'linear' && mode !== 'spherical')
    throw new GankitError('config', `interpolateLatents: mode must be 'linear' or 'spherical', got '${String(mode)}'`);
  const ts = Array.from({ length: steps }, (_, i) => i / (steps - 1));
  const av = Float64Array.from(a.dataSync());
  const bv = Float64Array.from(b.dataSync());
  const n = av.length;
  const out = new Float32Array(steps * n);
  let na = 0;
  let nb = 0;
  let dot = 0;
  for (let i = 0; i < n; i++) {
    na += av[i] * av[i];
    nb += bv[i] * bv[i];
    dot += av[i] * bv[i];
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  const cos = na > 0 && nb > 0 ? Math.max(-1, Math.min(1, dot / (na * nb))) : 1;
  const omega = Math.acos(cos);
  const useLinear = mode === 'linear' || Math.sin(omega) < 1e-6;
  ts.forEach((t, s) => {
    if (useLinear) {
      for (let i = 0; i < n; i++) out[s * n + i] = (1 - t) * av[i] + t * bv[i];
      return;
    }
    // Directions slerped on the unit sphere, norm interpolated linearly.
    const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
    const wb = Math.sin(t * omega) / Math.sin(omega);
    const norm = (1 - t) * na + t * nb;
    for (let i = 0; i < n; i++) out[s * n + i] = norm * (wa * (av[i] / na) + wb * (bv[i] / nb));
  });
  return tf.tensor(out, [steps, ...a.shape], 'float32');
}

/**
 * Latent vector arithmetic (Radford et al. 2016): `mean(plus[0]) − mean(minus[0]) + mean(plus[1]) − ...`
 * over groups of latent vectors. Each group is a batch `[k, ...latentShape]` whose mean is taken
 * (averaging several samples that show a concept makes the direction reliable); the result is one
 * latent vector `[...latentShape]`: e.g. `latentArithmetic([thickSevens, thinOnes], [thinSevens])`
 * gives a thick one.
 */
export function latentArithmetic(plus: readonly tf.Tensor[], minus: readonly tf.Tensor[] = []): tf.Tensor {
  if (plus.length === 0) throw new GankitError('config', 'latentArithmetic: give at least one group to add');
  const shape = plus[0].shape.slice(1);
  for (const g of [...plus, ...minus]) {
    if (!(g instanceof tf.Tensor) || g.rank < 2 || g.shape[0] < 1)
      throw new GankitError('shape', 'latentArithmetic: each group must be a batch [k, ...latentShape] with k >= 1');
    const s = g.shape.slice(1);
    if (s.length !== shape.length || s.some((d, i) => d !== shape[i])) {
      throw new GankitError('shape', `latentArithmetic: groups have different latent shapes ${formatShape(shape)} and ${formatShape(s)}`);
    }
  }
  return tf.tidy(() => {
    let acc = tf.mean(plus[0], 0);
    for (const g of plus.slice(1)) acc = tf.add(acc, tf.mean(g, 0));
    for (const g of minus) acc = tf.sub(acc, tf.mean(g, 0));
    return acc;
  });
}
