import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GankitError, ensureGradients } from '@gankit/core';
import { spectralNorm, spectralNormOf } from './index';

/** Deterministic pseudo-random values in [-1, 1) (a small LCG; independent of tfjs). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Largest singular value of a rows × cols matrix (row-major), float64 power iteration on AᵀA to convergence. */
function largestSingularValue(a: number[], rows: number, cols: number): number {
  let v = Array.from({ length: cols }, (_, i) => 1 + 0.1 * i);
  let lambda = 0;
  for (let it = 0; it < 10000; it++) {
    const av = Array.from({ length: rows }, (_, r) => v.reduce((s, vj, j) => s + a[r * cols + j] * vj, 0));
    const atav = Array.from({ length: cols }, (_, j) => av.reduce((s, x, r) => s + a[r * cols + j] * x, 0));
    const norm = Math.hypot(...atav);
    v = atav.map((x) => x / norm);
    if (Math.abs(norm - lambda) <= 1e-14 * norm) break;
    lambda = norm;
  }
  return Math.sqrt(lambda);
}

/** The kernel (row-major over `shape`) as the matrix C_out × rest, C_out on `axis`. */
function asMatrix(kernel: number[], shape: number[], axis: number): number[] {
  const rows = shape[axis];
  const cols = kernel.length / rows;
  const out = new Array<number>(kernel.length);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let flat = 0; flat < kernel.length; flat++) {
    const idx = shape.map((d, i) => Math.floor(flat / strides[i]) % d);
    const row = idx[axis];
    // Column: the other indices in order, row-major.
    let col = 0;
    shape.forEach((d, i) => {
      if (i !== axis) col = col * d + idx[i];
    });
    out[row * cols + col] = kernel[flat];
  }
  return out;
}

/** Runs the parametrization n times in training mode; returns σ = W / out (read off one entry). */
function trainSigma(p: ReturnType<ReturnType<typeof spectralNorm>>, kernel: tf.Tensor, n: number): number {
  let sigma = 0;
  for (let i = 0; i < n; i++) {
    const out = p.apply(kernel, { training: true });
    const k = Array.from(kernel.dataSync());
    const o = Array.from(out.dataSync());
    const j = k.reduce((best, x, idx) => (Math.abs(x) > Math.abs(k[best]) ? idx : best), 0);
    sigma = k[j] / o[j];
    out.dispose();
  }
  return sigma;
}

