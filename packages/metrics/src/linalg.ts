/**
 * Dense float64 linear algebra for the metrics: a symmetric rank-k update, blocked pivoted
 * Cholesky, a triangular congruence `Lᵀ A L`, Householder tridiagonalisation and the implicit
 * symmetric QR algorithm. Everything is written for row-major matrices with contiguous inner
 * loops; the cubic parts run on {@link denseKernels} (WebAssembly SIMD, or JavaScript).
 *
 * @internal
 */
import { GankitError } from '@gankit/core';
import { type DenseKernels, denseKernels } from './dense-kernels';

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

/** Rows of A, rows of B and depth per {@link DenseKernels.gemmNT} call: a 2-row strip of A stays in L1, a B block in L2. */
const MB = 128;
const NB = 128;
const KC = 512;

/**
 * `C += α A Bᵀ` in cache blocks (`A`: `m` rows at `a`, `B`: `n` rows at `b`, depth up to
 * `kMax`), where each pair of row blocks sums only over the depth range `depth(i0, i1, j0, j1)`
 * returns (`null`: the block is skipped). Triangular operands use it to skip their zeros.
 * @internal
 */
export function blockedNT(
  k: DenseKernels,
  m: number,
  n: number,
  kMax: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  alpha: number,
  depth: (i0: number, i1: number, j0: number, j1: number) => readonly [number, number] | null,
): void {
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = Math.min(n, j0 + NB);
    for (let p0 = 0; p0 < kMax; p0 += KC) {
      for (let i0 = 0; i0 < m; i0 += MB) {
        const i1 = Math.min(m, i0 + MB);
        const r = depth(i0, i1, j0, j1);
        if (!r) continue;
        const lo = Math.max(r[0], p0);
        const hi = Math.min(r[1], p0 + KC, kMax);
        if (lo >= hi) continue;
        k.gemmNT(i1 - i0, j1 - j0, hi - lo, a + i0 * lda + lo, lda, b + j0 * ldb + lo, ldb, c + i0 * ldc + j0, ldc, alpha);
      }
    }
  }
}

/** Swaps indices `j < p` of the symmetric matrix whose lower triangle is at `off` (stride `n`), L rows included. */
function swapSymmetric(h: Float64Array, off: number, n: number, j: number, p: number): void {
  const rj = off + j * n;
  const rp = off + p * n;
  let t: number;
  for (let c = 0; c < j; c++) {
    t = h[rj + c];
    h[rj + c] = h[rp + c];
    h[rp + c] = t;
  }
  t = h[rj + j];
  h[rj + j] = h[rp + p];
  h[rp + p] = t;
  for (let c = j + 1; c < p; c++) {
    const x = off + c * n + j;
    t = h[x];
    h[x] = h[rp + c];
    h[rp + c] = t;
  }
  for (let r = p + 1; r < n; r++) {
    const x = off + r * n;
    t = h[x + j];
    h[x + j] = h[x + p];
    h[x + p] = t;
  }
}

/** The result of {@link pivotedCholeskyInPlace}. @internal */
export interface PivotedCholesky {
  /** Number of columns kept. */
  rank: number;
  /** The pivot order: `A[perm[i], perm[j]] ≈ (L Lᵀ)[i, j]`. */
  perm: Int32Array;
}

/**
 * Cholesky factorisation with diagonal (complete) pivoting of the symmetric positive
 * semi-definite matrix whose lower triangle is at heap offset `off` (`n × n`, row stride `n`),
 * in place, blocked like LAPACK's `dpstrf`: each panel of 32 columns is factored left-looking
 * (pivots chosen on the updated diagonal), then the trailing lower triangle gets one rank-32
 * update through {@link blockedNT}. Stops when the largest remaining diagonal of the Schur
 * complement is at most `n · ε · max diag(A)`, so a singular matrix gets a factor of lower rank.
 * On return `L[i, j]` (`j < rank`, `i ≥ j`) is at `off + i·n + j` in pivoted order; entries
 * above the diagonal and in columns `≥ rank` are scratch.
 * @internal
 */
