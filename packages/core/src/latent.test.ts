import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { interpolateLatents, latentArithmetic } from './latent';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('interpolateLatents', () => {
  it('linear: equally spaced points on the segment, ends exact', () => {
    const a = tf.tensor1d([0, 0, 2]);
    const b = tf.tensor1d([4, -8, 2]);
    const p = interpolateLatents(a, b, 5, 'linear').arraySync() as number[][];
    expect(p).toEqual([
      [0, 0, 2],
      [1, -2, 2],
      [2, -4, 2],
      [3, -6, 2],
      [4, -8, 2],
    ]);
    tf.dispose([a, b]);
  });

  it('spherical: constant angular steps, norm interpolated linearly, ends exact', () => {
    const a = tf.tensor1d([1, 0]);
    const b = tf.tensor1d([0, 3]);
    const p = interpolateLatents(a, b, 3, 'spherical').arraySync() as number[][];
    expect(p[0][0]).toBeCloseTo(1, 6);
    expect(p[2][1]).toBeCloseTo(3, 6);
    // midpoint at 45 degrees with norm (1 + 3) / 2
    expect(Math.atan2(p[1][1], p[1][0])).toBeCloseTo(Math.PI / 4, 6);
    expect(norm(p[1])).toBeCloseTo(2, 5);
    tf.dispose([a, b]);
  });

  it('keeps latent shape and refuses mismatched points', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.ones([2, 3]);
    const p = interpolateLatents(a, b, 4);
    expect(p.shape).toEqual([4, 2, 3]);
    const c = tf.ones([3]);
    expect(() => interpolateLatents(a, c, 4)).toThrow(/different shapes \[2, 3\] and \[3\]/);
    expect(() => interpolateLatents(a, b, 1)).toThrow(/steps must be an integer >= 2/);
    tf.dispose([a, b, c, p]);
  });

  it('leaks no tensors', () => {
    const a = tf.randomNormal([8]);
    const b = tf.randomNormal([8]);
    const before = tf.memory().numTensors;
    interpolateLatents(a, b, 6).dispose();
    interpolateLatents(a, b, 6, 'linear').dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});

describe('latentArithmetic', () => {
  it('adds and subtracts group means', () => {
    const g1 = tf.tensor2d([
      [1, 1],
      [3, 3],
    ]); // mean [2, 2]
    const g2 = tf.tensor2d([[10, 0]]);
    const g3 = tf.tensor2d([
      [0, 4],
      [0, 6],
    ]); // mean [0, 5]
    const r = latentArithmetic([g1, g2], [g3]);
    expect(Array.from(r.dataSync())).toEqual([12, -3]);
    const before = tf.memory().numTensors;
    latentArithmetic([g1], [g3]).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => latentArithmetic([g1, tf.zeros([2, 3])])).toThrow(/different latent shapes/);
    expect(() => latentArithmetic([])).toThrow(/at least one group/);
    tf.dispose([g1, g2, g3, r]);
  });
});
