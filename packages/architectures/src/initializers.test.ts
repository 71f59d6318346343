import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { computeFans, constant, glorotUniform, heNormal, normal, ones, zeros } from './initializers';

function stats(values: Float32Array | Int32Array | Uint8Array): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / values.length;
  let q = 0;
  for (const v of values) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / values.length), min, max };
}

describe('computeFans', () => {
  it('follows Keras for dense and conv kernels', () => {
    expect(computeFans([100, 30])).toEqual({ fanIn: 100, fanOut: 30 });
    expect(computeFans([4, 4, 3, 64])).toEqual({ fanIn: 48, fanOut: 1024 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
  });
});

describe('seeded initialisers', () => {
  for (const [label, init] of [
    ['glorotUniform', glorotUniform()],
    ['heNormal', heNormal()],
    ['normal', normal(0, 0.02)],
  ] as const) {
    it(`${label}: the same seed repeats bit for bit, another seed differs`, () => {
      const draw = (seed: number) => {
        const t = init([64, 32], new RandomSource(seed));
        const v = t.dataSync().slice();
        t.dispose();
        return v;
      };
      const a = draw(7);
      const b = draw(7);
      const c = draw(8);
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
      let differing = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== c[i]) differing++;
      expect(differing).toBeGreaterThan(a.length * 0.99);
    });
  }

  it('successive draws from one source differ (no repeated seed)', () => {
    const rng = new RandomSource(3);
    const a = normal(0, 1)([1000], rng);
    const b = normal(0, 1)([1000], rng);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([a, b]);
  });
});

describe('initialiser distributions', () => {
  it('normal(0, 0.02) has mean ~0 and std ~0.02', () => {
    const t = normal(0, 0.02)([200, 500], new RandomSource(1));
    const s = stats(t.dataSync() as Float32Array);
    t.dispose();
    // standard error of the std over 1e5 draws is 0.02 / sqrt(2e5) ~ 4.5e-5
    expect(Math.abs(s.std - 0.02)).toBeLessThan(3e-4);
    expect(Math.abs(s.mean)).toBeLessThan(3e-4);
  });

  it('normal(mean, std) shifts and scales', () => {
    const t = normal(3, 0.5)([100000], new RandomSource(2));
    const s = stats(t.dataSync() as Float32Array);
    t.dispose();
    expect(s.mean).toBeCloseTo(3, 2);
    expect(s.std).toBeCloseTo(0.5, 2);
  });

  it('glorotUniform stays inside ±sqrt(6/(fanIn+fanOut)) with the uniform variance', () => {
    const shape = [4, 4, 32, 64];
    const limit = Math.sqrt(6 / (16 * 32 + 16 * 64));
    const t = glorotUniform()(shape, new RandomSource(3));
    const s = stats(t.dataSync() as Float32Array);
    t.dispose();
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeGreaterThan(limit * 0.99);
    expect(s.std).toBeCloseTo(limit / Math.sqrt(3), 3);
  });

  it('heNormal has std sqrt(2/fanIn) and is truncated at two untruncated std', () => {
    const shape = [3, 3, 64, 128];
    const target = Math.sqrt(2 / (9 * 64));
    const t = heNormal()(shape, new RandomSource(4));
    const s = stats(t.dataSync() as Float32Array);
    t.dispose();
    expect(Math.abs(s.std / target - 1)).toBeLessThan(0.01);
    expect(Math.max(s.max, -s.min)).toBeLessThanOrEqual((2 * target) / 0.8796256610342398 + 1e-6);
  });

  it('zeros, ones and constant fill', () => {
    const rng = new RandomSource(0);
    const z = zeros()([2, 3], rng);
    const o = ones()([4], rng);
    const c = constant(-2.5)([2, 2], rng);
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(o.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(c.dataSync())).toEqual([-2.5, -2.5, -2.5, -2.5]);
    expect(c.dtype).toBe('float32');
    tf.dispose([z, o, c]);
  });

  it('each initialiser makes exactly one tensor (no leaks)', () => {
    const rng = new RandomSource(5);
    for (const init of [glorotUniform(), heNormal(), normal(), zeros(), ones(), constant(2)]) {
      const before = tf.memory().numTensors;
      const t = init([10, 10], rng);
      expect(tf.memory().numTensors).toBe(before + 1);
      t.dispose();
    }
  });

  it('rejects bad settings', () => {
    expect(() => normal(0, 0)).toThrow(/std must be > 0/);
    expect(() => constant(Number.NaN)).toThrow(/finite/);
  });
});
