// Operations on per-layer styles of a style-based generator (Karras et al. 2019): style mixing,
// truncation in W, and the mixing-regularisation latent draw.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { RandomSource } from '@gankit/core';
import { checkPositiveInt } from '../layer';

function describe(t: unknown): string {
  return t instanceof tf.Tensor ? formatShape(t.shape) : String(t);
}

/**
 * Style mixing (Karras et al. 2019, §3.1): per-layer latents `[batch, layers, d]` that take the
 * rows of `a` before the crossover layer and the rows of `b` from it on, so layers
 * `0 .. crossover-1` get `a`'s styles and `crossover .. layers-1` get `b`'s ("coarse" styles from
 * `a`, "fine" from `b` for a crossover in the middle). `crossover` is one layer index in
 * `[0, layers]` for the whole batch or one per example. Works on z's of a {@link styleGenerator}
 * (its input) and on w's (what {@link StyleGenerator.synthesize} takes) alike.
 */
export function mixStyles(a: tf.Tensor, b: tf.Tensor, crossover: number | readonly number[]): tf.Tensor {
  const what = 'mixStyles';
  if (!(a instanceof tf.Tensor) || a.rank !== 3)
    throw new GankitError('shape', `${what}: a must be [batch, layers, d], got ${describe(a)}`);
  if (!(b instanceof tf.Tensor) || !tf.util.arraysEqual(a.shape, b.shape)) {
    throw new GankitError('shape', `${what}: b must have a's shape ${formatShape(a.shape)}, got ${describe(b)}`);
  }
  const [n, layers] = a.shape;
  const cuts = typeof crossover === 'number' ? new Array<number>(n).fill(crossover) : [...crossover];
  if (cuts.length !== n || cuts.some((c) => !Number.isInteger(c) || c < 0 || c > layers)) {
    throw new GankitError(
      'config',
      `${what}: crossover must be a layer index in [0, ${layers}] or ${n} of them (one per example), got ${JSON.stringify(crossover)}`,
    );
  }
  const mask = new Float32Array(n * layers);
  for (let e = 0; e < n; e++) for (let l = cuts[e]; l < layers; l++) mask[e * layers + l] = 1;
  return tf.tidy(() => {
    const m = tf.tensor3d(mask, [n, layers, 1]);
    return tf.add(tf.mul(a, tf.sub(1, m)), tf.mul(b, m));
  });
}

/**
 * The truncation trick in W (Karras et al. 2019, §3.1 and appendix B): `w' = w̄ + ψ (w − w̄)`, which
 * pulls styles toward the mean style w̄ (ψ = 1 leaves them, ψ = 0 gives w̄ for every sample).
 * `ws` is `[batch, d]` or per-layer `[batch, layers, d]`; `mean` is `[d]`. With `layers` (the
 * paper's truncation cutoff) only the first `layers` style layers are truncated (the coarse ones).
 */
export function truncateStyles(ws: tf.Tensor, mean: tf.Tensor, psi: number, layers?: number): tf.Tensor {
  const what = 'truncateStyles';
  if (!(ws instanceof tf.Tensor) || (ws.rank !== 2 && ws.rank !== 3))
    throw new GankitError('shape', `${what}: ws must be [batch, d] or [batch, layers, d], got ${describe(ws)}`);
  const d = ws.shape[ws.rank - 1];
  if (!(mean instanceof tf.Tensor) || mean.rank !== 1 || mean.shape[0] !== d)
    throw new GankitError('shape', `${what}: mean must be [${d}], got ${describe(mean)}`);
  if (typeof psi !== 'number' || !Number.isFinite(psi))
    throw new GankitError('config', `${what}: psi must be a finite number, got ${String(psi)}`);
  if (layers !== undefined && (ws.rank !== 3 || !Number.isInteger(layers) || layers < 0)) {
    throw new GankitError(
      'config',
      `${what}: layers (the cutoff) needs per-layer ws [batch, layers, d] and a non-negative integer, got ${String(layers)}`,
    );
  }
  return tf.tidy(() => {
    const truncated = tf.add(mean, tf.mul(psi, tf.sub(ws, mean)));
    if (layers === undefined || layers >= (ws.shape[1] as number)) return truncated;
    const cut = new Array<number>(ws.shape[0]).fill(layers);
    return mixStyles(truncated, ws, cut);
  });
}

/** Configuration of {@link styleMixingLatent}. */
export interface StyleMixingLatentConfig {
  /** Number of style layers L (the generator's `numStyles`). */
  readonly numStyles: number;
  /** Length of each z (the generator's `latentDim`). */
  readonly latentDim: number;
  /** Probability p that an example mixes two latents (default 0.9, as the paper). */
  readonly probability?: number | undefined;
}

/**
 * Style-mixing regularisation (Karras et al. 2019, §3.1) as a latent sampler, for
 * `TrainerOptions.latent` of `@gankit/trainer`: returns `(n, random) => [n, L, latentDim]`, the
 * per-layer z's a {@link styleGenerator} takes. Each example draws z₁; with probability p it also
 * draws z₂ and a crossover layer c uniform in `[1, L − 1]`, and layers ≥ c take z₂ (see
 * {@link mixStyles}); otherwise every layer takes z₁. Every draw comes from the trainer's seeded
 * `random`, so runs and resumes repeat. (The official code draws one crossover per minibatch; this
 * draws one per example.) With p = 0 it is the plain prior, z₁ repeated over the layers.
 */
export function styleMixingLatent(config: StyleMixingLatentConfig): (n: number, random: RandomSource) => tf.Tensor {
  const what = 'styleMixingLatent';
  const layers = checkPositiveInt(config.numStyles, `${what}: numStyles`);
  const dim = checkPositiveInt(config.latentDim, `${what}: latentDim`);
  const p = config.probability ?? 0.9;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new GankitError('config', `${what}: probability must be in [0, 1], got ${String(p)}`);
  return (n, random) => {
    const z1 = random.normal([n, 1, dim], 0, 1, 'style-z1');
    if (p === 0 || layers < 2) {
      const same = tf.tile(z1, [1, layers, 1]);
      z1.dispose();
      return same;
    }
    const z2 = random.normal([n, 1, dim], 0, 1, 'style-z2');
    const next = random.floats('style-mixing');
    const cuts: number[] = [];
    for (let e = 0; e < n; e++) {
      const mix = next() < p;
      const c = 1 + Math.floor(next() * (layers - 1));
      cuts.push(mix ? c : layers);
    }
    return tf.tidy(() => {
      const out = mixStyles(tf.tile(z1, [1, layers, 1]), tf.tile(z2, [1, layers, 1]), cuts);
      tf.dispose([z1, z2]);
      return out;
    });
  };
}
