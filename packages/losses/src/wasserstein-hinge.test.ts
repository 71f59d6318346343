import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { wasserstein, wassersteinDiscriminatorLoss, wassersteinGeneratorLoss } from './wasserstein';
import { hinge, hingeDiscriminatorLoss, hingeGeneratorLoss } from './hinge';
import { expectAllClose, expectClose, expectGankitError, expectNoLeak, gradsOf, mean, readScalar, withTensors } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

// Values on both sides of the hinge margins (±1).
const REAL = [1.5, 0.2, -0.4, 0.9, 2.2, 1.0];
const FAKE = [-1.7, 0.3, -0.6, -1.0];
const relu = (x: number) => Math.max(0, x);

describe('wasserstein', () => {
  it('D = E[f] − E[r], G = −E[f], with constant gradients ±1/n', () => {
    const v = withTensors(
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
      (r, f) => readScalar(wassersteinDiscriminatorLoss(r, f)),
    );
    expectClose(v, mean(FAKE) - mean(REAL));
    const g = withTensors([[FAKE, [2, 2]]], (f) => readScalar(wassersteinGeneratorLoss(f)));
    expectClose(g, -mean(FAKE));
    const [gr, gf] = gradsOf(
      (r, f) => wassersteinDiscriminatorLoss(r, f),
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
    );
    expectAllClose(
      gr,
      REAL.map(() => -1 / 6),
    );
    expectAllClose(
      gf,
      FAKE.map(() => 1 / 4),
    );
    expect(wasserstein).toMatchObject({ name: 'wasserstein', probabilistic: false });
  });

  it('is finite at ±100 and rejects mismatched trailing dimensions', () => {
    const big = [100, -100];
    const v = withTensors(
      [
        [big, [2, 1]],
        [big.slice().reverse(), [2, 1]],
      ],
      (r, f) => readScalar(wasserstein.discriminator(r, f)),
    );
    expect(v).toBe(0);
    const r = tf.zeros([2, 3]);
    const f = tf.zeros([2, 2]);
    expectGankitError(() => wassersteinDiscriminatorLoss(r, f), 'shape', /\[2, 3\] and fakeOutput \[2, 2\]/);
    tf.dispose([r, f]);
  });
});

describe('hinge', () => {
  it('D = E[relu(1 − r)] + E[relu(1 + f)], G = −E[f]', () => {
    const v = withTensors(
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
      (r, f) => readScalar(hingeDiscriminatorLoss(r, f)),
    );
    expectClose(v, mean(REAL.map((r) => relu(1 - r))) + mean(FAKE.map((f) => relu(1 + f))));
    const g = withTensors([[FAKE, [4]]], (f) => readScalar(hingeGeneratorLoss(f)));
    expectClose(g, -mean(FAKE));
    expect(hinge).toMatchObject({ name: 'hinge', probabilistic: false });
  });

  it('gradients are −1/n inside the real margin, +1/n inside the fake margin, 0 outside', () => {
    const real = [1.5, 0.2, -0.4, 2.2];
    const fake = [-1.7, 0.3, -0.6, -2.0];
    const [gr, gf] = gradsOf(
      (r, f) => hingeDiscriminatorLoss(r, f),
      [
        [real, [4, 1]],
        [fake, [4, 1]],
      ],
    );
    expectAllClose(
      gr,
      real.map((r) => (r < 1 ? -1 / 4 : 0)),
    );
    expectAllClose(
      gf,
      fake.map((f) => (f > -1 ? 1 / 4 : 0)),
    );
    const [gg] = gradsOf((f) => hingeGeneratorLoss(f), [[fake, [4, 1]]]);
    expectAllClose(
      gg,
      fake.map(() => -1 / 4),
    );
  });

  it('is finite at ±100', () => {
    const real = [100, -100];
    const fake = [-100, 100];
    const v = withTensors(
      [
        [real, [2, 1]],
        [fake, [2, 1]],
      ],
      (r, f) => readScalar(hingeDiscriminatorLoss(r, f)),
    );
    expectClose(v, mean(real.map((r) => relu(1 - r))) + mean(fake.map((f) => relu(1 + f))));
    const gs = gradsOf(
      (r, f) => hingeDiscriminatorLoss(r, f),
      [
        [real, [2, 1]],
        [fake, [2, 1]],
      ],
    );
    expect(gs.flat().every(Number.isFinite)).toBe(true);
  });
});

describe('wasserstein / hinge leaks', () => {
  it('every function frees its intermediates', () => {
    const r = tf.tensor2d(REAL, [6, 1]);
    const f = tf.tensor2d(FAKE, [4, 1]);
    expectNoLeak(() => wassersteinDiscriminatorLoss(r, f));
    expectNoLeak(() => wassersteinGeneratorLoss(f));
    expectNoLeak(() => hingeDiscriminatorLoss(r, f));
    expectNoLeak(() => hingeGeneratorLoss(f));
    expectNoLeak(() => wasserstein.discriminator(r, f));
    expectNoLeak(() => hinge.generator(f));
    tf.dispose([r, f]);
  });
});
