import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { Rows } from './matrix';
import { toTensor2d } from './tensor-input';

/** Options of {@link precisionRecall}. */
export interface PrecisionRecallOptions {
  /** The k of the k-nearest-neighbour radii. Default 3 (as in Kynkäänniemi et al. 2019). */
  k?: number | undefined;
  /** Rows per block of the pairwise-distance computation (memory: `batchSize × n` floats). Default 1024. */
  batchSize?: number | undefined;
  /** Row length when inputs are bare typed arrays. */
  dim?: number | undefined;
}

/** The result of {@link precisionRecall}. */
export interface PrecisionRecallResult {
  /** Fraction of generated samples inside the real manifold. */
  precision: number;
  /** Fraction of real samples inside the generated manifold. */
  recall: number;
}

/** Squared distances of each row of `q` to each row of `ref`, `[q, ref]`, clamped at 0. */
function sqDist(q: tf.Tensor2D, ref: tf.Tensor2D, refNorms: tf.Tensor): tf.Tensor2D {
  const qn = tf.sum(tf.square(q), 1, true);
  const cross = tf.matMul(q, tf.transpose(ref));
  return tf.relu(tf.add(tf.sub(qn, tf.mul(cross, 2)), refNorms)) as tf.Tensor2D;
}

/** Squared distance of each row to its k-th nearest other row (the row itself counts as the 0th). */
function manifoldRadii2(x: tf.Tensor2D, k: number, batch: number): tf.Tensor1D {
  const n = x.shape[0];
  const parts: tf.Tensor[] = [];
  const norms = tf.tidy(() => tf.reshape(tf.sum(tf.square(x), 1), [1, n]));
  try {
    for (let lo = 0; lo < n; lo += batch) {
      const hi = Math.min(n, lo + batch);
      parts.push(
        tf.tidy(() => {
          const q = tf.slice(x, [lo, 0], [hi - lo, -1]) as tf.Tensor2D;
          const { values } = tf.topk(tf.neg(sqDist(q, x, norms)), k + 1);
          return tf.reshape(tf.neg(tf.slice(values, [0, k], [-1, 1])), [hi - lo]);
        }),
      );
    }
    return tf.concat(parts) as tf.Tensor1D;
  } finally {
    tf.dispose(parts);
    norms.dispose();
  }
}

/** Fraction of rows of `q` within the radius of at least one row of `ref`. */
function coverage(ref: tf.Tensor2D, radii2: tf.Tensor1D, q: tf.Tensor2D, batch: number): number {
  const n = ref.shape[0];
  const nq = q.shape[0];
  let inside = 0;
  const norms = tf.tidy(() => tf.reshape(tf.sum(tf.square(ref), 1), [1, n]));
  try {
    for (let lo = 0; lo < nq; lo += batch) {
      const hi = Math.min(nq, lo + batch);
      const slack = tf.tidy(() => {
        const part = tf.slice(q, [lo, 0], [hi - lo, -1]) as tf.Tensor2D;
        return tf.min(tf.sub(sqDist(part, ref, norms), radii2), 1);
      });
      const v = slack.dataSync();
      slack.dispose();
      for (let i = 0; i < v.length; i++) if (v[i] <= 0) inside++;
    }
  } finally {
    norms.dispose();
  }
  return inside / nq;
}

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019). Each set's manifold is the union of
 * balls around its samples, each ball's radius the distance to the sample's k-th nearest
 * neighbour within the same set. Precision is the fraction of generated samples inside the real
 * manifold; recall the fraction of real samples inside the generated manifold. A point on a ball's
 * boundary counts as inside.
 *
 * Distances are computed on the active tfjs backend in float32 blocks of `batchSize` rows (both
 * sets are first centred on the real mean, which keeps the `‖a‖² + ‖b‖² − 2a·b` expansion
 * accurate).
 *
 * @param real - `[n_r, d]` real features: a `tf.Tensor2D` (not disposed), `number[][]`,
 *   `{ data, dim }` or a typed array with `dim`
 * @param fake - `[n_f, d]` generated features
 * @param options - `k` (default 3), `batchSize`
 * @throws GankitError when the dimensions differ or a set has `k` rows or fewer
 */
export function precisionRecall(real: Rows, fake: Rows, options: PrecisionRecallOptions = {}): PrecisionRecallResult {
  const { k = 3, batchSize = 1024 } = options;
  if (!Number.isInteger(k) || k < 1) throw new GankitError('value', `precisionRecall: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new GankitError('value', `precisionRecall: batchSize must be a positive integer, got ${batchSize}`);
  const r = toTensor2d(real, 'precisionRecall (real)', options.dim);
  let f: { t: tf.Tensor2D; owned: boolean } | undefined;
  const held: tf.Tensor[] = [];
  try {
    f = toTensor2d(fake, 'precisionRecall (fake)', options.dim);
    const [nr, d] = r.t.shape;
    const [nf, df] = f.t.shape;
    if (d !== df) throw new GankitError('shape', `precisionRecall: real has dimension ${d} but fake has dimension ${df}`);
    if (nr <= k || nf <= k) {
      throw new GankitError('shape', `precisionRecall: each set needs more than k = ${k} rows, got ${nr} real and ${nf} fake`);
    }
    const mean = tf.mean(r.t, 0, true);
    held.push(mean);
    const rc = tf.sub(r.t, mean) as tf.Tensor2D;
    held.push(rc);
    const fc = tf.sub(f.t, mean) as tf.Tensor2D;
    held.push(fc);
    const realRadii = manifoldRadii2(rc, k, batchSize);
    held.push(realRadii);
    const fakeRadii = manifoldRadii2(fc, k, batchSize);
    held.push(fakeRadii);
    return {
      precision: coverage(rc, realRadii, fc, batchSize),
      recall: coverage(fc, fakeRadii, rc, batchSize),
    };
  } finally {
    tf.dispose(held);
    if (r.owned) r.t.dispose();
    if (f?.owned) f.t.dispose();
  }
}
