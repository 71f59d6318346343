import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import type { Rows } from './matrix';
import { meanStd, type ScoreWithStd } from './inception-score';
import { toTensor2d } from './tensor-input';

/** Options of {@link kernelInceptionDistance}. */
export interface KernelInceptionDistanceOptions {
  /** Number of random subsets the MMD² is averaged over. Default 100. */
  subsets?: number | undefined;
  /** Rows drawn (without replacement) from each set per subset; capped at the smaller set's size. Default 1000. */
  subsetSize?: number | undefined;
  /** Degree of the polynomial kernel (a positive integer). Default 3. */
  degree?: number | undefined;
  /** Scale of the dot product in the kernel. Default `1 / d`. */
  gamma?: number | undefined;
  /** Constant added in the kernel. Default 1. */
  coef0?: number | undefined;
  /** Seed of the subset sampling (through `RandomSource` of `@gankit/core`). Default 0. */
  seed?: number | undefined;
  /** Row length when inputs are bare typed arrays. */
  dim?: number | undefined;
}

/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared maximum
 * mean discrepancy between two sets of features under the polynomial kernel
 * `k(x, y) = (γ · x·y + c₀)^degree` (default `(x·y / d + 1)³`), averaged over random subsets.
 *
 * For each of `subsets` rounds, `m = min(subsetSize, n_A, n_B)` rows are drawn without
 * replacement from each set and
 * `MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ)/m²`.
 * Returns the mean and population standard deviation over subsets. The estimate is unbiased, so
 * it can be slightly negative when the two distributions are the same.
 *
 * The Gram matrices are computed on the active tfjs backend in float32 (one subset at a time, so
 * memory stays at three `m × m` matrices); their row sums are finished in float64.
 *
 * @param featsA - `[n_A, d]` features (e.g. of real images): a `tf.Tensor2D` (not disposed),
 *   `number[][]`, `{ data, dim }` or a typed array with `dim`
 * @param featsB - `[n_B, d]` features (e.g. of generated images)
 * @param options - `subsets`, `subsetSize`, `degree`, `gamma`, `coef0`, `seed`
 * @throws GankitError when the dimensions differ, a set has fewer than 2 rows, or an option is out of range
 */
export function kernelInceptionDistance(featsA: Rows, featsB: Rows, options: KernelInceptionDistanceOptions = {}): ScoreWithStd {
  const { subsets = 100, subsetSize = 1000, degree = 3, coef0 = 1, seed = 0 } = options;
  if (!Number.isInteger(subsets) || subsets < 1)
    throw new GankitError('value', `kernelInceptionDistance: subsets must be a positive integer, got ${subsets}`);
  if (!Number.isInteger(subsetSize) || subsetSize < 2) {
    throw new GankitError('value', `kernelInceptionDistance: subsetSize must be an integer >= 2, got ${subsetSize}`);
  }
  if (!Number.isInteger(degree) || degree < 1)
    throw new GankitError('value', `kernelInceptionDistance: degree must be a positive integer, got ${degree}`);
  if (!Number.isFinite(coef0)) throw new GankitError('value', `kernelInceptionDistance: coef0 must be finite, got ${coef0}`);
  const a = toTensor2d(featsA, 'kernelInceptionDistance (featsA)', options.dim);
  let b: { t: tf.Tensor2D; owned: boolean } | undefined;
  try {
    b = toTensor2d(featsB, 'kernelInceptionDistance (featsB)', options.dim);
    const [na, d] = a.t.shape;
    const [nb, db] = b.t.shape;
    if (d !== db) throw new GankitError('shape', `kernelInceptionDistance: featsA have dimension ${d} but featsB have dimension ${db}`);
    if (na < 2 || nb < 2) throw new GankitError('shape', `kernelInceptionDistance: each set needs at least 2 rows, got ${na} and ${nb}`);
    const gamma = options.gamma ?? 1 / d;
    if (!(Number.isFinite(gamma) && gamma > 0))
      throw new GankitError('value', `kernelInceptionDistance: gamma must be a positive finite number, got ${gamma}`);
    const m = Math.min(subsetSize, na, nb);
    const rng = new RandomSource(seed);
    const kernel = (dots: tf.Tensor): tf.Tensor => {
      const base = tf.add(tf.mul(dots, gamma), coef0);
      let k = base;
      for (let p = 1; p < degree; p++) k = tf.mul(k, base);
      return k;
    };
    const sum64 = (x: Float32Array | Int32Array | Uint8Array): number => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      return s;
    };
    const values: number[] = [];
    const ta = a.t;
    const tb = b.t;
    for (let s = 0; s < subsets; s++) {
      const ia = rng.permutation(na, 'kid-a').subarray(0, m);
      const ib = rng.permutation(nb, 'kid-b').subarray(0, m);
      const sums = tf.tidy(() => {
        const x = tf.gather(ta, tf.tensor1d(ia, 'int32'));
        const y = tf.gather(tb, tf.tensor1d(ib, 'int32'));
        const xt = tf.transpose(x);
        const yt = tf.transpose(y);
        const kxx = tf.sum(kernel(tf.matMul(x, xt)), 1);
        const kyy = tf.sum(kernel(tf.matMul(y, yt)), 1);
        const kxy = tf.sum(kernel(tf.matMul(x, yt)), 1);
        const dx = kernel(tf.sum(tf.square(x), 1));
        const dy = kernel(tf.sum(tf.square(y), 1));
        return tf.stack([kxx, kyy, kxy, dx, dy]);
      });
      const v = sums.dataSync() as Float32Array;
      sums.dispose();
      const sxx = sum64(v.subarray(0, m)) - sum64(v.subarray(3 * m, 4 * m));
      const syy = sum64(v.subarray(m, 2 * m)) - sum64(v.subarray(4 * m, 5 * m));
      const sxy = sum64(v.subarray(2 * m, 3 * m));
      values.push(sxx / (m * (m - 1)) + syy / (m * (m - 1)) - (2 * sxy) / (m * m));
    }
    return meanStd(values);
  } finally {
    if (a.owned) a.t.dispose();
    if (b?.owned) b.t.dispose();
  }
}
