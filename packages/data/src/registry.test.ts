import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { GaussianMixture, datasets, gridMixture, ringMixture } from './index';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe('config');
    return (err as Error).message;
  }
  throw new Error('expected a GankitError');
}

describe('datasets (the registry)', () => {
  it('lists ring and grid as 2-D points, each schema parsing its defaults', () => {
    expect(datasets.names).toEqual(['ring', 'grid']);
    expect(datasets.parse('ring')).toEqual({ modes: 8, radius: 2, std: 0.02 });
    expect(datasets.parse('grid')).toEqual({ side: 5, spacing: 2, std: 0.05 });
    for (const e of datasets.entries) {
      expect([e.kind, e.holds, e.exampleShape, e.numClasses, e.check]).toEqual(['data', 'points', [2], undefined, undefined]);
    }
  });

  it('refuses bad options with one precise line', () => {
    expect(messageOf(() => datasets.parse('ring', { modes: 0 }))).toBe('ring.modes must be >= 1, got 0');
    expect(messageOf(() => datasets.parse('grid', { std: -0.1 }))).toBe('grid.std must be > 0, got -0.1');
    expect(messageOf(() => datasets.parse('grid', { sides: 3 }))).toBe(
      "grid.sides is not a known key; did you mean 'side'? (known keys: side, spacing, std)",
    );
  });

  it('makes the mixtures the functions make, drawing batches without leaks', () => {
    const ring = datasets.create('ring', { modes: 3, radius: 1 });
    expect(ring).toBeInstanceOf(GaussianMixture);
    expect(ring.modes).toEqual(ringMixture({ modes: 3, radius: 1, std: 0.02 }).modes);
    expect(datasets.create('grid', { side: 2 }).modes).toEqual(gridMixture({ side: 2, spacing: 2, std: 0.05 }).modes);
    const before = tf.memory().numTensors;
    const batch = ring.nextBatch(16, new RandomSource(1));
    expect(batch.x.shape).toEqual([16, 2]);
    tf.dispose(Object.values(batch));
    expect(tf.memory().numTensors).toBe(before);
  });
});
