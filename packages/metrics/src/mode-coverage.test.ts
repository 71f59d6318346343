import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { gridModes, modeCoverage, ringModes } from './mode-coverage';

describe('ringModes / gridModes', () => {
  it('places k modes on a circle of the given radius, evenly spaced', () => {
    const m = ringModes(8, 2);
    expect(m).toHaveLength(8);
    expect(m[0][0]).toBeCloseTo(2, 12);
    expect(m[0][1]).toBeCloseTo(0, 12);
    expect(m[2][0]).toBeCloseTo(0, 12);
    expect(m[2][1]).toBeCloseTo(2, 12);
    for (const [x, y] of m) expect(Math.hypot(x, y)).toBeCloseTo(2, 12);
    for (let i = 0; i < 8; i++) {
      const [a, b] = [m[i], m[(i + 1) % 8]];
      expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeCloseTo(2 * 2 * Math.sin(Math.PI / 8), 12);
    }
  });

  it('makes a centred side x side grid', () => {
    const g = gridModes(5, 2);
    expect(g).toHaveLength(25);
    expect(g[0]).toEqual([-4, -4]);
    expect(g[1]).toEqual([-2, -4]);
    expect(g[12]).toEqual([0, 0]);
    expect(g[24]).toEqual([4, 4]);
    expect(gridModes(2, 1)).toEqual([
      [-0.5, -0.5],
      [0.5, -0.5],
      [-0.5, 0.5],
      [0.5, 0.5],
    ]);
  });

  it('rejects bad arguments', () => {
    expect(() => ringModes(0, 1)).toThrow(GankitError);
    expect(() => ringModes(3, -1)).toThrow(/radius/);
    expect(() => gridModes(2.5, 1)).toThrow(/side/);
    expect(() => gridModes(2, 0)).toThrow(/spacing/);
  });
});