describe('spectralNorm', () => {
  const cases: { what: string; shape: number[]; name: string; axis: number; options?: { outputAxis: number } }[] = [
    { what: 'dense [in, out]', shape: [7, 5], name: 'd/dense_0/kernel', axis: 1 },
    { what: 'conv2d [kh, kw, cin, cout]', shape: [3, 3, 2, 4], name: 'd/conv2d_0/kernel', axis: 3 },
    { what: 'conv2dTranspose [kh, kw, cout, cin] (by name)', shape: [3, 3, 4, 2], name: 'g/conv2d_transpose_0/kernel', axis: 2 },
    { what: 'conv2dTranspose (outputAxis: 2)', shape: [3, 3, 4, 2], name: 'g/up/kernel', axis: 2, options: { outputAxis: 2 } },
  ];
  for (const c of cases) {
    it(`σ converges to the largest singular value of the C_out × rest matrix: ${c.what}`, () => {
      const data = values(
        c.shape.reduce((a, b) => a * b, 1),
        7,
      );
      const kernel = tf.tensor(data, c.shape);
      const rows = c.shape[c.axis];
      const reference = largestSingularValue(asMatrix(data, c.shape, c.axis), rows, data.length / rows);
      if (c.shape.length === 4) {
        // The grouping matters: the other axis as output would give another value.
        const other = c.axis === 3 ? 2 : 3;
        const wrong = largestSingularValue(asMatrix(data, c.shape, other), c.shape[other], data.length / c.shape[other]);
        expect(Math.abs(wrong - reference) / reference).toBeGreaterThan(0.02);
      }
      const p = spectralNorm({ seed: 3, ...c.options })(c.shape, c.name);
      expect(p.variables.map((v) => v.shape)).toEqual([[rows], [data.length / rows]]);
      expect(p.variables.every((v) => !v.trainable)).toBe(true);
      const sigma = trainSigma(p, kernel, 40);
      expect(Math.abs(sigma - reference) / reference).toBeLessThan(0.01);
      // The normalised kernel has spectral norm 1.
      const out = p.apply(kernel, { training: false });
      const normalised = largestSingularValue(asMatrix(Array.from(out.dataSync()), c.shape, c.axis), rows, data.length / rows);
      expect(Math.abs(normalised - 1)).toBeLessThan(0.01);
      out.dispose();
      kernel.dispose();
      p.dispose();
    });
  }

  it('inference mode leaves u and v unchanged and uses σ = ‖Wᵀu‖ ≤ σ_max', () => {
    const data = values(24, 5);
    const kernel = tf.tensor2d(data, [6, 4]);
    const p = spectralNorm({ seed: 9 })([6, 4], 'net/dense/kernel');
    const snapshot = () => p.variables.map((v) => Array.from(v.dataSync()));
    const before = snapshot();
    const out = p.apply(kernel, { training: false });
    expect(snapshot()).toEqual(before);
    // σ from the stored u in float64: u has C_out = 4 entries; W is 4 × 6 (the transposed kernel).
    const u = before[0];
    const wtu = Array.from({ length: 6 }, (_, i) => u.reduce((s, uj, j) => s + data[i * 4 + j] * uj, 0));
    const sigma = Math.hypot(...wtu);
    const o = out.dataSync();
    data.forEach((x, i) => expect(o[i]).toBeCloseTo(x / sigma, 5));
    expect(sigma).toBeLessThanOrEqual(largestSingularValue(asMatrix(data, [6, 4], 1), 4, 6) * (1 + 1e-6));
    // Training mode moves u.
    p.apply(kernel, { training: true }).dispose();
    expect(snapshot()[0]).not.toEqual(before[0]);
    tf.dispose([kernel, out]);
    p.dispose();
  });

  it('passes the gradient through σ to W (dσ/dW = u·vᵀ), finite', () => {
    ensureGradients();
    const data = values(12, 3);
    const w = tf.variable(tf.tensor2d(data, [4, 3]));
    const c = values(12, 4);
    const weights = tf.tensor2d(c, [4, 3]);
    const p = spectralNorm({ seed: 1, powerIterations: 2 })([4, 3], 'g/dense/kernel');
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(p.apply(w, { training: true }), weights)) as tf.Scalar, [w]);
    const g = Array.from(grads[w.name].dataSync());
    expect(g.every(Number.isFinite)).toBe(true);
    // Closed form with u, v constant (read after the step), in float64: W here is the kernel
    // [in=4, out=3], whose matrix is its transpose: σ = Σ_ij K_ij v_i u_j,
    // d/dK Σ C⊙K/σ = C/σ − (Σ C⊙K)/σ² · v uᵀ.
    const [u, v] = p.variables.map((x) => Array.from(x.dataSync()));
    let sigma = 0;
    let ck = 0;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 3; j++) {
        sigma += data[i * 3 + j] * v[i] * u[j];
        ck += c[i * 3 + j] * data[i * 3 + j];
      }
    expect(value.dataSync()[0]).toBeCloseTo(ck / sigma, 4);
    let throughSigma = 0;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 3; j++) {
        const expected = c[i * 3 + j] / sigma - (ck / sigma ** 2) * v[i] * u[j];
        expect(g[i * 3 + j]).toBeCloseTo(expected, 4);
        throughSigma += Math.abs((ck / sigma ** 2) * v[i] * u[j]);
      }
    expect(throughSigma).toBeGreaterThan(1e-2); // the σ term is not negligible here
    tf.dispose([value, w, weights, ...Object.values(grads)]);
    p.dispose();
  });

  it('seeds u per kernel name and rejects bad input', () => {
    const a = spectralNorm({ seed: 2 })([5, 3], 'x/a/kernel');
    const b = spectralNorm({ seed: 2 })([5, 3], 'x/b/kernel');
    const ua = Array.from(a.variables[0].dataSync());
    expect(Math.hypot(...ua)).toBeCloseTo(1, 5);
    expect(Array.from(b.variables[0].dataSync())).not.toEqual(ua);
    expect(() => spectralNorm()([5, 3], 'x/a/kernel')).toThrow(/already exists/);
    a.dispose();
    const again = spectralNorm({ seed: 2 })([5, 3], 'x/a/kernel');
    expect(Array.from(again.variables[0].dataSync())).toEqual(ua);
    const k = tf.zeros([5, 4]);
    expect(() => again.apply(k, { training: true })).toThrow(/\[5, 3\].*\[5, 4\]/);
    expect(() => spectralNorm({ powerIterations: 0 })).toThrow(GankitError);
    expect(() => spectralNorm()([5], 'x/vector')).toThrow(/rank >= 2/);
    expect(() => spectralNorm({ outputAxis: 4 })([3, 3, 2, 2], 'x/c/kernel')).toThrow(/outputAxis 4/);
    tf.dispose(k);
    again.dispose();
    b.dispose();
  });

  it('leaks no tensors', () => {
    const start = tf.memory().numTensors;
    const p = spectralNorm({ powerIterations: 3 })([3, 3, 2, 4], 'leak/conv/kernel');
    expect(tf.memory().numTensors).toBe(start + 2);
    const kernel = tf.ones([3, 3, 2, 4]);
    const n = tf.memory().numTensors;
    p.apply(kernel, { training: true }).dispose();
    p.apply(kernel, { training: false }).dispose();
    expect(tf.memory().numTensors).toBe(n);
    spectralNormOf(
      tf.tidy(() => tf.reshape(kernel, [18, 4])),
      5,
    ).dispose();
    expect(tf.memory().numTensors).toBe(n + 1); // the reshaped input made here, not by spectralNormOf
    kernel.dispose();
    p.dispose();
  });
});

describe('spectralNormOf', () => {
  it('matches the largest singular value', () => {
    const data = values(30, 12);
    const m = tf.tensor2d(data, [5, 6]);
    const s = spectralNormOf(m, 60);
    expect(Math.abs(s.dataSync()[0] / largestSingularValue(data, 5, 6) - 1)).toBeLessThan(1e-3);
    // A 2×2 closed form: [[a, b], [0, d]] → σ² = largest eigenvalue of AᵀA.
    const [a, b, d] = [2, 1, 0.5];
    const t = a * a + b * b + d * d;
    const det = a * a * d * d;
    const closed = Math.sqrt((t + Math.sqrt(t * t - 4 * det)) / 2);
    const m2 = tf.tensor2d([a, b, 0, d], [2, 2]);
    const s2 = spectralNormOf(m2, 50);
    expect(s2.dataSync()[0]).toBeCloseTo(closed, 5);
    expect(() => spectralNormOf(tf.zeros([2, 2, 2]) as tf.Tensor)).toThrow(/2-D matrix/);
    tf.dispose([m, s, m2, s2]);
  });
});
