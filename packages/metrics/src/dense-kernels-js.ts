/**
 * The plain JavaScript implementation of {@link DenseKernels}, for engines without WebAssembly
 * SIMD (and `prefer: 'js'`): the same loops over a `Float64Array` heap, 2 × 2 register blocking.
 *
 * @internal
 */
import type { DenseKernels } from './dense-kernels';

function jsGemmNT(
  h: Float64Array,
  m: number,
  n: number,
  k: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  alpha: number,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = a + i * lda;
    const a1 = a0 + lda;
    const c0 = c + i * ldc;
    const c1 = c0 + ldc;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = b + j * ldb;
      const b1 = b0 + ldb;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let q = 0; q < k; q++) {
        const x0 = h[a0 + q];
        const x1 = h[a1 + q];
        const y0 = h[b0 + q];
        const y1 = h[b1 + q];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      h[c0 + j] += alpha * s00;
      h[c0 + j + 1] += alpha * s01;
      h[c1 + j] += alpha * s10;
      h[c1 + j + 1] += alpha * s11;
    }
    if (j < n) {
      const b0 = b + j * ldb;
      let s0 = 0;
      let s1 = 0;
      for (let q = 0; q < k; q++) {
        const y = h[b0 + q];
        s0 += h[a0 + q] * y;
        s1 += h[a1 + q] * y;
      }
      h[c0 + j] += alpha * s0;
      h[c1 + j] += alpha * s1;
    }
  }
  if (i < m) {
    const a0 = a + i * lda;
    const c0 = c + i * ldc;
    for (let j = 0; j < n; j++) {
      const b0 = b + j * ldb;
      let s = 0;
      for (let q = 0; q < k; q++) s += h[a0 + q] * h[b0 + q];
      h[c0 + j] += alpha * s;
    }
  }
}

function jsTriStep(h: Float64Array, a: number, ld: number, k2: number, n: number, v: number, w: number, u: number, p: number): void {
  let i = k2;
  for (; i + 1 < n; i += 2) {
    const r0 = a + i * ld;
    const r1 = r0 + ld;
    const vi0 = h[v + i];
    const wi0 = h[w + i];
    const ui0 = h[u + i];
    const vi1 = h[v + i + 1];
    const wi1 = h[w + i + 1];
    const ui1 = h[u + i + 1];
    let s0 = 0;
    let s1 = 0;
    for (let j = k2; j < i; j++) {
      const vj = h[v + j];
      const wj = h[w + j];
      const uj = h[u + j];
      const a0 = h[r0 + j] - vi0 * wj - wi0 * vj;
      const a1 = h[r1 + j] - vi1 * wj - wi1 * vj;
      h[r0 + j] = a0;
      h[r1 + j] = a1;
      s0 += a0 * uj;
      s1 += a1 * uj;
      h[p + j] += a0 * ui0 + a1 * ui1;
    }
    const aii = h[r0 + i] - 2 * vi0 * wi0;
    const a10 = h[r1 + i] - vi1 * wi0 - wi1 * vi0;
    const a11 = h[r1 + i + 1] - 2 * vi1 * wi1;
    h[r0 + i] = aii;
    h[r1 + i] = a10;
    h[r1 + i + 1] = a11;
    h[p + i] += s0 + aii * ui0 + a10 * ui1;
    h[p + i + 1] += s1 + a10 * ui0 + a11 * ui1;
  }
  if (i < n) {
    const r0 = a + i * ld;
    const vi = h[v + i];
    const wi = h[w + i];
    const ui = h[u + i];
    let s = 0;
    for (let j = k2; j < i; j++) {
      const aij = h[r0 + j] - vi * h[w + j] - wi * h[v + j];
      h[r0 + j] = aij;
      s += aij * h[u + j];
      h[p + j] += aij * ui;
    }
    const aii = h[r0 + i] - 2 * vi * wi;
    h[r0 + i] = aii;
    h[p + i] += s + aii * ui;
  }
}

/** Kernels over a fresh `Float64Array` heap of `elements` values. @internal */
export function jsKernels(elements: number): DenseKernels {
  const k: DenseKernels = {
    kind: 'js',
    heap: new Float64Array(elements),
    ensure(n: number) {
      if (n > k.heap.length) {
        const h = new Float64Array(n);
        h.set(k.heap);
        k.heap = h;
      }
    },
    gemmNT: (m, n, kk, a, lda, b, ldb, c, ldc, alpha) => jsGemmNT(k.heap, m, n, kk, a, lda, b, ldb, c, ldc, alpha),
    triStep: (a, ld, k2, n, v, w, u, p) => jsTriStep(k.heap, a, ld, k2, n, v, w, u, p),
  };
  return k;
}
