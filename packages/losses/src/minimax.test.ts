import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, ensureGradients } from '@gankit/core';
import { minimax, minimaxDiscriminatorLoss, minimaxGeneratorLoss, nonSaturating, nonSaturatingGeneratorLoss } from './minimax';
import {
  expectAllClose,
  expectClose,
  expectGankitError,
  expectNoLeak,
  gradsOf,
  mean,
  readScalar,
  sigmoid,
  softplus,
  withTensors,
} from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

const REAL = [2.5, -0.3, 0.7, 4, -1.2, 0.05];
const FAKE = [-3, 0.4, 1.1, -0.9];

describe('minimax / non-saturating values', () => {
  it('discriminator loss = −E log σ(r) − E log(1 − σ(f)) for [b, 1] and [b, 2] outputs', () => {
    const expected = mean(REAL.map((r) => -Math.log(sigmoid(r)))) + mean(FAKE.map((f) => -Math.log(1 - sigmoid(f))));
    const v1 = withTensors(
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
      (r, f) => readScalar(minimaxDiscriminatorLoss(r, f)),
    );
    expectClose(v1, expected);
    // Same elements laid out as [3, 2] and [2, 2]: the loss is a mean over all elements.
    const v2 = withTensors(
      [
        [REAL, [3, 2]],
        [FAKE, [2, 2]],
      ],
      (r, f) => readScalar(minimaxDiscriminatorLoss(r, f)),
    );
    expectClose(v2, expected);
  });

  it('generator losses match log(1 − σ(f)) and −log σ(f)', () => {
    const mm = withTensors([[FAKE, [4]]], (f) => readScalar(minimaxGeneratorLoss(f)));
    const ns = withTensors([[FAKE, [4]]], (f) => readScalar(nonSaturatingGeneratorLoss(f)));
    expectClose(mm, mean(FAKE.map((f) => Math.log(1 - sigmoid(f)))));
    expectClose(ns, mean(FAKE.map((f) => -Math.log(sigmoid(f)))));
  });

  it('the pairs route to the same functions', () => {
    const d = withTensors(
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
      (r, f) => [
        readScalar(minimax.discriminator(r, f)),
        readScalar(nonSaturating.discriminator(r, f)),
        readScalar(minimaxDiscriminatorLoss(r, f)),
      ],
    );
    expect(d[0]).toBe(d[2]);
    expect(d[1]).toBe(d[2]);
    const g = withTensors([[FAKE, [4, 1]]], (f) => [readScalar(minimax.generator(f)), readScalar(nonSaturating.generator(f))]);
    expectClose(g[0], -mean(FAKE.map(softplus)));
    expectClose(g[1], mean(FAKE.map((x) => softplus(-x))));
    expect(minimax).toMatchObject({ name: 'minimax', probabilistic: true });
    expect(nonSaturating).toMatchObject({ name: 'non-saturating', probabilistic: true });
    expect(minimax.generatorUsesReal).toBeFalsy();
  });
});

describe('minimax / non-saturating gradients', () => {
  it('at f = −10 the minimax G gradient vanishes (σ(−10)/n) while the non-saturating one does not', () => {
    const n = 8;
    const fake = new Array<number>(n).fill(-10);
    const [gMinimax] = gradsOf((f) => minimaxGeneratorLoss(f), [[fake, [n, 1]]]);
    const [gNonSat] = gradsOf((f) => nonSaturatingGeneratorLoss(f), [[fake, [n, 1]]]);
    // d/df −softplus(f)/n = −σ(f)/n; d/df softplus(−f)/n = −σ(−f)/n = −(1 − σ(−10))/n.
    expectAllClose(
      gMinimax,
      fake.map(() => -sigmoid(-10) / n),
      1e-4,
      0,
    );
    expectAllClose(
      gNonSat,
      fake.map(() => -(1 - sigmoid(-10)) / n),
      1e-5,
      0,
    );
    expect(Math.abs(gMinimax[0])).toBeLessThan(1e-5);
    expect(Math.abs(gNonSat[0]) / Math.abs(gMinimax[0])).toBeGreaterThan(2e4);
  });

  it('discriminator gradient is −σ(−r)/n_r for real and σ(f)/n_f for fake', () => {
    const [gr, gf] = gradsOf(
      (r, f) => minimaxDiscriminatorLoss(r, f),
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
    );
    expectAllClose(
      gr,
      REAL.map((r) => -sigmoid(-r) / REAL.length),
    );
    expectAllClose(
      gf,
      FAKE.map((f) => sigmoid(f) / FAKE.length),
    );
  });
});

