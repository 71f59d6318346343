import { describe, expect, it } from 'vitest';
import { type DenseKernels, denseKernels, workspace } from './dense-kernels';
import { kernelModuleBytes, wasmModule } from './dense-kernels-wasm';
import { pivotedCholeskyInPlace } from './linalg-cholesky';
import { tridiagonalEigenvalues, tridiagonalizeInPlace } from './linalg-eigen';
import { congruenceTriangular } from './linalg-products';
import { traceSqrtProduct } from './linalg-trace-sqrt';
import { normal, randomOrthogonal, rel, withEigenvalues } from './test-utils';

const kinds = ['auto', 'js'] as const;

function kernels(prefer: 'auto' | 'js', elements: number): DenseKernels {
  const k = denseKernels(elements, prefer);
  // Node runs WebAssembly SIMD: 'auto' must really test the wasm kernels.
  expect(k.kind).toBe(prefer === 'js' ? 'js' : 'wasm-simd');
  return k;
}

function fillRandom(h: Float64Array, from: number, to: number, seed: number): void {
  const z = normal(seed);
  for (let i = from; i < to; i++) h[i] = z();
}

/** A random symmetric PSD n × n matrix of the given rank (row-major). */
function psd(n: number, rank: number, seed: number): Float64Array {
  const z = normal(seed);
  return withEigenvalues(
    randomOrthogonal(n, seed + 1),
    Array.from({ length: n }, (_, i) => (i < rank ? 0.1 + z() ** 2 : 0)),
  );
}

describe('the WebAssembly module', () => {
  it('compiles in Node and stays under the 4 KB that browsers compile synchronously on the main thread', () => {
    expect(wasmModule()).toBeInstanceOf(WebAssembly.Module);
    expect(kernelModuleBytes().length).toBeLessThan(4096);
    expect(WebAssembly.validate(kernelModuleBytes())).toBe(true);
    expect(
      WebAssembly.Module.exports(wasmModule()!)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['gemmNT', 'triStep']);
  });

  it('keeps one workspace between calls and grows it on demand', () => {
    const a = workspace(100);
    expect(workspace(50)).toBe(a);
    const before = a.heap.length;
    const b = workspace(before + 100_000);
    expect(b.heap.length).toBeGreaterThanOrEqual(before + 100_000);
  });
});

