import { GankitError } from '@gankit/core';
import { mirrorUpper, syrkUpperInPlace } from './linalg-products';
import { toMatrix, type Rows } from './matrix';

/**
 * Accumulates the mean and covariance of feature vectors batch by batch in float64, without
 * keeping the features: each batch is centred on its own mean, its scatter matrix
 * `Σ (x − x̄_b)(x − x̄_b)ᵀ` is added, and batches are merged with Chan et al.'s parallel update
 * (`M₂ = M₂ᵃ + M₂ᵇ + δδᵀ · nₐ n_b / n`), which avoids the cancellation of the naive
 * `Σ x xᵀ − n μ μᵀ`.
 *
 * @example
 * ```ts
 * const stats = new FeatureStatistics();
 * for (const batch of featureBatches) stats.add(batch); // tf.Tensor2D [n, d], number[][], ...
 * const fid = frechetDistance(stats.statistics(), realStats);
 * ```
 */
export class FeatureStatistics {
  private d: number | undefined;
  private n = 0;
  private meanAcc: Float64Array = new Float64Array(0);
  /** Upper triangle of the centred scatter matrix. */
  private m2: Float64Array = new Float64Array(0);

  /**
   * @param dim - the feature dimension, if known; otherwise taken from the first batch (a bare
   *   typed array batch then needs it)
   */
  constructor(dim?: number) {
    if (dim !== undefined) {
      if (!Number.isInteger(dim) || dim < 1)
        throw new GankitError('value', `FeatureStatistics: dim must be a positive integer, got ${dim}`);
      this.init(dim);
    }
  }

  private init(d: number): void {
    this.d = d;
    this.meanAcc = new Float64Array(d);
    this.m2 = new Float64Array(d * d);
  }

  /** Number of feature vectors added so far. */
  get count(): number {
    return this.n;
  }

  /** The feature dimension, or `undefined` before the first batch when none was given. */
  get dim(): number | undefined {
    return this.d;
  }

  /**
   * Adds a batch of feature vectors, one per row.
   *
   * @param batch - `[n, d]`: a `tf.Tensor2D` (read with `dataSync`, not disposed), `number[][]`,
   *   `{ data, dim }` or a bare row-major `Float32Array`/`Float64Array` (its row length is the
   *   accumulator's `dim`)
   * @returns this accumulator
   * @throws GankitError on a dimension mismatch or a non-finite value
   */
  add(batch: Rows): this {
    const x = toMatrix(batch, 'FeatureStatistics.add', this.d);
    if (x.rows === 0) return this;
    if (this.d === undefined) this.init(x.cols);
    const d = this.d as number;
    if (x.cols !== d) throw new GankitError('shape', `FeatureStatistics.add: batch has dimension ${x.cols}, expected ${d}`);
    const nb = x.rows;
    const bm = new Float64Array(d);
    const data = x.data;
    for (let r = 0; r < nb; r++) {
      const off = r * d;
      for (let j = 0; j < d; j++) bm[j] += data[off + j];
    }
    for (let j = 0; j < d; j++) {
      bm[j] /= nb;
      if (!Number.isFinite(bm[j])) {
        throw new GankitError('value', `FeatureStatistics.add: column ${j} of the batch has non-finite values`);
      }
    }
    for (let r = 0; r < nb; r++) {
      const off = r * d;
      for (let j = 0; j < d; j++) data[off + j] -= bm[j];
    }
    this.merge(nb, bm, (m2) => syrkUpperInPlace(m2, data, nb, d));
    return this;
  }

  /** Chan's update: merges a batch of `nb` vectors with mean `bm` whose scatter `addScatter` adds. */
  private merge(nb: number, bm: Float64Array, addScatter: (m2: Float64Array) => void): void {
    const d = this.d as number;
    const na = this.n;
    const n = na + nb;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = bm[j] - this.meanAcc[j];
    addScatter(this.m2);
    if (na > 0) {
      const f = (na * nb) / n;
      for (let i = 0; i < d; i++) {
        const di = delta[i] * f;
        const row = i * d;
        for (let j = i; j < d; j++) this.m2[row + j] += di * delta[j];
      }
    }
    const g = nb / n;
    for (let j = 0; j < d; j++) this.meanAcc[j] += delta[j] * g;
    this.n = n;
  }

  /**
   * Merges another accumulator's data into this one (for statistics gathered in parallel).
   * @returns this accumulator
   */
  mergeFrom(other: FeatureStatistics): this {
    if (other.n === 0) return this;
    if (this.d === undefined) this.init(other.d as number);
    if (other.d !== this.d) throw new GankitError('shape', `FeatureStatistics.mergeFrom: dimension ${other.d} differs from ${this.d}`);
    const om2 = other.m2;
    this.merge(other.n, other.meanAcc, (m2) => {
      for (let i = 0; i < m2.length; i++) m2[i] += om2[i];
    });
    return this;
  }

  /** The mean of the features added so far (a copy, length `d`). @throws GankitError when empty */
  mean(): Float64Array {
    if (this.n === 0) throw new GankitError('state', 'FeatureStatistics.mean: no features have been added');
    return this.meanAcc.slice();
  }

  /**
   * The unbiased sample covariance (divided by `n − 1`, as `numpy.cov`), `d × d` row-major.
   * @throws GankitError with fewer than 2 features
   */
  covariance(): Float64Array {
    if (this.n < 2) throw new GankitError('state', `FeatureStatistics.covariance: needs at least 2 features, got ${this.n}`);
    const d = this.d as number;
    const c = new Float64Array(d * d);
    const s = 1 / (this.n - 1);
    for (let i = 0; i < d; i++) {
      const row = i * d;
      for (let j = i; j < d; j++) c[row + j] = this.m2[row + j] * s;
    }
    mirrorUpper(c, d);
    return c;
  }

  /** `{ mean, covariance }` ready for {@link frechetDistance}. */
  statistics(): { mean: Float64Array; covariance: Float64Array } {
    return { mean: this.mean(), covariance: this.covariance() };
  }
}

/**
 * Accumulates {@link FeatureStatistics} over an iterable of batches.
 *
 * @param batches - batches of feature vectors, one per row (see {@link FeatureStatistics.add})
 * @param dim - the feature dimension, needed only for bare typed-array batches
 */
export function featureStatistics(batches: Iterable<Rows>, dim?: number): FeatureStatistics {
  const s = new FeatureStatistics(dim);
  for (const b of batches) s.add(b);
  return s;
}
