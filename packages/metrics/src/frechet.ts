import { GankitError } from '@gankit/core';
import { workspace } from './dense-kernels';
import { tridiagonalEigenvalues, tridiagonalizeInPlace } from './linalg-eigen';
import { TRACE_SQRT_A, TRACE_SQRT_B, traceSqrtProductInPlace, traceSqrtWorkspace } from './linalg-trace-sqrt';

/** A vector: a plain array or a typed array. */
export type VectorLike = ArrayLike<number>;

/** A square matrix: nested rows, or a row-major `Float64Array` / `Float32Array` of `d · d` values. */
export type SquareMatrixLike = number[][] | Float64Array | Float32Array;

/** The first two moments of a set of feature vectors, as {@link FeatureStatistics.statistics} returns them. */
export interface GaussianStatistics {
  /** The mean, length `d`. */
  readonly mean: VectorLike;
  /** The `d × d` covariance, nested rows or row-major. */
  readonly covariance: SquareMatrixLike;
}

/** Options of {@link frechetDistance}. */
export interface FrechetDistanceOptions {
  /**
   * Largest accepted asymmetry `|Σ[i,j] − Σ[j,i]|`, relative to the largest absolute entry.
   * The matrices are symmetrised before use. Default `1e-5`.
   */
  symmetryTolerance?: number | undefined;
}

/** Copies a square matrix into `out` (row-major float64, from element `off`) after checking its size. */
function readSquare(m: SquareMatrixLike, d: number, what: string, out: Float64Array, off: number): void {
  if (Array.isArray(m)) {
    if (m.length !== d) throw new GankitError('shape', `${what}: expected ${d} rows (the mean's length), got ${m.length}`);
    for (let i = 0; i < d; i++) {
      const row = m[i];
      if (!Array.isArray(row) || row.length !== d) {
        throw new GankitError('shape', `${what}: row ${i} has length ${Array.isArray(row) ? row.length : typeof row}, expected ${d}`);
      }
      for (let j = 0; j < d; j++) out[off + i * d + j] = row[j];
    }
  } else if (m instanceof Float64Array || m instanceof Float32Array) {
    if (m.length !== d * d) {
      throw new GankitError('shape', `${what}: expected ${d} x ${d} = ${d * d} values (row-major), got ${m.length}`);
    }
    out.set(m, off);
  } else {
    throw new GankitError('dtype', `${what}: expected number[][] or a row-major Float64Array/Float32Array`);
  }
}

function readMean(s: GaussianStatistics, which: string, d: number | undefined): Float64Array {
  if (!s || typeof s !== 'object' || s.mean == null || s.covariance == null) {
    throw new GankitError('value', `frechetDistance: ${which} must be { mean, covariance }`);
  }
  const dim = d ?? s.mean.length;
  if (s.mean.length !== dim) {
    throw new GankitError('shape', `frechetDistance: ${which}.mean has length ${s.mean.length}, expected ${dim} like the other mean`);
  }
  if (dim < 1) throw new GankitError('shape', `frechetDistance: ${which}.mean is empty`);
  const mean = Float64Array.from(s.mean);
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(mean[i])) throw new GankitError('value', `frechetDistance: ${which}.mean[${i}] is ${mean[i]}, not finite`);
  }
  return mean;
}

/** Reads, checks and symmetrises a covariance into `out` at `off`; returns its trace. */
function readCovariance(s: GaussianStatistics, which: string, dim: number, symTol: number, out: Float64Array, off: number): number {
  readSquare(s.covariance, dim, `frechetDistance: ${which}.covariance`, out, off);
  let maxAbs = 0;
  for (let i = off; i < off + dim * dim; i++) {
    const v = out[i];
    if (!Number.isFinite(v)) {
      const at = i - off;
      throw new GankitError('value', `frechetDistance: ${which}.covariance[${Math.floor(at / dim)}][${at % dim}] is ${v}, not finite`);
    }
    if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  }
  const tol = symTol * maxAbs;
  let trace = 0;
  for (let i = 0; i < dim; i++) {
    const ii = out[off + i * dim + i];
    if (ii < -tol) {
      throw new GankitError(
        'value',
        `frechetDistance: ${which}.covariance has a negative diagonal entry ${ii} at [${i}][${i}]; a covariance is positive semi-definite`,
      );
    }
    trace += ii;
  }
  // Symmetrise in 32 × 32 tiles (the upper triangle is read down columns).
  const tile = 32;
  for (let i0 = 0; i0 < dim; i0 += tile) {
    for (let j0 = 0; j0 <= i0; j0 += tile) {
      const i1 = Math.min(dim, i0 + tile);
      for (let i = i0; i < i1; i++) {
        const j1 = Math.min(j0 + tile, i);
        for (let j = j0; j < j1; j++) {
          const x = off + i * dim + j;
          const y = off + j * dim + i;
          const a = out[x];
          const b = out[y];
          if (Math.abs(a - b) > tol) {
            throw new GankitError(
              'value',
              `frechetDistance: ${which}.covariance is not symmetric: [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`,
            );
          }
          const m = 0.5 * (a + b);
          out[x] = m;
          out[y] = m;
        }
      }
    }
  }
  return trace;
}

