import { describe, expect, it } from 'vitest';
import { GankitError } from '@gankit/core';
import { frechetDistance, symmetricEigenvalues } from './frechet';
import { FeatureStatistics } from './feature-statistics';
import { normal, randomOrthogonal, rel, withEigenvalues } from './test-utils';
import fixture from './__fixtures__/reference.json';

describe('symmetricEigenvalues', () => {
  it('recovers the eigenvalues of Q diag(lambda) Q^T, repeated and zero ones included', () => {
    for (const n of [1, 2, 3, 7, 40]) {
      const z = normal(n);
      const lambda = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : i % 3 === 0 ? 2.5 : Math.abs(z()) * 3));
      const a = withEigenvalues(randomOrthogonal(n, 100 + n), lambda);
      const got = symmetricEigenvalues(a);
      const want = [...lambda].sort((x, y) => x - y);
      for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12 * 3 * n);
    }
  });

  it('matches numpy.linalg.eigvalsh on the fixture matrices', () => {
    for (const c of fixture.fid) {
      const got = symmetricEigenvalues(c.sigma1);
      c.eigenvalues1.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThan(1e-12 * Math.max(1, Math.abs(w))));
    }
  });

  it('handles an already diagonal and a tridiagonal matrix, and negative eigenvalues', () => {
    expect(
      Array.from(
        symmetricEigenvalues([
          [3, 0, 0],
          [0, -1, 0],
          [0, 0, 2],
        ]),
      ),
    ).toEqual([-1, 2, 3]);
    // The n x n second-difference matrix: eigenvalues 2 - 2 cos(k pi / (n + 1)).
    const n = 30;
    const t = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0)));
    const got = symmetricEigenvalues(t);
    for (let k = 1; k <= n; k++) expect(got[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 12);
  });

  it('rejects non-square and non-finite input', () => {
    expect(() => symmetricEigenvalues([[1, 2], [3]])).toThrow(/row 1/);
    expect(() => symmetricEigenvalues(new Float64Array(5))).toThrow(/values/);
    expect(() =>
      symmetricEigenvalues([
        [1, NaN],
        [NaN, 1],
      ]),
    ).toThrow(/not finite/);
  });
});

