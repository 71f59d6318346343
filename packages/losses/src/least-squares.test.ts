import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import {
  DEFAULT_LEAST_SQUARES_TARGETS,
  leastSquares,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  resolveLeastSquaresTargets,
} from './least-squares';
import { expectAllClose, expectClose, expectGankitError, expectNoLeak, gradsOf, mean, readScalar, withTensors } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

const REAL = [1.5, 0.2, -0.4, 0.9, 2.2, 0.0];
const FAKE = [-0.7, 0.3, 1.4, 0.1];

/** ½E[(r − b)²] + ½E[(f − a)²] in float64. */
function dRef(real: number[], fake: number[], a: number, b: number): number {
  return 0.5 * mean(real.map((r) => (r - b) ** 2)) + 0.5 * mean(fake.map((f) => (f - a) ** 2));
}

describe('least squares', () => {
  it('matches the closed forms with the default targets 0 / 1 / 1', () => {
    const d = withTensors(
      [
        [REAL, [3, 2]],
        [FAKE, [2, 2]],
      ],
      (r, f) => readScalar(leastSquaresDiscriminatorLoss(r, f)),
    );
    expectClose(d, dRef(REAL, FAKE, 0, 1));
    const g = withTensors([[FAKE, [4, 1]]], (f) => readScalar(leastSquaresGeneratorLoss(f)));
    expectClose(g, 0.5 * mean(FAKE.map((f) => (f - 1) ** 2)));
    expect(DEFAULT_LEAST_SQUARES_TARGETS).toEqual({ a: 0, b: 1, c: 1 });
  });

  it('uses custom targets (a = −1, b = 1, c = 0) in the functions and in the factory pair', () => {
    const targets = { a: -1, b: 1, c: 0 };
    const pair = leastSquares(targets);
    expect(pair).toMatchObject({ name: 'least-squares', probabilistic: false, targets });
    const [d1, d2] = withTensors(
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
      (r, f) => [readScalar(leastSquaresDiscriminatorLoss(r, f, targets)), readScalar(pair.discriminator(r, f))],
    );
    expectClose(d1, dRef(REAL, FAKE, -1, 1));
    expect(d2).toBe(d1);
    const [g1, g2] = withTensors([[FAKE, [4, 1]]], (f) => [
      readScalar(leastSquaresGeneratorLoss(f, targets)),
      readScalar(pair.generator(f)),
    ]);
    expectClose(g1, 0.5 * mean(FAKE.map((f) => f ** 2)));
    expect(g2).toBe(g1);
    // A partial override keeps the other defaults.
    const half = leastSquares({ c: 0.5 });
    expect(half.targets).toEqual({ a: 0, b: 1, c: 0.5 });
    const g3 = withTensors([[FAKE, [4]]], (f) => readScalar(half.generator(f)));
    expectClose(g3, 0.5 * mean(FAKE.map((f) => (f - 0.5) ** 2)));
  });

  it('is zero exactly at the targets, and its gradients are (x − target)/n', () => {
    const targets = { a: -0.5, b: 2, c: 0.25 };
    const d0 = withTensors(
      [
        [
          [2, 2, 2],
          [3, 1],
        ],
        [
          [-0.5, -0.5],
          [2, 1],
        ],
      ],
      (r, f) => readScalar(leastSquaresDiscriminatorLoss(r, f, targets)),
    );
    expect(d0).toBe(0);
    const [gr, gf] = gradsOf(
      (r, f) => leastSquaresDiscriminatorLoss(r, f, targets),
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
    );
    expectAllClose(
      gr,
      REAL.map((r) => (r - 2) / REAL.length),
    );
    expectAllClose(
      gf,
      FAKE.map((f) => (f + 0.5) / FAKE.length),
    );
    const [gg] = gradsOf((f) => leastSquaresGeneratorLoss(f, targets), [[FAKE, [4, 1]]]);
    expectAllClose(
      gg,
      FAKE.map((f) => (f - 0.25) / FAKE.length),
    );
  });

  it('is finite at outputs ±100', () => {
    const big = [100, -100, 100];
    const d = withTensors(
      [
        [big, [3, 1]],
        [big, [3, 1]],
      ],
      (r, f) => readScalar(leastSquaresDiscriminatorLoss(r, f)),
    );
    expectClose(d, dRef(big, big, 0, 1));
    const [gr] = gradsOf(
      (r, f) => leastSquaresDiscriminatorLoss(r, f),
      [
        [big, [3, 1]],
        [big, [3, 1]],
      ],
    );
    expect(gr.every(Number.isFinite)).toBe(true);
  });

  it('rejects bad targets and bad outputs', () => {
    expectGankitError(() => leastSquares({ a: Number.NaN }), 'config', /target 'a' must be a finite number, got NaN/);
    expectGankitError(() => leastSquares({ b: Infinity }), 'config', /target 'b'/);
    expectGankitError(() => resolveLeastSquaresTargets({ d: 1 } as never), 'config', /unknown key 'd'/);
    expectGankitError(() => leastSquares({ c: '1' as unknown as number }), 'config', /target 'c'/);
    const i = tf.zeros([2], 'int32');
    const f = tf.zeros([2, 1]);
    const flat = tf.zeros([2]);
    expectGankitError(() => leastSquaresGeneratorLoss(i), 'dtype', /int32/);
    expectGankitError(() => leastSquaresDiscriminatorLoss(f, flat), 'shape', /\[2, 1\] and fakeOutput \[2\]/);
    tf.dispose([i, f, flat]);
  });

  it('frees its intermediates', () => {
    const r = tf.tensor2d(REAL, [6, 1]);
    const f = tf.tensor2d(FAKE, [4, 1]);
    const pair = leastSquares({ a: -1 });
    expectNoLeak(() => leastSquaresDiscriminatorLoss(r, f, { b: 3 }));
    expectNoLeak(() => leastSquaresGeneratorLoss(f));
    expectNoLeak(() => pair.discriminator(r, f));
    expectNoLeak(() => pair.generator(f));
    tf.dispose([r, f]);
  });
});
