import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { precisionRecall } from './precision-recall';
import { normal } from './test-utils';
import fixture from './__fixtures__/reference.json';

function gaussianRows(n: number, d: number, seed: number, shift = 0, scale = 1): number[][] {
  const z = normal(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => scale * z() + shift));
}

describe('precisionRecall', () => {
  it('is 1 / 1 for identical sets', () => {
    const x = gaussianRows(120, 10, 1);
    expect(precisionRecall(x, x)).toEqual({ precision: 1, recall: 1 });
  });

  it('is 0 / 0 for disjoint, far-apart sets', () => {
    const x = gaussianRows(80, 5, 2);
    const y = gaussianRows(70, 5, 3, 100);
    expect(precisionRecall(x, y, { k: 3 })).toEqual({ precision: 0, recall: 0 });
  });

  it('matches the numpy reference, with small blocks too', () => {
    const { real, fake, k, precision, recall } = fixture.precisionRecall;
    expect(precisionRecall(real, fake, { k })).toEqual({ precision, recall });
    expect(precisionRecall(real, fake, { k, batchSize: 7 })).toEqual({ precision, recall });
    // sanity: the reference case is not degenerate
    expect(precision).toBeGreaterThan(0);
    expect(recall).toBeLessThan(1);
  });

  it('sees mode dropping as low recall and a wider fake spread as low precision', () => {
    const real = gaussianRows(300, 4, 4);
    const narrow = gaussianRows(300, 4, 5, 0, 0.3); // covers only the centre of the real data
    const wide = gaussianRows(300, 4, 6, 0, 3);
    const a = precisionRecall(real, narrow);
    const b = precisionRecall(real, wide);
    expect(a.precision).toBeGreaterThan(0.9);
    expect(a.recall).toBeLessThan(0.5);
    expect(b.precision).toBeLessThan(0.5);
    expect(b.recall).toBeGreaterThan(0.9);
  });

  it('reads tensors without leaking and validates input', () => {
    const x = tf.tensor2d(gaussianRows(30, 3, 7));
    const y = tf.tensor2d(gaussianRows(20, 3, 8, 0.5));
    const before = tf.memory().numTensors;
    const r = precisionRecall(x, y, { batchSize: 8 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r).toEqual(precisionRecall(x.arraySync(), y.arraySync()));
    expect(() =>
      precisionRecall(
        x,
        [
          [1, 2, 3],
          [1, 2, 3],
          [1, 2, 3],
        ],
        { k: 3 },
      ),
    ).toThrow(/more than k = 3/);
    expect(() => precisionRecall(x, gaussianRows(20, 4, 9))).toThrow(/dimension 3.*dimension 4/);
    expect(() => precisionRecall(x, y, { k: 0 })).toThrow(/k must/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
