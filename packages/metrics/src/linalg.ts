/**
 * Dense float64 linear algebra for the metrics: a symmetric rank-k update, pivoted Cholesky,
 * Householder tridiagonalisation and the implicit symmetric QR algorithm. Everything is written
 * for row-major `Float64Array`s with contiguous inner loops.
 *
 * @internal
 */
import { GankitError } from '@gankit/core';

const EPS = 2 ** -52;

/**
 * `C[i, j] += Σ_r X[r, i] · X[r, j]` for `j ≥ i` (upper triangle only), where `X` is `m × d`
 * row-major. Works on blocks of rows transposed into a scratch buffer so that the inner loops are
 * contiguous dot products, with 2 × 2 register blocking.
 * @internal
 */
export function syrkUpperInPlace(c: Float64Array, x: Float64Array, m: number, d: number): void {
  const block = 64;
  const xt = new Float64Array(d * block);
  for (let r0 = 0; r0 < m; r0 += block) {
    const mb = Math.min(block, m - r0);
    // Transpose rows r0 .. r0+mb into xt (d × mb).
    for (let r = 0; r < mb; r++) {
      const off = (r0 + r) * d;
      for (let i = 0; i < d; i++) xt[i * mb + r] = x[off + i];
    }
    let i = 0;
    for (; i + 1 < d; i += 2) {
      const a0 = i * mb;
      const a1 = a0 + mb;
      // diagonal 2x2 block
      let s00 = 0;
      let s01 = 0;
      let s11 = 0;
      for (let r = 0; r < mb; r++) {
        const u = xt[a0 + r];
        const v = xt[a1 + r];
        s00 += u * u;
        s01 += u * v;
        s11 += v * v;
      }
      c[i * d + i] += s00;
      c[i * d + i + 1] += s01;
      c[(i + 1) * d + i + 1] += s11;
      let j = i + 2;
      for (; j + 1 < d; j += 2) {
        const b0 = j * mb;
        const b1 = b0 + mb;
        let t00 = 0;
        let t01 = 0;
        let t10 = 0;
        let t11 = 0;
        for (let r = 0; r < mb; r++) {
          const u0 = xt[a0 + r];
          const u1 = xt[a1 + r];
          const v0 = xt[b0 + r];
          const v1 = xt[b1 + r];
          t00 += u0 * v0;
          t01 += u0 * v1;
          t10 += u1 * v0;
          t11 += u1 * v1;
        }
        c[i * d + j] += t00;
        c[i * d + j + 1] += t01;
        c[(i + 1) * d + j] += t10;
        c[(i + 1) * d + j + 1] += t11;
      }
      if (j < d) {
        const b0 = j * mb;
        let t0 = 0;
        let t1 = 0;
        for (let r = 0; r < mb; r++) {
          const v = xt[b0 + r];
          t0 += xt[a0 + r] * v;
          t1 += xt[a1 + r] * v;
        }
        c[i * d + j] += t0;
        c[(i + 1) * d + j] += t1;
      }
    }
    if (i < d) {
      const a0 = i * mb;
      let s = 0;
      for (let r = 0; r < mb; r++) s += xt[a0 + r] * xt[a0 + r];
      c[i * d + i] += s;
    }
  }
}

/** Copies the upper triangle of a square row-major matrix onto its lower triangle. @internal */
export function mirrorUpper(c: Float64Array, d: number): void {
  for (let i = 1; i < d; i++) {
    for (let j = 0; j < i; j++) c[i * d + j] = c[j * d + i];
  }
}

/** The result of {@link pivotedCholesky}. @internal */
export interface PivotedCholesky {
  /** `n × rank` factor, row-major, in pivoted order: `A[perm[i], perm[j]] ≈ (L Lᵀ)[i, j]`. */
  l: Float64Array;
  /** Number of columns kept. */
  rank: number;
  /** The pivot order. */
  perm: Int32Array;
}

/**
 * Cholesky factorisation with diagonal (complete) pivoting of a symmetric positive semi-definite
 * matrix, left-looking (dot-product form). Stops when the largest remaining diagonal of the Schur
 * complement is at most `n · ε · max diag(A)`, so a singular matrix gets a factor of lower rank.
 * Only the lower triangle of `a` is read.
 * @internal
 */
