import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { inceptionScore } from './inception-score';
import { rel, uniform } from './test-utils';
import fixture from './__fixtures__/reference.json';

describe('inceptionScore', () => {
  it('is K for confident predictions spread evenly over K classes', () => {
    for (const k of [2, 5, 10]) {
      const rows = Array.from({ length: 20 * k }, (_, i) => Array.from({ length: k }, (_, j) => (j === i % k ? 1 : 0)));
      const r = inceptionScore(rows, { splits: 10 });
      expect(r.mean).toBeCloseTo(k, 10);
      expect(r.std).toBeLessThan(1e-10);
    }
  });

  it('is 1 when every prediction is the same', () => {
    const u = uniform(1);
    const p = Array.from({ length: 6 }, () => u() + 0.1);
    const rows = Array.from({ length: 50 }, () => p);
    const r = inceptionScore(rows, { splits: 5 });
    expect(r.mean).toBeCloseTo(1, 12);
    expect(r.std).toBeLessThan(1e-12);
  });

  it('matches the numpy reference (10 splits, population std), from logits and from probabilities', () => {
    const ref = fixture.inceptionScore;
    const fromLogits = inceptionScore(ref.logits, { logits: true, splits: ref.splits });
    expect(rel(fromLogits.mean, ref.mean)).toBeLessThan(1e-12);
    expect(rel(fromLogits.std, ref.std)).toBeLessThan(1e-9);
    const probs = ref.logits.map((row) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    const fromProbs = inceptionScore(probs);
    expect(rel(fromProbs.mean, ref.mean)).toBeLessThan(1e-12);
    expect(fromProbs.mean).toBeGreaterThan(1);
    expect(fromProbs.mean).toBeLessThan(7);
  });

  it('reads a tensor without leaking, and a single split has std 0', () => {
    const ref = fixture.inceptionScore;
    const t = tf.tensor2d(ref.logits);
    const before = tf.memory().numTensors;
    const r = inceptionScore(t, { logits: true, splits: 1 });
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
    expect(r.std).toBe(0);
    expect(r.mean).toBeGreaterThan(1);
  });

  it('rejects bad input', () => {
    expect(() => inceptionScore([[0.5, 0.5]], { splits: 2 })).toThrow(/splits/);
    expect(() => inceptionScore([[-0.5, 1.5]], { splits: 1 })).toThrow(/logits: true/);
    expect(() => inceptionScore([[0, 0]], { splits: 1 })).toThrow(/sums to 0/);
    expect(() => inceptionScore([[NaN, 0]], { splits: 1, logits: true })).toThrow(/not finite/);
    expect(() => inceptionScore([], { splits: 1 })).toThrow(/\[n, K\]/);
  });
});