describe.each(kinds)('dense kernels (%s)', (prefer) => {
  it('gemmNT matches a naive product on odd sizes and strides, and leaves the rest of C alone', () => {
    for (const [m, n, k] of [
      [1, 1, 1],
      [2, 4, 2],
      [3, 5, 7],
      [7, 9, 13],
      [8, 8, 1],
      [5, 3, 0],
      [13, 11, 64],
    ]) {
      const lda = k + 3;
      const ldb = k + 1;
      const ldc = n + 2;
      const a = 0;
      const b = a + m * lda + 5;
      const c = b + n * ldb + 7;
      const end = c + m * ldc + 9;
      const K = kernels(prefer, end);
      const h = K.heap;
      fillRandom(h, 0, end, m * 100 + n * 10 + k);
      const before = Float64Array.from(h);
      K.gemmNT(m, n, k, a, lda, b, ldb, c, ldc, -0.75);
      for (let idx = 0; idx < end; idx++) {
        const r = idx - c;
        const i = Math.floor(r / ldc);
        const j = r - i * ldc;
        if (r >= 0 && i < m && j < n) {
          let s = 0;
          for (let p = 0; p < k; p++) s += before[a + i * lda + p] * before[b + j * ldb + p];
          expect(Math.abs(h[idx] - (before[idx] - 0.75 * s))).toBeLessThan(1e-13 * (1 + k));
        } else {
          expect(h[idx]).toBe(before[idx]);
        }
      }
    }
  });

  it('triStep applies the rank-2 update and the matrix-vector product of one Householder step', () => {
    for (const [n, k2] of [
      [11, 2],
      [12, 3],
      [9, 8],
      [40, 0],
    ]) {
      const ld = n + 1;
      const v = n * ld;
      const w = v + n;
      const u = w + n;
      const p = u + n;
      const K = kernels(prefer, p + n);
      const h = K.heap;
      fillRandom(h, 0, p, n + k2);
      h.fill(0, p, p + n);
      const s = Float64Array.from(h);
      // Reference: the updated lower triangle, then p = S u with S symmetric.
      const upd = (i: number, j: number) => s[i * ld + j] - s[v + i] * s[w + j] - s[w + i] * s[v + j];
      K.triStep(0, ld, k2, n, v, w, u, p);
      for (let i = k2; i < n; i++) {
        let pi = 0;
        for (let j = k2; j < n; j++) pi += (j <= i ? upd(i, j) : upd(j, i)) * s[u + j];
        expect(Math.abs(h[p + i] - pi)).toBeLessThan(1e-12 * n);
        for (let j = k2; j <= i; j++) expect(Math.abs(h[i * ld + j] - upd(i, j))).toBeLessThan(1e-14);
        for (let j = i + 1; j < ld; j++) expect(h[i * ld + j]).toBe(s[i * ld + j]); // upper part untouched
      }
      for (let i = 0; i < k2; i++) expect(h[p + i]).toBe(0);
    }
  });

  it('pivoted Cholesky factors full-rank and rank-deficient matrices across several panels', () => {
    for (const [n, rank] of [
      [1, 1],
      [5, 5],
      [37, 37],
      [70, 70],
      [70, 10],
      [45, 33],
      [6, 0],
    ]) {
      const a = psd(n, rank, n * 7 + rank);
      const K = kernels(prefer, n * n);
      K.heap.set(a);
      const { rank: got, perm } = pivotedCholeskyInPlace(K, 0, n);
      expect(got).toBe(rank);
      expect(Array.from(perm).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      let scale = 0;
      for (const x of a) scale = Math.max(scale, Math.abs(x));
      const l = (i: number, j: number) => (j <= i && j < got ? K.heap[i * n + j] : 0);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let q = 0; q <= j; q++) s += l(i, q) * l(j, q);
          expect(Math.abs(s - a[perm[i] * n + perm[j]])).toBeLessThan(1e-12 * Math.max(scale, 1e-300) * n);
        }
      }
      // Pivoting puts the largest remaining diagonal first: L's diagonal does not increase.
      for (let j = 1; j < got; j++) expect(l(j, j)).toBeLessThanOrEqual(l(j - 1, j - 1) * (1 + 1e-12));
    }
  });

  it('congruenceTriangular gives the lower triangle of Lᵀ A L for trapezoidal L', () => {
    for (const [n, r] of [
      [45, 45],
      [45, 20],
      [3, 1],
      [70, 69],
    ]) {
      const z = normal(n + r);
      const a = psd(n, n, n + 3);
      const L = new Float64Array(n * r);
      for (let i = 0; i < n; i++) for (let j = 0; j <= Math.min(i, r - 1); j++) L[i * r + j] = z();
      const n2 = n * n;
      const K = kernels(prefer, 3 * n2);
      const h = K.heap;
      // T = lower(A) with half diagonal at n², Lᵀ at 2n², Yᵀ scratch at 0; M over T.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) h[n2 + i * n + j] = j < i ? a[i * n + j] : j === i ? 0.5 * a[i * n + i] : 0;
      }
      for (let j = 0; j < r; j++) for (let i = 0; i < n; i++) h[2 * n2 + j * n + i] = L[i * r + j];
      congruenceTriangular(K, n, r, n2, 2 * n2, 0, n2);
      let scale = 0;
      for (let b = 0; b < r; b++) {
        for (let c = 0; c <= b; c++) {
          let s = 0;
          for (let i = 0; i < n; i++) {
            let t = 0;
            for (let j = 0; j < n; j++) t += a[i * n + j] * L[j * r + c];
            s += L[i * r + b] * t;
          }
          scale = Math.max(scale, Math.abs(s));
          expect(Math.abs(h[n2 + b * r + c] - s)).toBeLessThan(1e-12 * n * (1 + Math.abs(s)));
        }
      }
      expect(scale).toBeGreaterThan(0);
    }
  });

  it('tridiagonalisation keeps the eigenvalues (odd and even sizes, a zero column)', () => {
    for (const n of [2, 3, 8, 33, 64]) {
      const lambda = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : i - n / 3));
      const a = withEigenvalues(randomOrthogonal(n, n), lambda);
      const K = kernels(prefer, n * n + 6 * n);
      K.heap.set(a);
      const { d, e } = tridiagonalizeInPlace(K, 0, n, n, n * n);
      const got = Array.from(tridiagonalEigenvalues(d, e)).sort((x, y) => x - y);
      const want = [...lambda].sort((x, y) => x - y);
      for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12 * n * n);
    }
    // A matrix whose first column is already reduced (zero reflector).
    const K = kernels(prefer, 16 + 24);
    K.heap.set([2, 0, 0, 0, 0, 1, 0.5, 0, 0, 0.5, 3, 1, 0, 0, 1, 4]);
    const { d, e } = tridiagonalizeInPlace(K, 0, 4, 4, 16);
    const sum = Array.from(tridiagonalEigenvalues(d, e)).reduce((s, x) => s + x, 0);
    expect(sum).toBeCloseTo(10, 12);
  });

  it('traceSqrtProduct matches the closed form of commuting covariances, singular ones included', () => {
    for (const [n, r1, r2] of [
      [70, 70, 70],
      [70, 70, 25],
      [40, 12, 40],
      [33, 0, 33],
    ]) {
      const q = randomOrthogonal(n, n + r1 + r2);
      const z = normal(r1 * 3 + r2);
      const d1 = Array.from({ length: n }, (_, i) => (i < r1 ? 0.05 + z() ** 2 : 0));
      const d2 = Array.from({ length: n }, (_, i) => (i < r2 ? 0.05 + 2 * z() ** 2 : 0));
      let want = 0;
      for (let i = 0; i < n; i++) want += Math.sqrt(d1[i] * d2[i]);
      const got = traceSqrtProduct(withEigenvalues(q, d1), withEigenvalues(q, d2), n, prefer);
      if (want === 0) expect(Math.abs(got)).toBeLessThan(1e-6);
      else expect(rel(got, want)).toBeLessThan(r1 < n || r2 < n ? 1e-7 : 1e-12);
    }
  });
});

describe('the two kernel sets agree', () => {
  it('gives the same trace of the square root to 1e-13 on a generic pair', () => {
    const n = 90;
    const a = psd(n, n, 5);
    const b = psd(n, n, 9);
    expect(rel(traceSqrtProduct(a, b, n, 'auto'), traceSqrtProduct(a, b, n, 'js'))).toBeLessThan(1e-13);
  });
});