export function pivotedCholeskyInPlace(k: DenseKernels, off: number, n: number): PivotedCholesky {
  const h = k.heap;
  const perm = new Int32Array(n);
  const diag = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    perm[i] = i;
    diag[i] = h[off + i * n + i];
    if (diag[i] > maxDiag) maxDiag = diag[i];
  }
  const tol = n * EPS * maxDiag;
  const panel = 32;
  for (let k0 = 0; k0 < n; k0 += panel) {
    const k1 = Math.min(n, k0 + panel);
    for (let j = k0; j < k1; j++) {
      let p = j;
      for (let i = j + 1; i < n; i++) if (diag[i] > diag[p]) p = i;
      if (!(diag[p] > tol)) return { rank: j, perm };
      if (p !== j) {
        swapSymmetric(h, off, n, j, p);
        const tp = perm[j];
        perm[j] = perm[p];
        perm[p] = tp;
        const td = diag[j];
        diag[j] = diag[p];
        diag[p] = td;
      }
      const below = off + (j + 1) * n;
      if (j > k0 && j + 1 < n) k.gemmNT(n - j - 1, 1, j - k0, below + k0, n, off + j * n + k0, n, below + j, n, -1);
      const ljj = Math.sqrt(diag[j]);
      h[off + j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        const x = off + i * n + j;
        const v = h[x] / ljj;
        h[x] = v;
        diag[i] -= v * v;
      }
    }
    if (k1 < n) {
      const t = off + k1 * n;
      blockedNT(k, n - k1, n - k1, k1 - k0, t + k0, n, t + k0, n, t + k1, n, -1, (_i0, i1, j0) => (j0 < i1 ? [0, k1 - k0] : null));
    }
  }
  return { rank: n, perm };
}

/**
 * `M = Lᵀ A L` for a symmetric `A` (`n × n`) and a lower-trapezoidal `L` (`n × r`), with about
 * `n³/2` multiply-adds in {@link blockedNT}: with `A = T + Tᵀ`, `T` the lower triangle of `A`
 * with half its diagonal, `Lᵀ T L` is a product of triangular factors and `M = X + Xᵀ` for
 * `X = Lᵀ (T L)`. Inputs on the heap: `T` at `t` (`n × n`, zeros above the diagonal), `Lᵀ` at
 * `lt` (`r × n`, zeros left of the diagonal); `yt` is `r × n` scratch; `M`'s lower triangle is
 * written at `m` (`r × r`, row stride `r`). `m` may be `t`.
 * @internal
 */
export function congruenceTriangular(k: DenseKernels, n: number, r: number, t: number, lt: number, yt: number, m: number): void {
  const h = k.heap;
  // Yᵀ[j, c] = Σ_{q ∈ [j, c]} Lᵀ[j, q] T[c, q]
  h.fill(0, yt, yt + r * n);
  blockedNT(k, r, n, n, lt, n, t, n, yt, n, 1, (j0, _j1, _c0, c1) => (c1 > j0 ? [j0, c1] : null));
  // X[b, c] = Σ_{q ≥ max(b, c)} Lᵀ[b, q] Yᵀ[c, q]
  h.fill(0, m, m + r * r);
  blockedNT(k, r, r, n, lt, n, yt, n, m, r, 1, (b0, _b1, c0) => [Math.max(b0, c0), n]);
  // M = X + Xᵀ on the lower triangle, in tiles.
  const tile = 32;
  for (let b0 = 0; b0 < r; b0 += tile) {
    for (let c0 = 0; c0 <= b0; c0 += tile) {
      const b1 = Math.min(r, b0 + tile);
      for (let b = b0; b < b1; b++) {
        const c1 = Math.min(c0 + tile, b);
        for (let c = c0; c < c1; c++) h[m + b * r + c] += h[m + c * r + b];
      }
    }
  }
  for (let b = 0; b < r; b++) h[m + b * r + b] *= 2;
}

