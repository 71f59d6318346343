import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { cycleConsistencyLoss, identityLoss } from './reconstruction';
import { expectAllClose, expectClose, expectGankitError, expectNoLeak, gradsOf, mean, readScalar, withTensors } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

const X = [0.5, -0.25, 1.0, 0.0, -1.0, 0.75, 0.3, -0.6];
const Y = [0.25, -0.5, 0.5, 0.5, -0.2, 0.75, 0.9, -0.1];
const SHAPE = [2, 2, 2, 1];

describe('cycle-consistency and identity losses', () => {
  for (const [name, fn] of [
    ['cycleConsistencyLoss', cycleConsistencyLoss],
    ['identityLoss', identityLoss],
  ] as const) {
    it(`${name} is the mean absolute difference over all elements, with gradient sign(x − y)/n`, () => {
      const v = withTensors(
        [
          [X, SHAPE],
          [Y, SHAPE],
        ],
        (x, y) => readScalar(fn(x, y)),
      );
      expectClose(v, mean(X.map((x, i) => Math.abs(x - Y[i]))));
      const same = withTensors(
        [
          [X, SHAPE],
          [X, SHAPE],
        ],
        (x, y) => readScalar(fn(x, y)),
      );
      expect(same).toBe(0);
      // X and Y differ everywhere except index 5, where |·| has its kink; skip that one.
      const [gx, gy] = gradsOf(
        (x, y) => fn(x, y),
        [
          [X, SHAPE],
          [Y, SHAPE],
        ],
      );
      const idx = X.map((_, i) => i).filter((i) => i !== 5);
      expectAllClose(
        idx.map((i) => gx[i]),
        idx.map((i) => Math.sign(X[i] - Y[i]) / X.length),
      );
      expectAllClose(
        idx.map((i) => gy[i]),
        idx.map((i) => -Math.sign(X[i] - Y[i]) / X.length),
      );
    });

    it(`${name} rejects mismatched shapes and non-float inputs, and frees its intermediates`, () => {
      const a = tf.zeros([2, 4, 4, 3]);
      const b = tf.zeros([2, 4, 4, 1]);
      const i = tf.zeros([2, 4, 4, 3], 'int32');
      try {
        expectGankitError(() => fn(a, b), 'shape', /\[2, 4, 4, 3\] and .* \[2, 4, 4, 1\] must have the same shape/);
        expectGankitError(() => fn(a, i), 'dtype', /int32/);
        expectNoLeak(() => fn(a, a));
      } finally {
        tf.dispose([a, b, i]);
      }
    });
  }
});