export function pivotedCholesky(a: Float64Array, n: number): PivotedCholesky {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const diag = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    diag[i] = a[i * n + i];
    if (diag[i] > maxDiag) maxDiag = diag[i];
  }
  const tol = n * EPS * maxDiag;
  // L stored with row stride n (column k of row i at i * n + k).
  const l = new Float64Array(n * n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (diag[i] > diag[p]) p = i;
    if (!(diag[p] > tol)) break;
    if (p !== k) {
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      const td = diag[k];
      diag[k] = diag[p];
      diag[p] = td;
      const rk = k * n;
      const rp = p * n;
      for (let j = 0; j < k; j++) {
        const tv = l[rk + j];
        l[rk + j] = l[rp + j];
        l[rp + j] = tv;
      }
    }
    const lkk = Math.sqrt(diag[k]);
    l[k * n + k] = lkk;
    const pk = perm[k];
    const rk = k * n;
    const entry = (i: number): number => {
      const pi = perm[i];
      return pi >= pk ? a[pi * n + pk] : a[pk * n + pi];
    };
    let i = k + 1;
    // Four rows at a time share the loads of row k.
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < k; j++) {
        const y = l[rk + j];
        s0 += l[r0 + j] * y;
        s1 += l[r1 + j] * y;
        s2 += l[r2 + j] * y;
        s3 += l[r3 + j] * y;
      }
      const v0 = (entry(i) - s0) / lkk;
      const v1 = (entry(i + 1) - s1) / lkk;
      const v2 = (entry(i + 2) - s2) / lkk;
      const v3 = (entry(i + 3) - s3) / lkk;
      l[r0 + k] = v0;
      l[r1 + k] = v1;
      l[r2 + k] = v2;
      l[r3 + k] = v3;
      diag[i] -= v0 * v0;
      diag[i + 1] -= v1 * v1;
      diag[i + 2] -= v2 * v2;
      diag[i + 3] -= v3 * v3;
    }
    for (; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = 0; j < k; j++) s += l[ri + j] * l[rk + j];
      const v = (entry(i) - s) / lkk;
      l[ri + k] = v;
      diag[i] -= v * v;
    }
    rank = k + 1;
  }
  return { l, rank, perm };
}

/**
 * Reduces a symmetric matrix to tridiagonal form by Householder reflections and returns its
 * diagonal and off-diagonal. Only the lower triangle of `a` (row-major, `n × n`) is read and it is
 * overwritten. Each step's rank-2 update of the trailing matrix is fused with the next step's
 * matrix-vector product, so the trailing matrix is streamed once per step.
 * @internal
 */
