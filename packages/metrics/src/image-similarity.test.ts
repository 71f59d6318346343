import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { peakSignalToNoiseRatio, structuralSimilarity } from './image-similarity';

const img = (values: number[], h: number, w: number) => tf.tensor4d(values, [1, h, w, 1]);

describe('structuralSimilarity', () => {
  it('is 1 for identical images and (2ab + C1)/(a² + b² + C1) for two flat images', () => {
    const x = tf.randomUniform([2, 12, 12, 1], -1, 1, 'float32', 3);
    const same = structuralSimilarity(x, x);
    expect(same.perImage).toHaveLength(2);
    for (const v of same.perImage) expect(v).toBeCloseTo(1, 10);
    // flat 0 against flat 0.5 in [0, 1]: σ = 0, so only the luminance term is left
    const C1 = 0.01 ** 2;
    const flat = structuralSimilarity(img(new Array(121).fill(0), 11, 11), img(new Array(121).fill(0.5), 11, 11), { dataRange: 1 });
    expect(flat.mean).toBeCloseTo(C1 / (0.25 + C1), 12);
    const flat2 = structuralSimilarity(img(new Array(121).fill(0.25), 11, 11), img(new Array(121).fill(0.75), 11, 11), { dataRange: 1 });
    expect(flat2.mean).toBeCloseTo((2 * 0.25 * 0.75 + C1) / (0.0625 + 0.5625 + C1), 10);
    x.dispose();
  });

  it('on one window: a shift costs the luminance term only, a negation the structure term only', () => {
    // x antisymmetric about the centre of an 11×11 window: its Gaussian-weighted mean is 0
    const x: number[] = [];
    for (let i = 0; i < 11; i++) for (let j = 0; j < 11; j++) x.push(i * 11 + j < 60 ? 1 : i * 11 + j === 60 ? 0 : -1);
    const C1 = (0.01 * 2) ** 2;
    const C2 = (0.03 * 2) ** 2;
    const shifted = structuralSimilarity(
      img(x, 11, 11),
      img(
        x.map((v) => v + 0.5),
        11,
        11,
      ),
    );
    expect(shifted.mean).toBeCloseTo(C1 / (0.25 + C1), 10);
    // σ² = Σ w x² = 1 − w_centre (the centre is the only 0), with w the product of 1-D Gaussians (σ 1.5)
    const g = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
    const s = g.reduce((a, b) => a + b, 0);
    const variance = 1 - (g[5] / s) ** 2;
    const negated = structuralSimilarity(
      img(x, 11, 11),
      img(
        x.map((v) => -v),
        11,
        11,
      ),
    );
    expect(negated.mean).toBeCloseTo((-2 * variance + C2) / (2 * variance + C2), 10);
  });

  it('averages the valid window positions: a 12×11 image has two', () => {
    const a = Array.from({ length: 132 }, (_, i) => Math.sin(i));
    const b = a.map((v, i) => (i < 11 ? v + 1 : v)); // only the first row differs: in window 0, not window 1
    const both = structuralSimilarity(img(a, 12, 11), img(b, 12, 11));
    const top = structuralSimilarity(img(a.slice(0, 121), 11, 11), img(b.slice(0, 121), 11, 11));
    expect(both.mean).toBeCloseTo((top.mean + 1) / 2, 10);
  });

  it('refuses mismatched shapes and bad options in one line', () => {
    const a = tf.zeros([1, 8, 8, 1]);
    const b = tf.zeros([1, 8, 9, 1]);
    expect(() => structuralSimilarity(a, b)).toThrow(/must have the same shape/);
    expect(() => structuralSimilarity(a, a)).toThrow(/windowSize must be an integer from 1 to the image's smaller side 8/);
    expect(() => structuralSimilarity(a, a, { windowSize: 3, dataRange: 0 })).toThrow(/dataRange must be a positive number/);
    expect(() => structuralSimilarity(tf.zeros([8, 8]), a)).toThrow(/a must be an image batch/);
    tf.dispose([a, b]);
  });
});

describe('peakSignalToNoiseRatio', () => {
  it('is 10 log10(L²/MSE) per image', () => {
    const a = tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 1]);
    const b = tf.tensor4d([0.1, -0.1, 0.1, -0.1, 1, 1, 1, 0], [2, 2, 2, 1]);
    const p = peakSignalToNoiseRatio(a, b);
    expect(p.perImage[0]).toBeCloseTo(10 * Math.log10(4 / 0.01), 5);
    expect(p.perImage[1]).toBeCloseTo(10 * Math.log10(4 / 0.25), 10);
    expect(p.mean).toBeCloseTo((p.perImage[0] + p.perImage[1]) / 2, 12);
    expect(peakSignalToNoiseRatio(a, a).mean).toBe(Number.POSITIVE_INFINITY);
    expect(() => peakSignalToNoiseRatio(a, tf.tensor4d([Number.NaN, 0, 0, 0, 0, 0, 0, 0], [2, 2, 2, 1]))).toThrow(/non-finite/);
    tf.dispose([a, b]);
  });
});
