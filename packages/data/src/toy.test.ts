import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { gaussianMixture, type GaussianMixture, gridMixture, ringMixture, spiral } from './toy';

/** Per-component sample count, mean and (pooled over both axes) standard deviation. */
function componentStats(x: Float32Array, labels: Int32Array, k: number) {
  const count = new Array(k).fill(0);
  const sum = Array.from({ length: k }, () => [0, 0]);
  for (let i = 0; i < labels.length; i++) {
    count[labels[i]]++;
    sum[labels[i]][0] += x[2 * i];
    sum[labels[i]][1] += x[2 * i + 1];
  }
  const mean = sum.map((s, c) => [s[0] / count[c], s[1] / count[c]]);
  const sq = new Array(k).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const m = mean[labels[i]];
    sq[labels[i]] += (x[2 * i] - m[0]) ** 2 + (x[2 * i + 1] - m[1]) ** 2;
  }
  const std = sq.map((s, c) => Math.sqrt(s / (2 * count[c] - 2)));
  return { count, mean, std };
}

function checkMixture(ds: GaussianMixture, n: number, seed: number) {
  const k = ds.modes.length;
  const { x, labels } = ds.nextBatch(n, new RandomSource(seed));
  expect(x.shape).toEqual([n, 2]);
  expect(x.dtype).toBe('float32');
  expect(labels!.dtype).toBe('int32');
  const xs = x.dataSync() as Float32Array;
  const ls = labels!.dataSync() as Int32Array;
  x.dispose();
  labels!.dispose();
  const { count, mean, std } = componentStats(xs, ls, k);
  const per = n / k;
  for (let c = 0; c < k; c++) {
    // Multinomial counts: 5 standard deviations of Binomial(n, 1/k).
    expect(Math.abs(count[c] - per)).toBeLessThan(5 * Math.sqrt(per * (1 - 1 / k)));
    // The sample mean lies within 5 standard errors of the centre.
    const se = ds.std / Math.sqrt(count[c]);
    expect(Math.abs(mean[c][0] - ds.modes[c][0])).toBeLessThan(5 * se);
    expect(Math.abs(mean[c][1] - ds.modes[c][1])).toBeLessThan(5 * se);
    // The sample std is within 5 of its own standard errors (≈ σ/√(2m)) of σ.
    expect(Math.abs(std[c] - ds.std)).toBeLessThan((5 * ds.std) / Math.sqrt(2 * 2 * count[c]));
  }
  // Every point sits next to its own component's centre (components are far apart relative to std).
  for (let i = 0; i < ls.length; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const d = (xs[2 * i] - ds.modes[c][0]) ** 2 + (xs[2 * i + 1] - ds.modes[c][1]) ** 2;
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    if (best !== ls[i]) throw new Error(`point ${i} is nearest centre ${best}, drawn from ${ls[i]}`);
  }
}

describe('ringMixture', () => {
  it('puts 8 centres exactly on the circle of radius 2, 45° apart', () => {
    const ring = ringMixture();
    expect(ring.name).toBe('ring8');
    expect(ring.modes).toHaveLength(8);
    expect(ring.std).toBe(0.02);
    expect(ring.sampleShape).toEqual([2]);
    expect(ring.size).toBeUndefined();
    ring.modes.forEach(([x, y], k) => {
      expect(Math.hypot(x, y)).toBeCloseTo(2, 12);
      const angle = Math.atan2(y, x);
      const expected = (2 * Math.PI * k) / 8;
      expect(Math.cos(angle - expected)).toBeCloseTo(1, 12);
    });
  });

  it('draws each component with the configured mean and std, in equal shares', () => {
    checkMixture(ringMixture({ labels: true }), 16000, 1);
    checkMixture(ringMixture({ modes: 5, radius: 3, std: 0.1, labels: true }), 10000, 2);
  });

  it('repeats bit for bit from the same random state and differs across draws', () => {
    const ring = ringMixture();
    const a = new RandomSource(11);
    const b = new RandomSource(11);
    const a1 = ring.nextBatch(64, a).x;
    const a2 = ring.nextBatch(64, a).x;
    const b1 = ring.nextBatch(64, b).x;
    expect(Array.from(a1.dataSync())).toEqual(Array.from(b1.dataSync()));
    expect(Array.from(a1.dataSync())).not.toEqual(Array.from(a2.dataSync()));
    // Restoring the random state resumes the same sequence.
    const c = new RandomSource(0);
    c.loadState({ seed: 11, counter: 1 });
    const c2 = ring.nextBatch(64, c).x;
    expect(Array.from(c2.dataSync())).toEqual(Array.from(a2.dataSync()));
    tf.dispose([a1, a2, b1, c2]);
  });

  it('makes exactly the returned tensors', () => {
    const rng = new RandomSource(5);
    const before = tf.memory().numTensors;
    const plain = ringMixture().nextBatch(32, rng);
    expect(tf.memory().numTensors - before).toBe(1);
    const withLabels = ringMixture({ labels: true }).nextBatch(32, rng);
    expect(tf.memory().numTensors - before).toBe(3);
    tf.dispose([plain.x, withLabels.x, withLabels.labels!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options and batch sizes with the value named', () => {
    expect(() => ringMixture({ modes: 0 })).toThrow(/modes must be a positive integer, got 0/);
    expect(() => ringMixture({ radius: -1 })).toThrow(GankitError);
    expect(() => ringMixture().nextBatch(0, new RandomSource(1))).toThrow(/batch size must be a positive integer, got 0/);
    expect(() => ringMixture().nextBatch(2.5, new RandomSource(1))).toThrow(/got 2.5/);
  });
});

describe('gridMixture', () => {
  it('places 25 centres on {-4,-2,0,2,4}² and samples them correctly', () => {
    const grid = gridMixture({ labels: true });
    expect(grid.name).toBe('grid25');
    expect(grid.numClasses).toBe(25);
    const expected: number[][] = [];
    for (const a of [-4, -2, 0, 2, 4]) for (const b of [-4, -2, 0, 2, 4]) expected.push([a, b]);
    expect(grid.modes).toEqual(expected);
    checkMixture(grid, 25000, 3);
  });
});

describe('spiral', () => {
  it('puts centres on an Archimedean spiral with growing radius', () => {
    const s = spiral({ modes: 12, turns: 2, radius: 3, inner: 0.25, labels: true });
    expect(s.modes).toHaveLength(12);
    s.modes.forEach(([x, y], k) => {
      const t = k / 11;
      expect(Math.hypot(x, y)).toBeCloseTo(3 * (0.25 + 0.75 * t), 12);
      const a = 4 * Math.PI * t;
      expect(x * Math.sin(a) - y * Math.cos(a)).toBeCloseTo(0, 12); // same direction as angle a
      expect(x * Math.cos(a) + y * Math.sin(a)).toBeGreaterThan(0);
    });
    checkMixture(s, 12000, 4);
  });
});

describe('gaussianMixture', () => {
  it('validates centres', () => {
    expect(() => gaussianMixture({ modes: [], std: 1 })).toThrow(/non-empty/);
    expect(() => gaussianMixture({ modes: [[0, 0], [1]], std: 1 })).toThrow(/centre 1 has 1 coordinates, centre 0 has 2/);
    expect(() => gaussianMixture({ modes: [[0, 0]], std: -1 })).toThrow(/std must be a non-negative number, got -1/);
  });

  it('with std 0 returns the centres themselves', () => {
    const m = gaussianMixture({ modes: [[1, 2, 3]], std: 0 });
    const { x } = m.nextBatch(4, new RandomSource(1));
    expect(x.shape).toEqual([4, 3]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    x.dispose();
  });
});