export function tridiagonalize(a: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  if (n === 1) d[0] = a[0];
  if (n <= 1) return { d, e };
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const w = new Float64Array(n);
  const vOld = new Float64Array(n);
  const wOld = new Float64Array(n);

  // Builds the reflector for column k (entries k+1..n-1 of a[i, k]): v, beta, e[k]. Returns beta.
  const reflector = (k: number): number => {
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + k]));
    if (scale === 0) {
      e[k] = 0;
      for (let i = k + 1; i < n; i++) v[i] = 0;
      return 0;
    }
    let ss = 0;
    for (let i = k + 1; i < n; i++) {
      const t = a[i * n + k] / scale;
      v[i] = t;
      ss += t * t;
    }
    const x0 = v[k + 1];
    const sigma = Math.sqrt(ss);
    const alpha = x0 >= 0 ? -sigma : sigma;
    v[k + 1] = x0 - alpha;
    const vtv = ss - x0 * x0 + v[k + 1] * v[k + 1];
    e[k] = alpha * scale;
    return 2 / vtv;
  };

  // First step: plain symmetric matvec p = S v on the trailing matrix S = a[1:, 1:].
  let beta = reflector(0);
  p.fill(0);
  if (beta !== 0) {
    for (let i = 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i];
      let s = 0;
      for (let j = 1; j < i; j++) {
        const aij = a[ri + j];
        s += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += s + a[ri + i] * vi;
    }
  }

  for (let k = 0; k < n - 1; k++) {
    d[k] = a[k * n + k];
    if (k === n - 2) {
      // Last 2 × 2: nothing to reflect; e[k] is the remaining sub-diagonal.
      e[k] = a[(k + 1) * n + k];
      d[k + 1] = a[(k + 1) * n + k + 1];
      break;
    }
    const k1 = k + 1;
    if (beta !== 0) {
      // w = beta p - (beta^2 / 2) (v . p) v
      let vp = 0;
      for (let i = k1; i < n; i++) vp += v[i] * p[i];
      const kk = 0.5 * beta * beta * vp;
      for (let i = k1; i < n; i++) w[i] = beta * p[i] - kk * v[i];
      // Update column k+1 of the trailing matrix first (entries i >= k+1).
      const vk = v[k1];
      const wk = w[k1];
      for (let i = k1; i < n; i++) a[i * n + k1] -= v[i] * wk + w[i] * vk;
    }
    // The next reflector comes from the updated column k+1.
    const hasNext = k1 <= n - 3;
    let betaN = 0;
    // Save the current v, w (full-length, indexed like the matrix) before the reflector overwrites v.
    const oldActive = beta !== 0;
    if (oldActive) {
      vOld.set(v.subarray(k1), k1);
      wOld.set(w.subarray(k1), k1);
    }
    if (hasNext) betaN = reflector(k1);
    p.fill(0);
    const k2 = k1 + 1;
    if (oldActive) {
      // Fused pass over rows i >= k+2, columns k+2 .. i, two rows at a time: rank-2 update,
      // then p = S' u for the next step's reflector u.
      let i = k2;
      for (; i + 1 < n; i += 2) {
        const r0 = i * n;
        const r1 = r0 + n;
        const vi0 = vOld[i];
        const wi0 = wOld[i];
        const ui0 = v[i];
        const vi1 = vOld[i + 1];
        const wi1 = wOld[i + 1];
        const ui1 = v[i + 1];
        let s0 = 0;
        let s1 = 0;
        for (let j = k2; j < i; j++) {
          const vj = vOld[j];
          const wj = wOld[j];
          const uj = v[j];
          const a0 = a[r0 + j] - vi0 * wj - wi0 * vj;
          const a1 = a[r1 + j] - vi1 * wj - wi1 * vj;
          a[r0 + j] = a0;
          a[r1 + j] = a1;
          s0 += a0 * uj;
          s1 += a1 * uj;
          p[j] += a0 * ui0 + a1 * ui1;
        }
        // columns i and i + 1: a[i][i], a[i+1][i], a[i+1][i+1]
        const aii = a[r0 + i] - 2 * vi0 * wi0;
        const a10 = a[r1 + i] - vi1 * wi0 - wi1 * vi0;
        const a11 = a[r1 + i + 1] - 2 * vi1 * wi1;
        a[r0 + i] = aii;
        a[r1 + i] = a10;
        a[r1 + i + 1] = a11;
        p[i] += s0 + aii * ui0 + a10 * ui1;
        p[i + 1] += s1 + a10 * ui0 + a11 * ui1;
      }
      if (i < n) {
        const ri = i * n;
        const vi = vOld[i];
        const wi = wOld[i];
        const ui = v[i];
        let s = 0;
        for (let j = k2; j < i; j++) {
          const aij = a[ri + j] - vi * wOld[j] - wi * vOld[j];
          a[ri + j] = aij;
          s += aij * v[j];
          p[j] += aij * ui;
        }
        const aii = a[ri + i] - 2 * vi * wi;
        a[ri + i] = aii;
        p[i] += s + aii * ui;
      }
    } else if (betaN !== 0) {
      for (let i = k2; i < n; i++) {
        const ri = i * n;
        const ui = v[i];
        let s = 0;
        for (let j = k2; j < i; j++) {
          const aij = a[ri + j];
          s += aij * v[j];
          p[j] += aij * ui;
        }
        p[i] += s + a[ri + i] * ui;
      }
    }
    beta = betaN;
  }
  return { d, e };
}

/**
 * Eigenvalues of a symmetric tridiagonal matrix (diagonal `d`, sub-diagonal `e`; both overwritten)
 * by the implicit symmetric QR algorithm with Wilkinson shifts. Returns `d`, unsorted.
 * @internal
 */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  let hi = n - 1;
  let iterations = 0;
  const maxIterations = 60 * Math.max(n, 1);
  while (hi > 0) {
    // Deflate negligible off-diagonals at the bottom.
    const tail = Math.abs(e[hi - 1]);
    if (tail <= EPS * (Math.abs(d[hi - 1]) + Math.abs(d[hi])) || tail < 1e-300) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0) {
      const t = Math.abs(e[lo - 1]);
      if (t <= EPS * (Math.abs(d[lo - 1]) + Math.abs(d[lo])) || t < 1e-300) {
        e[lo - 1] = 0;
        break;
      }
      lo--;
    }
    if (++iterations > maxIterations) {
      throw new GankitError('numeric', `symmetric eigensolver: QR iteration did not converge after ${maxIterations} steps`);
    }
    // Wilkinson shift from the trailing 2 × 2 block.
    const eb = e[hi - 1];
    const delta = (d[hi - 1] - d[hi]) / 2;
    const denom = delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, eb);
    const mu = d[hi] - (eb * eb) / denom;
    let x = d[lo] - mu;
    let z = e[lo];
    for (let k = lo; k < hi; k++) {
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r;
      const s = r === 0 ? 0 : z / r;
      if (k > lo) e[k - 1] = r;
      const a0 = d[k];
      const b0 = e[k];
      const c0 = d[k + 1];
      const cs = c * s;
      d[k] = c * c * a0 + 2 * cs * b0 + s * s * c0;
      d[k + 1] = s * s * a0 - 2 * cs * b0 + c * c * c0;
      e[k] = cs * (c0 - a0) + (c * c - s * s) * b0;
      x = e[k];
      if (k < hi - 1) {
        z = s * e[k + 1];
        e[k + 1] *= c;
      }
    }
  }
  return d;
}

