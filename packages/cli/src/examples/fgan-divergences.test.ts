import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { F_DIVERGENCES, F_DIVERGENCE_SPECS } from '@gankit/losses';
import { CUSTOM_EXAMPLES } from './index';
import {
  FGAN_MIXTURE,
  fganDivergencesOfGaussian,
  fganMixture,
  fganMnist,
  fganMomentMatch,
  trainFganMixture,
  trainFganMnist,
  type FganGaussian,
} from '../index';

const single = (mean: number[], std: number) => ({ modes: [mean], weights: [1], std });

/** KL(N(m1, S1) ‖ N(m2, S2)) in 2-D, S as [a, b, c]. */
function gaussianKl(m1: readonly number[], s1: readonly number[], m2: readonly number[], s2: readonly number[]): number {
  const det = (s: readonly number[]) => s[0] * s[2] - s[1] * s[1];
  const d2 = det(s2);
  const inv = [s2[2] / d2, -s2[1] / d2, s2[0] / d2];
  const trace = inv[0] * s1[0] + 2 * inv[1] * s1[1] + inv[2] * s1[2];
  const dx = m2[0] - m1[0];
  const dy = m2[1] - m1[1];
  const maha = inv[0] * dx * dx + 2 * inv[1] * dx * dy + inv[2] * dy * dy;
  return 0.5 * (trace + maha - 2 + Math.log(d2 / det(s1)));
}

describe('fgan-divergences: the exact divergences of a Gaussian fit', () => {
  const q: FganGaussian = { mean: [0.4, -0.2], cov: [0.5, 0.1, 0.3] };

  it('KL and reverse KL between two Gaussians match the closed form; Hellinger the Bhattacharyya coefficient', () => {
    const p = single([0, 0], 0.6);
    const d = fganDivergencesOfGaussian(p, q);
    const sp = [0.36, 0, 0.36];
    expect(d.kl).toBeCloseTo(gaussianKl([0, 0], sp, q.mean, q.cov), 4);
    expect(d['reverse-kl']).toBeCloseTo(gaussianKl(q.mean, q.cov, [0, 0], sp), 4);
    // ∫(√p − √q)² = 2 − 2·BC for two Gaussians.
    const avg = sp.map((v, i) => (v + q.cov[i]) / 2);
    const det = (s: number[] | readonly number[]) => s[0] * s[2] - s[1] * s[1];
    const da = det(avg);
    const dx = q.mean[0];
    const dy = q.mean[1];
    const maha = (avg[2] * dx * dx - 2 * avg[1] * dx * dy + avg[0] * dy * dy) / da;
    const bc = ((det(sp) ** 0.25 * det(q.cov) ** 0.25) / Math.sqrt(da)) * Math.exp(-maha / 8);
    expect(d['squared-hellinger']).toBeCloseTo(2 - 2 * bc, 4);
    expect(d.gan).toBeCloseTo(d['jensen-shannon'] - Math.log(4), 10);
  });

  it('every divergence equals ∫ q f(p/q) with the f of F_DIVERGENCE_SPECS, for a 2 : 1 mixture', () => {
    const p = {
      modes: [
        [-0.5, 0],
        [0.5, 0.2],
      ],
      weights: [2, 1],
      std: 0.5,
    };
    const d = fganDivergencesOfGaussian(p, q, 300);
    // The same integral written naively on a grid, fine where no density underflows.
    const n = 300;
    const lo = -6;
    const h = 12 / n;
    const sums = Object.fromEntries(F_DIVERGENCES.map((k) => [k, 0])) as Record<string, number>;
    const [a, b, c] = q.cov;
    const det = a * c - b * b;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const x = lo + (i + 0.5) * h;
        const y = lo + (j + 0.5) * h;
        const pv =
          ((2 / 3) * Math.exp(-((x + 0.5) ** 2 + y ** 2) / 0.5)) / (2 * Math.PI * 0.25) +
          ((1 / 3) * Math.exp(-((x - 0.5) ** 2 + (y - 0.2) ** 2) / 0.5)) / (2 * Math.PI * 0.25);
        const ex = x - q.mean[0];
        const ey = y - q.mean[1];
        const qv = Math.exp(-(c * ex * ex - 2 * b * ex * ey + a * ey * ey) / (2 * det)) / (2 * Math.PI * Math.sqrt(det));
        if (qv < 1e-200 || pv < 1e-200) continue;
        for (const k of F_DIVERGENCES) sums[k] += qv * F_DIVERGENCE_SPECS[k].f(pv / qv) * h * h;
      }
    for (const k of F_DIVERGENCES) expect(d[k], k).toBeCloseTo(sums[k], 3);
    for (const k of F_DIVERGENCES) if (k !== 'gan') expect(d[k], k).toBeGreaterThan(0);
  });

  it('the moment-matched Gaussian of the example’s mixture is the KL optimum', () => {
    const p = { modes: FGAN_MIXTURE.modes, weights: FGAN_MIXTURE.weights, std: FGAN_MIXTURE.std };
    const best = fganMomentMatch(p);
    // Weights 2/3 and 1/3 at x = ∓1.5: mean −0.5, variance 2/3·1² + 1/3·2² + 0.3² = 2.09.
    expect(best.mean[0]).toBeCloseTo(-0.5, 10);
    expect(best.mean[1]).toBeCloseTo(0, 10);
    expect(best.cov[0]).toBeCloseTo(2.09, 10);
    expect(best.cov[2]).toBeCloseTo(0.09, 10);
    const klOf = (g: FganGaussian) => fganDivergencesOfGaussian(p, g).kl;
    const k0 = klOf(best);
    for (const other of [
      { mean: [-0.4, 0], cov: best.cov },
      { mean: best.mean, cov: [1.8, 0, 0.09] as [number, number, number] },
      { mean: [-1.5, 0], cov: [0.09, 0, 0.09] as [number, number, number] },
    ])
      expect(klOf(other)).toBeGreaterThan(k0);
    expect(() => fganDivergencesOfGaussian(p, { mean: [0, 0], cov: [1, 2, 1] })).toThrow(/not positive definite/);
  });
});