describe('frechetDistance', () => {
  it('agrees with the scipy sqrtm formula of pytorch-fid / TTUR to 1e-6 relative', () => {
    for (const c of fixture.fid) {
      const fid = frechetDistance({ mean: c.mu1, covariance: c.sigma1 }, { mean: c.mu2, covariance: c.sigma2 });
      expect(rel(fid, c.fidScipy), c.name).toBeLessThan(1e-6);
      // and in fact to near machine precision
      expect(rel(fid, c.fidScipy), c.name).toBeLessThan(1e-10);
      // row-major Float64Array covariances give the same value
      const flat = frechetDistance(
        { mean: Float64Array.from(c.mu1), covariance: Float64Array.from(c.sigma1.flat()) },
        { mean: c.mu2, covariance: Float64Array.from(c.sigma2.flat()) },
      );
      expect(flat).toBe(fid);
    }
  });

  it('gives the same value bit for bit when its kept workspace held a larger or smaller problem before', () => {
    const [small, , large] = fixture.fid;
    const run = (c: (typeof fixture.fid)[number]) =>
      frechetDistance({ mean: c.mu1, covariance: c.sigma1 }, { mean: c.mu2, covariance: c.sigma2 });
    const first = run(large);
    const smallFirst = run(small);
    expect(run(large)).toBe(first);
    expect(run(small)).toBe(smallFirst);
    expect(large.d).toBeGreaterThan(small.d);
  });

  it('is symmetric in its arguments', () => {
    const c = fixture.fid[1];
    const ab = frechetDistance({ mean: c.mu1, covariance: c.sigma1 }, { mean: c.mu2, covariance: c.sigma2 });
    const ba = frechetDistance({ mean: c.mu2, covariance: c.sigma2 }, { mean: c.mu1, covariance: c.sigma1 });
    expect(rel(ab, ba)).toBeLessThan(1e-12);
  });

  it('matches the reference on statistics accumulated from samples, singular ones included', () => {
    for (const c of fixture.fromSamples) {
      const a = new FeatureStatistics().add(c.x1).statistics();
      const b = new FeatureStatistics().add(c.x2).statistics();
      const fid = frechetDistance(a, b);
      expect(Number.isFinite(fid)).toBe(true);
      expect(fid).toBeGreaterThanOrEqual(0);
      // singular covariances: the square root of near-zero eigenvalues amplifies rounding
      expect(rel(fid, c.fidEigh), c.name).toBeLessThan(c.singular ? 1e-6 : 1e-10);
      expect(rel(fid, c.fidScipy), c.name).toBeLessThan(1e-6);
    }
  });

  it('is 0 for identical statistics', () => {
    for (const c of fixture.fid) {
      const s = { mean: c.mu1, covariance: c.sigma1 };
      expect(frechetDistance(s, s)).toBeLessThanOrEqual(1e-9);
    }
  });

  it('is finite and >= 0 with far fewer samples than dimensions', () => {
    const d = 64;
    const z = normal(5);
    for (const n of [2, 3, 10]) {
      const sa = new FeatureStatistics(d);
      const sb = new FeatureStatistics(d);
      sa.add(Array.from({ length: n }, () => Array.from({ length: d }, () => z())));
      sb.add(Array.from({ length: n }, () => Array.from({ length: d }, () => 0.5 * z() + 0.1)));
      const fid = frechetDistance(sa.statistics(), sb.statistics());
      expect(Number.isFinite(fid)).toBe(true);
      expect(fid).toBeGreaterThan(0);
      const self = frechetDistance(sa.statistics(), sa.statistics());
      expect(self).toBeGreaterThanOrEqual(0);
      expect(self).toBeLessThan(1e-6 * fid);
    }
    // a zero covariance (one repeated sample) on either side
    const zero = { mean: new Float64Array(3), covariance: new Float64Array(9) };
    const eye = {
      mean: [1, 0, 0],
      covariance: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    };
    expect(frechetDistance(zero, eye)).toBeCloseTo(1 + 3, 12);
    expect(frechetDistance(eye, zero)).toBeCloseTo(1 + 3, 12);
  });

  it('matches the closed form for commuting covariances: |dmu|^2 + sum (sqrt s1 - sqrt s2)^2', () => {
    const d = 50;
    const z = normal(11);
    const mu1 = Array.from({ length: d }, () => z());
    const mu2 = Array.from({ length: d }, () => z());
    const s1 = Array.from({ length: d }, () => 0.1 + z() ** 2);
    const s2 = Array.from({ length: d }, () => 0.1 + z() ** 2);
    let want = 0;
    for (let i = 0; i < d; i++) want += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(s1[i]) - Math.sqrt(s2[i])) ** 2;
    const diag = (s: number[]) => s.map((v, i) => s.map((_, j) => (i === j ? v : 0)));
    const fid = frechetDistance({ mean: mu1, covariance: diag(s1) }, { mean: mu2, covariance: diag(s2) });
    expect(rel(fid, want)).toBeLessThan(1e-12);
    // Rotating both covariances by the same orthogonal Q leaves the distance unchanged.
    const q = randomOrthogonal(d, 3);
    const rotated = frechetDistance({ mean: mu1, covariance: withEigenvalues(q, s1) }, { mean: mu2, covariance: withEigenvalues(q, s2) });
    expect(rel(rotated, want)).toBeLessThan(1e-10);
  });

  it('rejects bad input with errors that name the problem', () => {
    const ok = {
      mean: [0, 0],
      covariance: [
        [1, 0],
        [0, 1],
      ],
    };
    expect(() =>
      frechetDistance(ok, {
        mean: [0, 0, 0],
        covariance: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      }),
    ).toThrow(/length 3, expected 2/);
    expect(() =>
      frechetDistance(ok, {
        mean: [0, 0],
        covariance: [
          [1, 0],
          [0, 1],
          [0, 0],
        ],
      }),
    ).toThrow(/expected 2 rows/);
    expect(() => frechetDistance(ok, { mean: [0, 0], covariance: new Float64Array(3) })).toThrow(/4 values/);
    expect(() =>
      frechetDistance(ok, {
        mean: [0, NaN],
        covariance: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).toThrow(/mean\[1\].*not finite/);
    expect(() =>
      frechetDistance(ok, {
        mean: [0, 0],
        covariance: [
          [1, Infinity],
          [0, 1],
        ],
      }),
    ).toThrow(/not finite/);
    expect(() =>
      frechetDistance(ok, {
        mean: [0, 0],
        covariance: [
          [1, 0.5],
          [0, 1],
        ],
      }),
    ).toThrow(/not symmetric/);
    expect(() =>
      frechetDistance(ok, {
        mean: [0, 0],
        covariance: [
          [-1, 0],
          [0, 1],
        ],
      }),
    ).toThrow(/negative diagonal/);
    expect(() => frechetDistance(ok, {} as never)).toThrow(GankitError);
    // tiny asymmetry (float32 round-off) is accepted and symmetrised
    expect(
      frechetDistance(ok, {
        mean: [0, 0],
        covariance: [
          [1, 1e-9],
          [0, 1],
        ],
      }),
    ).toBeLessThan(1e-12);
  });
});