/**
 * `M = Lᵀ A L` for a symmetric `A` (`n × n`, full storage, already in pivoted order) and a
 * lower-trapezoidal `L` (`n × r`, row stride `n`, zero above its diagonal). Returns `M` (`r × r`,
 * row-major, lower triangle filled) using contiguous dot products.
 * @internal
 */
export function congruenceLower(a: Float64Array, l: Float64Array, n: number, r: number): Float64Array {
  // lt[j, :] = column j of L (nonzero from index j).
  const lt = new Float64Array(r * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const lim = Math.min(i + 1, r);
    for (let j = 0; j < lim; j++) lt[j * n + i] = l[ri + j];
  }
  // gt[j, k] = (A L)[k, j] = Σ_{m ≥ j} A[k, m] L[m, j]
  const gt = new Float64Array(r * n);
  let j = 0;
  for (; j + 1 < r; j += 2) {
    const l0 = j * n;
    const l1 = l0 + n;
    let k = 0;
    // 4 rows of A × 2 columns of L: 6 loads per 8 multiply-adds.
    for (; k + 3 < n; k += 4) {
      const a0 = k * n;
      const a1 = a0 + n;
      const a2 = a1 + n;
      const a3 = a2 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let m = j; m < n; m++) {
        const y0 = lt[l0 + m];
        const y1 = lt[l1 + m];
        const x0 = a[a0 + m];
        const x1 = a[a1 + m];
        const x2 = a[a2 + m];
        const x3 = a[a3 + m];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      gt[l0 + k] = s00;
      gt[l1 + k] = s01;
      gt[l0 + k + 1] = s10;
      gt[l1 + k + 1] = s11;
      gt[l0 + k + 2] = s20;
      gt[l1 + k + 2] = s21;
      gt[l0 + k + 3] = s30;
      gt[l1 + k + 3] = s31;
    }
    for (; k < n; k++) {
      const a0 = k * n;
      let s0 = 0;
      let s1 = 0;
      for (let m = j; m < n; m++) {
        s0 += a[a0 + m] * lt[l0 + m];
        s1 += a[a0 + m] * lt[l1 + m];
      }
      gt[l0 + k] = s0;
      gt[l1 + k] = s1;
    }
  }
  if (j < r) {
    const l0 = j * n;
    for (let k = 0; k < n; k++) {
      const a0 = k * n;
      let s = 0;
      for (let m = j; m < n; m++) s += a[a0 + m] * lt[l0 + m];
      gt[l0 + k] = s;
    }
  }
  // M[b, c] (b ≥ c) = Σ_{k ≥ b} L[k, b] G[k, c] = Σ_{k ≥ b} lt[b, k] gt[c, k]
  const out = new Float64Array(r * r);
  for (let b = 0; b < r; b++) {
    const lb = b * n;
    let c = 0;
    for (; c + 3 <= b; c += 4) {
      const g0 = c * n;
      const g1 = g0 + n;
      const g2 = g1 + n;
      const g3 = g2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = b; k < n; k++) {
        const y = lt[lb + k];
        s0 += y * gt[g0 + k];
        s1 += y * gt[g1 + k];
        s2 += y * gt[g2 + k];
        s3 += y * gt[g3 + k];
      }
      const o = b * r + c;
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
    }
    for (; c + 1 <= b; c += 2) {
      const g0 = c * n;
      const g1 = g0 + n;
      let s0 = 0;
      let s1 = 0;
      for (let k = b; k < n; k++) {
        const y = lt[lb + k];
        s0 += y * gt[g0 + k];
        s1 += y * gt[g1 + k];
      }
      out[b * r + c] = s0;
      out[b * r + c + 1] = s1; // c + 1 ≤ b
    }
    if (c <= b) {
      const g0 = c * n;
      let s = 0;
      for (let k = b; k < n; k++) s += lt[lb + k] * gt[g0 + k];
      out[b * r + c] = s;
    }
  }
  return out;
}