/**
 * Reduces the symmetric matrix whose lower triangle is at heap offset `off` (`n × n`, row
 * stride `ld`) to tridiagonal form by Householder reflections, overwriting it, and returns the
 * diagonal and off-diagonal. Each step's rank-2 update of the trailing matrix is fused with the
 * next step's matrix-vector product in {@link DenseKernels.triStep}, so the trailing matrix is
 * streamed once per step. `vec` is `6 n` scratch.
 * @internal
 */
export function tridiagonalizeInPlace(
  k: DenseKernels,
  off: number,
  n: number,
  ld: number,
  vec: number,
): { d: Float64Array; e: Float64Array } {
  const h = k.heap;
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  if (n === 1) d[0] = h[off];
  if (n <= 1) return { d, e };
  const v = vec;
  const w = vec + n;
  const vOld = vec + 2 * n;
  const wOld = vec + 3 * n;
  const p = vec + 4 * n;
  const zero = vec + 5 * n;
  h.fill(0, vec, vec + 6 * n);

  // Builds the reflector for column c (entries c+1..n-1): v, e[c]. Returns beta.
  const reflector = (c: number): number => {
    let scale = 0;
    for (let i = c + 1; i < n; i++) scale = Math.max(scale, Math.abs(h[off + i * ld + c]));
    if (scale === 0) {
      e[c] = 0;
      h.fill(0, v + c + 1, v + n);
      return 0;
    }
    let ss = 0;
    for (let i = c + 1; i < n; i++) {
      const x = h[off + i * ld + c] / scale;
      h[v + i] = x;
      ss += x * x;
    }
    const x0 = h[v + c + 1];
    const sigma = Math.sqrt(ss);
    const alpha = x0 >= 0 ? -sigma : sigma;
    const v0 = x0 - alpha;
    h[v + c + 1] = v0;
    e[c] = alpha * scale;
    return 2 / (ss - x0 * x0 + v0 * v0);
  };

  // First step: p = S v on the trailing matrix S = a[1:, 1:] (a rank-2 update by zeros).
  let beta = reflector(0);
  if (beta !== 0) k.triStep(off, ld, 1, n, zero, zero, v, p);

  for (let c = 0; c < n - 1; c++) {
    d[c] = h[off + c * ld + c];
    if (c === n - 2) {
      e[c] = h[off + (c + 1) * ld + c];
      d[c + 1] = h[off + (c + 1) * ld + c + 1];
      break;
    }
    const c1 = c + 1;
    const active = beta !== 0;
    if (active) {
      // w = beta p - (beta^2 / 2) (v . p) v; then column c+1 of the trailing matrix first.
      let vp = 0;
      for (let i = c1; i < n; i++) vp += h[v + i] * h[p + i];
      const kk = 0.5 * beta * beta * vp;
      for (let i = c1; i < n; i++) h[w + i] = beta * h[p + i] - kk * h[v + i];
      const vk = h[v + c1];
      const wk = h[w + c1];
      for (let i = c1; i < n; i++) h[off + i * ld + c1] -= h[v + i] * wk + h[w + i] * vk;
      h.copyWithin(vOld + c1, v + c1, v + n);
      h.copyWithin(wOld + c1, w + c1, w + n);
    } else {
      h.fill(0, vOld + c1, vOld + n);
      h.fill(0, wOld + c1, wOld + n);
    }
    // The next reflector comes from the updated column c+1; then one fused pass.
    const next = c1 <= n - 3 ? reflector(c1) : 0;
    h.fill(0, p, p + n);
    if (active || next !== 0) k.triStep(off, ld, c1 + 1, n, vOld, wOld, v, p);
    beta = next;
  }
  return { d, e };
}

/** Where {@link traceSqrtProductInPlace} expects `A` and `B`, in units of `n²` elements. @internal */
export const TRACE_SQRT_A = 2;
/** @internal */
export const TRACE_SQRT_B = 0;

/** Heap elements {@link traceSqrtProductInPlace} uses for size `n`. @internal */
export function traceSqrtWorkspace(n: number): number {
  return 3 * n * n + 6 * n;
}

