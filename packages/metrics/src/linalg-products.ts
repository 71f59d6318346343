/**
 * Dense float64 matrix products for the metrics, on row-major matrices with contiguous inner
 * loops: a symmetric rank-k update for covariances, cache-blocked `C += α A Bᵀ` over
 * {@link DenseKernels.gemmNT}, and the triangular congruence `Lᵀ A L` of the Fréchet distance.
 *
 * @internal
 */
import type { DenseKernels } from './dense-kernels';

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
