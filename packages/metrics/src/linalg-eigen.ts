/**
 * Eigenvalues of a dense symmetric float64 matrix in two stages: Householder tridiagonalisation on
 * the heap of {@link DenseKernels} (fused rank-2 updates), then the implicit symmetric QR algorithm
 * with Wilkinson shifts on the tridiagonal matrix.
 *
 * @internal
 */
import { GankitError } from '@gankit/core';
import type { DenseKernels } from './dense-kernels';

const EPS = 2 ** -52;

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
