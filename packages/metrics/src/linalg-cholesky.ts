/**
 * Blocked Cholesky factorisation with complete pivoting (LAPACK's `dpstrf`) on the float64 heap
 * of {@link DenseKernels}, for symmetric positive semi-definite matrices of any rank.
 *
 * @internal
 */
import type { DenseKernels } from './dense-kernels';
import { blockedNT } from './linalg-products';

const EPS = 2 ** -52;

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
