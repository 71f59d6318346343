import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RandomSource } from './random';
import { truncateLatent, truncatedNormal } from './truncation';

const maxAbs = (t: tf.Tensor) => Math.max(...Array.from(t.dataSync(), Math.abs));

describe('truncatedNormal', () => {
  it('every entry lies within psi, for thresholds from 0.25 to 2', () => {
    for (const psi of [0.25, 0.5, 1, 2]) {
      const z = truncatedNormal([200, 50], psi, new RandomSource(3));
      expect(z.shape).toEqual([200, 50]);
      expect(maxAbs(z)).toBeLessThanOrEqual(psi);
      z.dispose();
    }
  });

  it('has the truncated normal variance 1 − 2ψφ(ψ)/(2Φ(ψ) − 1) and mean 0', () => {
    // psi = 1: Var = 1 − 2·φ(1)/(2Φ(1) − 1) = 1 − 2·0.241971/0.682689 = 0.291125
    const z = truncatedNormal([20000], 1, new RandomSource(5));
    const v = Array.from(z.dataSync());
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(0.291125, 2);
    z.dispose();
  });

  it('is seeded: the same seed repeats, another seed differs, and successive draws differ', () => {
    const a = truncatedNormal([64, 10], 0.5, new RandomSource(7));
    const b = truncatedNormal([64, 10], 0.5, new RandomSource(7));
    const c = truncatedNormal([64, 10], 0.5, new RandomSource(8));
    const source = new RandomSource(7);
    const first = truncatedNormal([64, 10], 0.5, source);
    const second = truncatedNormal([64, 10], 0.5, source);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(Array.from(first.dataSync())).not.toEqual(Array.from(second.dataSync()));
    tf.dispose([a, b, c, first, second]);
  });

  it('without psi is the plain normal draw of the same source', () => {
    const a = truncatedNormal([8, 4], undefined, new RandomSource(2));
    const b = new RandomSource(2).normal([8, 4]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });

  it('refuses a bad threshold or shape in one line', () => {
    const r = new RandomSource(0);
    for (const psi of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => truncatedNormal([2, 2], psi, r)).toThrow(/psi must be a finite number > 0/);
    }
    expect(() => truncatedNormal([2, 1.5], 1, r)).toThrow(/shape must be a list of non-negative integers/);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const z = truncatedNormal([32, 16], 0.25, new RandomSource(1));
    z.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('truncateLatent', () => {
  it('keeps the entries within psi and redraws the others within psi', () => {
    const z = tf.tensor2d([
      [0.1, -3, 0.4],
      [2.5, -0.2, 0.49],
    ]);
    const t = truncateLatent(z, 0.5, new RandomSource(4));
    const v = Array.from(t.dataSync());
    expect(v[0]).toBeCloseTo(0.1, 6);
    expect(v[2]).toBeCloseTo(0.4, 6);
    expect(v[4]).toBeCloseTo(-0.2, 6);
    expect(v[5]).toBeCloseTo(0.49, 6);
    for (const i of [1, 3]) expect(Math.abs(v[i])).toBeLessThanOrEqual(0.5);
    expect(Array.from(z.dataSync())).toEqual(Array.from(Float32Array.from([0.1, -3, 0.4, 2.5, -0.2, 0.49])));
    tf.dispose([z, t]);
  });

  it('refuses a non-float latent', () => {
    const z = tf.tensor1d([1, 2], 'int32');
    expect(() => truncateLatent(z, 1, new RandomSource(0))).toThrow(/z must be float32, got int32/);
    z.dispose();
  });
});
