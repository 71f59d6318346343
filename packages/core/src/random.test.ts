import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RandomSource, deriveSeed } from './random';

describe('RandomSource', () => {
  it('gives fresh draws each call and repeats bit for bit from the same seed', () => {
    const a = new RandomSource(42);
    const b = new RandomSource(42);
    const a1 = a.normal([100]).dataSync();
    const a2 = a.normal([100]).dataSync();
    const b1 = b.normal([100]).dataSync();
    expect(Array.from(a1)).toEqual(Array.from(b1));
    expect(Array.from(a1)).not.toEqual(Array.from(a2));
    expect(a.counter).toBe(2);
  });

  it('draws standard normals and uniforms with the right moments', () => {
    const r = new RandomSource(7);
    const n = Array.from(r.normal([20000]).dataSync());
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    const u = Array.from(r.uniform([20000], -1, 3).dataSync());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 1)).toBeLessThan(0.05);
  });

  it('resumes the exact sequence from a saved state', () => {
    const a = new RandomSource(3);
    a.normal([5]);
    const saved = a.state();
    const next = Array.from(a.uniform([8]).dataSync());
    const b = new RandomSource(999);
    b.loadState(saved);
    expect(Array.from(b.uniform([8]).dataSync())).toEqual(next);
    expect(() => b.loadState({ seed: 1, counter: -1 })).toThrow(/non-negative integers/);
  });

  it('never derives the seed 0, which tfjs treats as no seed', () => {
    for (let c = 0; c < 10000; c++) expect(deriveSeed(0, c)).not.toBe(0);
    expect(deriveSeed(1, 2, 'a')).not.toBe(deriveSeed(1, 2, 'b'));
    expect(() => new RandomSource(NaN)).toThrow(/finite/);
  });

  it('makes uniform permutations', () => {
    const r = new RandomSource(5);
    const p = r.permutation(1000);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // position 0 holds each value about equally often
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 4000; i++) counts[r.permutation(4)[0]]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it('leaks no tensors', () => {
    const r = new RandomSource(1);
    const before = tf.memory().numTensors;
    tf.dispose([r.normal([3, 3]), r.uniform([2])]);
    r.permutation(10);
    expect(tf.memory().numTensors).toBe(before);
  });
});