describe('minimax / non-saturating stability', () => {
  it('values and gradients are finite and correct at logits ±100', () => {
    const real = [100, -100, 100, -100];
    const fake = [-100, 100, 100, -100];
    const d = withTensors(
      [
        [real, [4, 1]],
        [fake, [4, 1]],
      ],
      (r, f) => readScalar(minimaxDiscriminatorLoss(r, f)),
    );
    expectClose(d, mean(real.map((r) => softplus(-r))) + mean(fake.map(softplus)));
    const g1 = withTensors([[fake, [4]]], (f) => readScalar(minimaxGeneratorLoss(f)));
    const g2 = withTensors([[fake, [4]]], (f) => readScalar(nonSaturatingGeneratorLoss(f)));
    expectClose(g1, -mean(fake.map(softplus)));
    expectClose(g2, mean(fake.map((f) => softplus(-f))));
    const [gr, gf] = gradsOf(
      (r, f) => minimaxDiscriminatorLoss(r, f),
      [
        [real, [4, 1]],
        [fake, [4, 1]],
      ],
    );
    const [gm] = gradsOf((f) => minimaxGeneratorLoss(f), [[fake, [4, 1]]]);
    const [gn] = gradsOf((f) => nonSaturatingGeneratorLoss(f), [[fake, [4, 1]]]);
    for (const g of [gr, gf, gm, gn]) expect(g.every(Number.isFinite)).toBe(true);
    expectAllClose(
      gr,
      real.map((r) => -sigmoid(-r) / 4),
    );
    expectAllClose(
      gn,
      fake.map((f) => -sigmoid(-f) / 4),
    );
  });
});

describe('minimax / non-saturating input checks', () => {
  it('rejects int32, scalars, empty tensors, non-tensors and mismatched ranks', () => {
    const good = tf.zeros([4, 1]);
    const int = tf.zeros([4, 1], 'int32');
    const scalar = tf.scalar(1);
    const empty = tf.zeros([0, 1]);
    const flat = tf.zeros([4]);
    const wide = tf.zeros([4, 2]);
    try {
      expect(() => minimaxDiscriminatorLoss(good, int)).toThrow(/fakeOutput must be float32.*int32/);
      expect(() => minimaxGeneratorLoss(scalar)).toThrow(/batch dimension/);
      expect(() => nonSaturatingGeneratorLoss(empty)).toThrow(/empty \(shape \[0, 1\]\)/);
      expect(() => minimaxGeneratorLoss([1, 2] as unknown as tf.Tensor)).toThrow(/must be a tf.Tensor, got an array/);
      expect(() => minimaxDiscriminatorLoss(good, flat)).toThrow(/\[4, 1\] and fakeOutput \[4\]/);
      expect(() => minimaxDiscriminatorLoss(good, wide)).toThrow(GankitError);
      // Different batch sizes with the same trailing dimensions are fine.
      const other = tf.zeros([3, 1]);
      readScalar(minimaxDiscriminatorLoss(good, other));
      other.dispose();
      expectGankitError(() => minimaxDiscriminatorLoss(int, good), 'dtype', /realOutput must be float32 .*got int32/);
      expectGankitError(() => minimaxDiscriminatorLoss(good, flat), 'shape', /same rank/);
    } finally {
      tf.dispose([good, int, scalar, empty, flat, wide]);
    }
  });
});

describe('minimax / non-saturating leaks', () => {
  it('every function frees its intermediates', () => {
    const r = tf.tensor2d(REAL, [6, 1]);
    const f = tf.tensor2d(FAKE, [4, 1]);
    expectNoLeak(() => minimaxDiscriminatorLoss(r, f));
    expectNoLeak(() => minimaxGeneratorLoss(f));
    expectNoLeak(() => nonSaturatingGeneratorLoss(f));
    expectNoLeak(() => minimax.discriminator(r, f));
    expectNoLeak(() => nonSaturating.generator(f));
    tf.dispose([r, f]);
  });
});
