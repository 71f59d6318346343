/**
 * `Tr((A B)^½)`, the costly term of the Fréchet distance, for symmetric positive semi-definite
 * `A` and `B`: pivoted Cholesky of `B`, the congruence `Lᵀ A L`, and its eigenvalues.
 *
 * @internal
 */
import { type DenseKernels, denseKernels } from './dense-kernels';
import { pivotedCholeskyInPlace } from './linalg-cholesky';
import { tridiagonalEigenvalues, tridiagonalizeInPlace } from './linalg-eigen';
import { congruenceTriangular } from './linalg-products';

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