describe('modeCoverage', () => {
  const modes = ringModes(8, 2);

  it('counts high-quality points per nearest mode and the captured modes', () => {
    const std = 0.02;
    const pts: number[][] = [];
    // 3 points near mode 0, 2 near mode 3, 1 near mode 5: all within 3 std.
    pts.push([2.01, 0.0], [1.99, 0.03], [2.0, -0.05]);
    pts.push([modes[3][0] + 0.04, modes[3][1]], [modes[3][0], modes[3][1] - 0.02]);
    pts.push([modes[5][0] - 0.01, modes[5][1] + 0.01]);
    // 4 low-quality points: the origin, a point between modes, one just outside 3 std, a NaN.
    pts.push([0, 0], [1.5, 1.5], [2.0 + 0.0601, 0.0], [NaN, 1]);
    const r = modeCoverage(pts, modes, std);
    expect(r.numPoints).toBe(10);
    expect(r.numModes).toBe(8);
    expect(r.pointsPerMode).toEqual([3, 0, 0, 2, 0, 1, 0, 0]);
    expect(r.modesCaptured).toBe(3);
    expect(r.highQualityFraction).toBeCloseTo(6 / 10, 15);

    expect(modeCoverage(pts, modes, std, { minPoints: 2 }).modesCaptured).toBe(2);
    expect(modeCoverage(pts, modes, std, { minPoints: 3 }).modesCaptured).toBe(1);
    // A wider threshold lets the point at 3.005 std in.
    expect(modeCoverage(pts, modes, std, { threshold: 3.1 }).pointsPerMode[0]).toBe(4);
  });

  it('is inclusive at exactly threshold * std and breaks ties toward the first mode', () => {
    const m = [
      [0, 0],
      [2, 0],
    ];
    const r = modeCoverage(
      [
        [1, 0],
        [3, 0],
        [-1, 0],
        [0, 1.0000001],
      ],
      m,
      0.5,
      { threshold: 2 },
    );
    // [1,0] is at distance 1 from both (tie -> mode 0); [3,0] and [-1,0] at exactly 1; the last just outside.
    expect(r.pointsPerMode).toEqual([2, 1]);
    expect(r.highQualityFraction).toBe(3 / 4);
  });

  it('matches the chi-square closed form on samples from the mixture itself', () => {
    // Points drawn from the mixture: in 2-D, P(|x - mu| <= 3 std) = 1 - exp(-9/2).
    const std = 0.05;
    const n = 16000;
    const rng = new RandomSource(7);
    const next = rng.floats();
    const z = rng.normal([n, 2]);
    const zd = z.dataSync();
    z.dispose();
    const pts = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const mode = modes[Math.floor(next() * 8)];
      pts[2 * i] = mode[0] + std * zd[2 * i];
      pts[2 * i + 1] = mode[1] + std * zd[2 * i + 1];
    }
    const r = modeCoverage({ data: pts, dim: 2 }, modes, std);
    expect(r.modesCaptured).toBe(8);
    const p = 1 - Math.exp(-4.5);
    const se = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(r.highQualityFraction - p)).toBeLessThan(4 * se);
    for (const c of r.pointsPerMode) expect(Math.abs(c - (n * p) / 8)).toBeLessThan(6 * Math.sqrt(n / 8));
  });

  it('accepts a Tensor2D, { data, dim } and a bare typed array alike, without leaking', () => {
    const pts = [
      [2.01, 0.0],
      [0, 2.02],
      [0, 0],
      [-2, 0.01],
      [-2, -0.01],
    ];
    const ref = modeCoverage(pts, modes, 0.02);
    const t = tf.tensor2d(pts);
    const before = tf.memory().numTensors;
    const fromTensor = modeCoverage(t, modes, 0.02);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
    const flat = new Float32Array(pts.flat());
    expect(fromTensor).toEqual(ref);
    expect(modeCoverage({ data: flat, dim: 2 }, modes, 0.02)).toEqual(ref);
    expect(modeCoverage(flat, modes, 0.02)).toEqual(ref); // dim inferred from the modes
    expect(modeCoverage(flat, modes, 0.02, { dim: 2 })).toEqual(ref);
    expect(ref.pointsPerMode).toEqual([1, 0, 1, 0, 2, 0, 0, 0]);
  });

  it('works in higher dimensions with the grid', () => {
    const grid = gridModes(5, 2);
    const pts = grid.map(([x, y]) => [x + 0.1, y - 0.1]);
    const r = modeCoverage(pts, grid, 0.05);
    expect(r.modesCaptured).toBe(25);
    expect(r.pointsPerMode.every((c) => c === 1)).toBe(true);
    const m3 = [
      [0, 0, 0],
      [10, 10, 10],
    ];
    const r3 = modeCoverage(
      [
        [0, 0, 0.5],
        [10, 9.5, 10],
        [5, 5, 5],
      ],
      m3,
      0.2,
    );
    expect(r3.pointsPerMode).toEqual([1, 1]);
    expect(r3.highQualityFraction).toBeCloseTo(2 / 3, 15);
  });

  it('rejects bad input with a clear error', () => {
    expect(() => modeCoverage([[0, 0]], modes, 0)).toThrow(/std/);
    expect(() => modeCoverage([[0, 0]], modes, 0.1, { threshold: -1 })).toThrow(/threshold/);
    expect(() => modeCoverage([[0, 0]], modes, 0.1, { minPoints: 0 })).toThrow(/minPoints/);
    expect(() => modeCoverage([[0, 0]], [], 0.1)).toThrow(/modes/);
    expect(() => modeCoverage([], modes, 0.1)).toThrow(/no points/);
    expect(() => modeCoverage([[0, 0, 0]], modes, 0.1)).toThrow(/dimension 3.*dimension 2/);
    expect(() => modeCoverage([[0, 0], [1]], modes, 0.1)).toThrow(/row 1/);
    expect(() => modeCoverage(new Float32Array(5), modes, 0.1)).toThrow(/5 values/);
    expect(() => modeCoverage([[0, 0]], [[0, NaN]], 0.1)).toThrow(/non-finite/);
    const t = tf.zeros([2, 2, 1]);
    expect(() => modeCoverage(t, modes, 0.1)).toThrow(/rank-2/);
    t.dispose();
  });
});