/**
 * `Tr((A B)^½)` for symmetric positive semi-definite `A`, `B` (`n × n`, row-major, symmetric),
 * found on the heap of `k` at `TRACE_SQRT_A · n²` and `TRACE_SQRT_B · n²` (both overwritten;
 * the heap holds {@link traceSqrtWorkspace} elements). With `B = L Lᵀ` (Cholesky with pivoting,
 * which drops the null space of a singular `B`), `A B` has the same non-zero eigenvalues as the
 * symmetric PSD `Lᵀ A L`, so the trace is `Σ √max(λᵢ(Lᵀ A L), 0)`; the eigenvalues come from
 * Householder tridiagonalisation and implicit QR.
 *
 * Heap use, in blocks of `n²`: [0] `B`, then `L`, then `Yᵀ`; [1] `T` (`A` permuted), then `M`;
 * [2] `A`, then `Lᵀ`; then `6 n` for vectors.
 * @internal
 */
export function traceSqrtProductInPlace(k: DenseKernels, n: number): number {
  const n2 = n * n;
  const h = k.heap;
  const { rank, perm } = pivotedCholeskyInPlace(k, TRACE_SQRT_B * n2, n);
  if (rank === 0) return 0;
  const a = TRACE_SQRT_A * n2;
  const t = n2;
  const lt = 2 * n2;
  // T: A in B's pivot order, lower triangle with half the diagonal, zeros above.
  for (let i = 0; i < n; i++) {
    const src = a + perm[i] * n;
    const dst = t + i * n;
    for (let j = 0; j < i; j++) h[dst + j] = h[src + perm[j]];
    h[dst + i] = 0.5 * h[src + perm[i]];
    h.fill(0, dst + i + 1, dst + n);
  }
  // Lᵀ (rank × n) over A, zeros left of the diagonal, transposed in tiles.
  h.fill(0, lt, lt + rank * n);
  const tile = 32;
  for (let j0 = 0; j0 < rank; j0 += tile) {
    const j1 = Math.min(rank, j0 + tile);
    for (let i0 = j0; i0 < n; i0 += tile) {
      const i1 = Math.min(n, i0 + tile);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i + 1);
        for (let j = j0; j < jEnd; j++) h[lt + j * n + i] = h[i * n + j];
      }
    }
  }
  // Yᵀ reuses L's storage; M is written over T.
  congruenceTriangular(k, n, rank, t, lt, 0, t);
  const { d, e } = tridiagonalizeInPlace(k, t, rank, rank, 3 * n2);
  const ev = tridiagonalEigenvalues(d, e);
  let s = 0;
  for (let i = 0; i < rank; i++) if (ev[i] > 0) s += Math.sqrt(ev[i]);
  return s;
}

/**
 * {@link traceSqrtProductInPlace} on copies of `a` and `b` in a fresh workspace (`'js'`: plain
 * JavaScript kernels). For tests and benchmarks.
 * @internal
 */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number, prefer: 'auto' | 'js' = 'auto'): number {
  const k = denseKernels(traceSqrtWorkspace(n), prefer);
  k.heap.set(a.subarray(0, n * n), TRACE_SQRT_A * n * n);
  k.heap.set(b.subarray(0, n * n), TRACE_SQRT_B * n * n);
  return traceSqrtProductInPlace(k, n);
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
      throw new GankitError('numerical', `symmetric eigensolver: QR iteration did not converge after ${maxIterations} steps`);
    }
    // Wilkinson shift from the trailing 2 × 2 block.
    const eb = e[hi - 1];
    const delta = (d[hi - 1] - d[hi]) / 2;
    const denom = delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, eb);
    const mu = d[hi] - (eb * eb) / denom;
    let x = d[lo] - mu;
    let z = e[lo];
    for (let k = lo; k < hi; k++) {
      // √(x² + z²): Math.hypot is several times slower, and plain squares are safe in this range.
      const big = Math.max(Math.abs(x), Math.abs(z));
      const r = big > 1e-150 && big < 1e150 ? Math.sqrt(x * x + z * z) : Math.hypot(x, z);
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
