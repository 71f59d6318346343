import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { kernelInceptionDistance } from './kernel-inception-distance';
import { normal, rel } from './test-utils';
import fixture from './__fixtures__/reference.json';

/** Direct O(n^2) float64 unbiased MMD^2 with the kernel (gamma x.y + c)^p. */
function directMmd2(x: number[][], y: number[][], gamma: number, c: number, p: number): number {
  const k = (a: number[], b: number[]) => (gamma * a.reduce((s, v, i) => s + v * b[i], 0) + c) ** p;
  const m = x.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) {
        sxx += k(x[i], x[j]);
        syy += k(y[i], y[j]);
      }
      sxy += k(x[i], y[j]);
    }
  }
  return sxx / (m * (m - 1)) + syy / (m * (m - 1)) - (2 * sxy) / (m * m);
}

function gaussianRows(n: number, d: number, seed: number, shift = 0): number[][] {
  const z = normal(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => z() + shift));
}

describe('kernelInceptionDistance', () => {
  it('equals the direct O(n^2) unbiased MMD^2 when a subset is the whole set', () => {
    const { a, b, mmd2 } = fixture.kid;
    const direct = directMmd2(a, b, 1 / a[0].length, 1, 3);
    expect(rel(direct, mmd2)).toBeLessThan(1e-10); // the test's own reference agrees with numpy
    const r = kernelInceptionDistance(a, b, { subsets: 3, subsetSize: 1000, seed: 1 });
    expect(rel(r.mean, mmd2)).toBeLessThan(1e-4); // float32 Gram matrices
    expect(r.std).toBeLessThan(1e-5 * Math.abs(mmd2));
    // other kernel parameters
    const r2 = kernelInceptionDistance(a, b, { subsets: 1, subsetSize: 30, degree: 2, gamma: 0.5, coef0: 0.25 });
    expect(rel(r2.mean, directMmd2(a, b, 0.5, 0.25, 2))).toBeLessThan(1e-4);
  });

  it('is near 0 for two samples of one distribution and clearly positive for a shifted one', () => {
    const d = 16;
    const x = gaussianRows(400, d, 1);
    const y = gaussianRows(400, d, 2);
    const shifted = gaussianRows(400, d, 3, 0.5);
    const same = kernelInceptionDistance(x, y, { subsets: 10, subsetSize: 200, seed: 3 });
    const diff = kernelInceptionDistance(x, shifted, { subsets: 10, subsetSize: 200, seed: 3 });
    expect(diff.mean).toBeGreaterThan(0.05);
    expect(diff.mean).toBeGreaterThan(5 * diff.std);
    expect(Math.abs(same.mean)).toBeLessThan(0.05 * diff.mean);
    expect(same.std).toBeGreaterThan(0);
  });

  it('is deterministic for a seed, varies with it, and does not leak tensors', () => {
    const x = gaussianRows(60, 8, 4);
    const y = gaussianRows(50, 8, 5, 0.2);
    const tx = tf.tensor2d(x);
    const before = tf.memory().numTensors;
    const r1 = kernelInceptionDistance(tx, y, { subsets: 4, subsetSize: 20, seed: 9 });
    const r2 = kernelInceptionDistance(x, { data: new Float32Array(y.flat()), dim: 8 }, { subsets: 4, subsetSize: 20, seed: 9 });
    const r3 = kernelInceptionDistance(tx, y, { subsets: 4, subsetSize: 20, seed: 10 });
    expect(tf.memory().numTensors).toBe(before);
    tx.dispose();
    expect(r1.mean).toBe(r2.mean);
    expect(r1.std).toBe(r2.std);
    expect(r3.mean).not.toBe(r1.mean);
    expect(() => kernelInceptionDistance(x, [[1, 2]], {})).toThrow();
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('rejects bad input', () => {
    const x = gaussianRows(10, 4, 6);
    expect(() => kernelInceptionDistance(x, gaussianRows(10, 5, 7))).toThrow(/dimension 4.*dimension 5/);
    expect(() => kernelInceptionDistance(x, [[1, 2, 3, 4]])).toThrow(/at least 2 rows/);
    expect(() => kernelInceptionDistance(x, x, { subsets: 0 })).toThrow(/subsets/);
    expect(() => kernelInceptionDistance(x, x, { subsetSize: 1 })).toThrow(/subsetSize/);
    expect(() => kernelInceptionDistance(x, x, { degree: 1.5 })).toThrow(/degree/);
    expect(() => kernelInceptionDistance(x, x, { gamma: -1 })).toThrow(/gamma/);
    expect(() =>
      kernelInceptionDistance(x, [
        [1, 2, 3, NaN],
        [1, 2, 3, 4],
      ]),
    ).toThrow(/non-finite/);
  });
});