describe('fgan-mixture and fgan-mnist', () => {
  it('are registered as examples with a loop of their own', () => {
    expect(CUSTOM_EXAMPLES['fgan-mixture']).toBe(fganMixture);
    expect(CUSTOM_EXAMPLES['fgan-mnist']).toBe(fganMnist);
    expect(fganMixture.defaults).toEqual({ steps: FGAN_MIXTURE.steps, batchSize: FGAN_MIXTURE.batchSize });
  });

  it('fgan-mixture trains every divergence into its folder and writes them side by side', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fgan-mixture-'));
    try {
      const before = tf.memory().numTensors;
      const r = await fganMixture.train({
        steps: 3,
        seed: 1,
        batchSize: 16,
        out,
        backend: tf.getBackend(),
        progress: false,
        log: () => undefined,
      });
      expect(r.fault).toBeUndefined();
      expect(r.summary).toMatch(/^fgan-mixture: 7 divergences/);
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics.order).toEqual([...F_DIVERGENCES]);
      expect(metrics.momentMatched.mean).toEqual([-0.5, 0]);
      for (const d of F_DIVERGENCES) {
        const run = metrics.runs[d];
        expect(run.divergence).toBe(d);
        expect(run.steps).toBe(3);
        // Three steps barely move the Gaussian from its start, N((−0.75, 0.5), 0.2²).
        expect(Math.abs(run.mean[0] - FGAN_MIXTURE.startMean[0])).toBeLessThan(0.05);
        expect(Math.abs(run.cov[0] - FGAN_MIXTURE.startStd ** 2)).toBeLessThan(0.02);
        expect(run.onMode[0] + run.onMode[1] + run.between).toBeCloseTo(1, 2);
        expect(fs.existsSync(path.join(out, d, 'samples.png'))).toBe(true);
        expect(fs.existsSync(path.join(out, d, 'config.json'))).toBe(true);
      }
      const png = fs.readFileSync(path.join(out, 'divergences.png'));
      // Eight panels (seven fits and the reference) of 320 pixels, four a row, 6-pixel margins.
      expect(png.readUInt32BE(16)).toBe(4 * 320 + 5 * 6);
      expect(png.readUInt32BE(20)).toBe(2 * 320 + 3 * 6);
      expect(tf.memory().numTensors).toBe(before);
      // A second run into the same folder is refused (the first divergence's run is there).
      await expect(trainFganMixture({ steps: 3, out, backend: tf.getBackend(), progress: false, log: () => undefined })).rejects.toThrow(
        /kl/,
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('fgan-mnist trains a small DCGAN per divergence and scores it', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fgan-mnist-'));
    try {
      const r = await trainFganMnist(
        { steps: 2, seed: 0, batchSize: 8, out, backend: tf.getBackend(), progress: false, evalSamples: 20, log: () => undefined },
        { divergences: ['reverse-kl'] },
      );
      expect(r.summary).toMatch(/^fgan-mnist: 1 divergence in /);
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics.order).toEqual(['reverse-kl']);
      expect(metrics.runs['reverse-kl'].ema.fid).toBeGreaterThan(0);
      expect(metrics.runs['reverse-kl'].ema.recall).toBeGreaterThanOrEqual(0);
      expect(fs.existsSync(path.join(out, 'divergences.png'))).toBe(true);
      await expect(trainFganMnist({ out, backend: 'wasm', workers: 2 })).rejects.toThrow(/--workers 1/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
