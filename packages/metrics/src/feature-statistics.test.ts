import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { FeatureStatistics, featureStatistics } from './feature-statistics';
import { normal } from './test-utils';
import fixture from './__fixtures__/reference.json';

/** Two-pass float64 mean and unbiased covariance, computed directly. */
function direct(rows: number[][]): { mean: number[]; cov: number[][] } {
  const n = rows.length;
  const d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const cov = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + (r[i] - mean[i]) * (r[j] - mean[j]), 0) / (n - 1)),
  );
  return { mean, cov };
}

function randomRows(n: number, d: number, seed: number, offset = 0): number[][] {
  const z = normal(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => offset + (1 + j / d) * z() + 0.3 * j));
}

describe('FeatureStatistics', () => {
  it('matches numpy.mean / numpy.cov on the fixture samples', () => {
    const c = fixture.fromSamples[0];
    const s = new FeatureStatistics().add(c.x1);
    expect(s.count).toBe(c.x1.length);
    expect(s.dim).toBe(c.d);
    const mean = s.mean();
    const cov = s.covariance();
    c.mean1.forEach((m, i) => expect(Math.abs(mean[i] - m)).toBeLessThan(1e-13));
    c.cov1.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(cov[i * c.d + j] - v)).toBeLessThan(1e-12)));
  });

  it('gives the same statistics however the rows are split into batches', () => {
    const d = 13; // odd, to exercise the kernels' edge paths
    const rows = randomRows(150, d, 1);
    const ref = direct(rows);
    for (const sizes of [[150], [1, 1, 148], [64, 64, 22], [7, 70, 73]]) {
      const s = new FeatureStatistics();
      let at = 0;
      for (const b of sizes) {
        s.add(rows.slice(at, at + b));
        at += b;
      }
      const mean = s.mean();
      const cov = s.covariance();
      for (let i = 0; i < d; i++) {
        expect(Math.abs(mean[i] - ref.mean[i])).toBeLessThan(1e-12);
        for (let j = 0; j < d; j++) {
          expect(Math.abs(cov[i * d + j] - ref.cov[i][j])).toBeLessThan(1e-12);
          expect(cov[i * d + j]).toBe(cov[j * d + i]);
        }
      }
    }
  });

  it('stays accurate when the mean is huge compared with the spread', () => {
    // A naive sum of x x^T loses every digit here; the centred update keeps them.
    const d = 4;
    const rows = randomRows(200, d, 2, 1e8);
    const ref = direct(rows);
    const s = featureStatistics([rows.slice(0, 50), rows.slice(50, 120), rows.slice(120)]);
    const cov = s.covariance();
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) expect(Math.abs(cov[i * d + j] - ref.cov[i][j])).toBeLessThan(1e-6 * Math.abs(ref.cov[i][i]));
    }
  });

  it('accepts tensors and typed arrays without leaking tensors', () => {
    const d = 6;
    const rows = randomRows(40, d, 3).map((r) => r.map((v) => Math.fround(v)));
    const ref = direct(rows);
    const t = tf.tensor2d(rows.slice(0, 25));
    const s = new FeatureStatistics(d);
    const before = tf.memory().numTensors;
    s.add(t);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
    s.add(new Float32Array(rows.slice(25).flat()));
    const s2 = featureStatistics([{ data: new Float64Array(rows.flat()), dim: d }]);
    for (const st of [s, s2]) {
      const cov = st.covariance();
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(Math.abs(cov[i * d + j] - ref.cov[i][j])).toBeLessThan(1e-12);
    }
  });

  it('merges accumulators gathered separately', () => {
    const d = 5;
    const rows = randomRows(90, d, 4);
    const ref = direct(rows);
    const a = new FeatureStatistics().add(rows.slice(0, 30));
    const b = new FeatureStatistics().add(rows.slice(30));
    a.mergeFrom(b).mergeFrom(new FeatureStatistics());
    expect(a.count).toBe(90);
    const { mean, covariance } = a.statistics();
    for (let i = 0; i < d; i++) {
      expect(Math.abs(mean[i] - ref.mean[i])).toBeLessThan(1e-12);
      for (let j = 0; j < d; j++) expect(Math.abs(covariance[i * d + j] - ref.cov[i][j])).toBeLessThan(1e-12);
    }
    expect(new FeatureStatistics().mergeFrom(a).count).toBe(90);
  });

  it('reports misuse clearly', () => {
    expect(() => new FeatureStatistics().mean()).toThrow(/no features/);
    expect(() => new FeatureStatistics().add([[1, 2]]).covariance()).toThrow(/at least 2/);
    expect(() => new FeatureStatistics().add([[1, 2]]).add([[1, 2, 3]])).toThrow(/dimension 3, expected 2/);
    expect(() => new FeatureStatistics().add(new Float32Array(4))).toThrow(/row length/);
    expect(() => new FeatureStatistics(3).add(new Float32Array(4))).toThrow(/4 values/);
    expect(() => new FeatureStatistics().add([[1, NaN]])).toThrow(/non-finite/);
    expect(() => new FeatureStatistics(0)).toThrow(/dim/);
    expect(() => new FeatureStatistics(2).mergeFrom(new FeatureStatistics().add([[1, 2, 3]]))).toThrow(/dimension 3/);
    expect(new FeatureStatistics().add([]).count).toBe(0);
  });
});