/**
 * Eigenvalues of a real symmetric matrix, in ascending order, by Householder tridiagonalisation
 * and the implicit symmetric QR algorithm with Wilkinson shifts (float64). Only the lower triangle
 * is read.
 *
 * @param matrix - `n × n`: nested rows, or a row-major `Float64Array` / `Float32Array`
 * @throws GankitError when the matrix is not square or has non-finite entries
 */
export function symmetricEigenvalues(matrix: SquareMatrixLike): Float64Array {
  const n = Array.isArray(matrix) ? matrix.length : Math.round(Math.sqrt(matrix.length));
  const k = workspace(n * n + 6 * n);
  const h = k.heap;
  readSquare(matrix, n, 'symmetricEigenvalues', h, 0);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(h[i])) throw new GankitError('value', `symmetricEigenvalues: entry ${i} is ${h[i]}, not finite`);
  }
  if (n === 0) return new Float64Array(0);
  const { d, e } = tridiagonalizeInPlace(k, 0, n, n, n * n);
  return tridiagonalEigenvalues(d, e).sort();
}

/**
 * The Fréchet distance between two Gaussians — FID when the statistics are those of Inception
 * features of real and generated images (Heusel et al. 2017):
 *
 * `d² = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2 · Tr((Σ₁ Σ₂)^½)`
 *
 * The trace of the matrix square root is computed for symmetric positive semi-definite
 * covariances without a general `sqrtm`: with a pivoted Cholesky factor `Σ₂ = L Lᵀ`, `Σ₁ Σ₂` has
 * the eigenvalues of the symmetric PSD matrix `Lᵀ Σ₁ L`, and `Tr((Σ₁ Σ₂)^½) = Σ √max(λᵢ, 0)`
 * (eigenvalues by Householder tridiagonalisation and implicit QR, float64). It agrees with the
 * reference implementations' `scipy.linalg.sqrtm(Σ₁ Σ₂)` formula on well-conditioned inputs, and
 * stays finite and ≥ 0 on singular covariances (fewer samples than dimensions), where `sqrtm` can
 * return complex or non-finite values. The result is clamped at 0 against rounding.
 *
 * Cost: about `4d³/3` multiply-adds, on WebAssembly SIMD kernels where the engine has them
 * (else plain JavaScript); d = 2048 takes about 2 s (see the package README). The solver's
 * workspace (`3d² + 6d` float64 values) is kept for the next call.
 *
 * @param a - `{ mean, covariance }` of the first set (e.g. real images)
 * @param b - `{ mean, covariance }` of the second set (e.g. generated images)
 * @param options - `symmetryTolerance`
 * @returns the squared Fréchet distance (the number reported as "FID")
 * @throws GankitError when sizes disagree, a value is not finite, a covariance is not symmetric
 *   within tolerance, or has a negative diagonal
 *
 * @example
 * ```ts
 * const real = featureStatistics(realFeatureBatches).statistics();
 * const fake = featureStatistics(fakeFeatureBatches).statistics();
 * const fid = frechetDistance(real, fake);
 * ```
 */
export function frechetDistance(a: GaussianStatistics, b: GaussianStatistics, options: FrechetDistanceOptions = {}): number {
  const { symmetryTolerance = 1e-5 } = options;
  if (!(symmetryTolerance >= 0)) {
    throw new GankitError('value', `frechetDistance: symmetryTolerance must be >= 0, got ${symmetryTolerance}`);
  }
  const meanA = readMean(a, 'a', undefined);
  const d = meanA.length;
  const meanB = readMean(b, 'b', d);
  let meanTerm = 0;
  for (let i = 0; i < d; i++) {
    const t = meanA[i] - meanB[i];
    meanTerm += t * t;
  }
  // Both covariances go straight into the solver's workspace (Σ₂ where it is factored).
  const k = workspace(traceSqrtWorkspace(d));
  const traces =
    readCovariance(a, 'a', d, symmetryTolerance, k.heap, TRACE_SQRT_A * d * d) +
    readCovariance(b, 'b', d, symmetryTolerance, k.heap, TRACE_SQRT_B * d * d);
  const trSqrt = traceSqrtProductInPlace(k, d);
  const fid = meanTerm + traces - 2 * trSqrt;
  return fid > 0 ? fid : 0;
}
