import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import {
  beganConvergence,
  beganDiscriminatorLoss,
  beganEquilibriumStep,
  beganGeneratorLoss,
  beganLoss,
  beganReconstructionLoss,
} from './began';
import { expectAllClose, expectClose, expectGankitError, expectNoLeak, gradsOf, readScalar, withTensors } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

// Two examples of 2×2 "images" and their reconstructions.
const V = [0.5, -1, 0, 1, 1, 1, -1, -0.5];
const R = [0.25, -0.5, 0.5, 1, 0, 1, -0.5, 0.5];
// |v − r| = [0.25, 0.5, 0.5, 0] and [1, 0, 0.5, 1]
const L1 = [(0.25 + 0.5 + 0.5 + 0) / 4, (1 + 0 + 0.5 + 1) / 4]; // [0.3125, 0.625]
const L2 = [(0.0625 + 0.25 + 0.25 + 0) / 4, (1 + 0 + 0.25 + 1) / 4]; // [0.140625, 0.5625]

describe('BEGAN losses', () => {
  it('L(v) = mean |v − D(v)|^η per example, η = 1 and 2, by hand', () => {
    const [l1, l2] = withTensors(
      [
        [V, [2, 2, 2, 1]],
        [R, [2, 2, 2, 1]],
      ],
      (v, r) => [1, 2].map((eta) => beganReconstructionLoss(v, r, eta as 1 | 2)),
    );
    expect(l1.shape).toEqual([2]);
    expectAllClose(l1.dataSync(), L1);
    expectAllClose(l2.dataSync(), L2);
    tf.dispose([l1, l2]);
  });

  it('L_D = L(x) − k·L(G(z)) and L_G = L(G(z)), by hand', () => {
    const real = [0.3, 0.5, 0.4]; // mean 0.4
    const fake = [0.2, 0.6]; // mean 0.4
    const fake2 = [0.1, 0.2]; // mean 0.15
    const d = withTensors(
      [
        [real, [3, 1]],
        [fake2, [2, 1]],
      ],
      (r, f) => readScalar(beganDiscriminatorLoss(r, f, 0.25)),
    );
    expectClose(d, 0.4 - 0.25 * 0.15);
    const g = withTensors([[fake, [2]]], (f) => readScalar(beganGeneratorLoss(f)));
    expectClose(g, 0.4);
    // The pair reads k from its function at every call.
    let k = 0;
    const pair = beganLoss(() => k);
    expect(pair.name).toBe('began');
    expect(pair.probabilistic).toBe(false);
    const at = (kk: number) => {
      k = kk;
      return withTensors(
        [
          [real, [3, 1]],
          [fake2, [2, 1]],
        ],
        (r, f) => readScalar(pair.discriminator(r, f)),
      );
    };
    expectClose(at(0), 0.4);
    expectClose(at(1), 0.25);
    expectClose(
      withTensors([[fake2, [2, 1]]], (f) => readScalar(pair.generator(f))),
      0.15,
    );
  });

  it('gradients: ∂L_D/∂L(x_i) = 1/n, ∂L_D/∂L(G(z)_j) = −k/m', () => {
    const [gr, gf] = gradsOf(
      (r, f) => beganDiscriminatorLoss(r, f, 0.5),
      [
        [[0.1, 0.2, 0.3, 0.4], [4]],
        [[0.1, 0.2], [2]],
      ],
    );
    expectAllClose(gr, [0.25, 0.25, 0.25, 0.25]);
    expectAllClose(gf, [-0.25, -0.25]);
  });

  it('k_{t+1} = clip(k_t + λ_k(γL(x) − L(G(z))), 0, 1), by hand, and stays in [0, 1]', () => {
    // 0.1 + 0.001·(0.5·0.2 − 0.05) = 0.10005
    expect(beganEquilibriumStep(0.1, 0.2, 0.05, { gamma: 0.5, lambdaK: 0.001 })).toBeCloseTo(0.10005, 15);
    // 0.1 + 0.01·(0.7·0.2 − 0.3) = 0.0984
    expect(beganEquilibriumStep(0.1, 0.2, 0.3, { gamma: 0.7, lambdaK: 0.01 })).toBeCloseTo(0.0984, 15);
    expect(beganEquilibriumStep(0, 0.1, 0.5, { gamma: 0.5, lambdaK: 0.001 })).toBe(0);
    expect(beganEquilibriumStep(0.9999, 10, 0, { gamma: 1, lambdaK: 0.1 })).toBe(1);
    // A random walk of the controller never leaves [0, 1].
    let k = 0;
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2;
    for (let t = 0; t < 2000; t++) {
      k = beganEquilibriumStep(k, rand(), rand(), { gamma: 0.3 + 0.4 * (t % 2), lambdaK: 0.05 });
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThanOrEqual(1);
    }
  });

  it('M = L(x) + |γL(x) − L(G(z))|, by hand', () => {
    expect(beganConvergence(0.2, 0.05, 0.5)).toBeCloseTo(0.25, 15);
    expect(beganConvergence(0.2, 0.3, 0.7)).toBeCloseTo(0.36, 15);
    expect(beganConvergence(0.2, 0.06, 0.3)).toBeCloseTo(0.2, 15);
  });

  it('frees its intermediates', () => {
    expectNoLeak(() =>
      withTensors(
        [
          [V, [2, 2, 2, 1]],
          [R, [2, 2, 2, 1]],
        ],
        (v, r) => beganReconstructionLoss(v, r, 1),
      ),
    );
    expectNoLeak(() =>
      withTensors(
        [
          [V, [2, 2, 2, 1]],
          [R, [2, 2, 2, 1]],
        ],
        (v, r) => beganReconstructionLoss(v, r, 2),
      ),
    );
    expectNoLeak(() =>
      withTensors(
        [
          [L1, [2]],
          [L2, [2]],
        ],
        (r, f) => beganDiscriminatorLoss(r, f, 0.3),
      ),
    );
    expectNoLeak(() => withTensors([[L1, [2]]], (f) => beganGeneratorLoss(f)));
  });

  it('refuses bad input in one line', () => {
    withTensors(
      [
        [V, [2, 2, 2, 1]],
        [R.slice(0, 4), [1, 2, 2, 1]],
        [L1, [2]],
      ],
      (v, r, l) => {
        expectGankitError(() => beganReconstructionLoss(v, r), 'shape', /v \[2, ?2, ?2, ?1\] and reconstruction/);
        expectGankitError(() => beganReconstructionLoss(v, v, 3 as 1), 'value', /eta must be 1 or 2, got 3/);
        expectGankitError(() => beganDiscriminatorLoss(l, l, 1.5), 'value', /k must be a number in \[0, 1\], got 1.5/);
        expectGankitError(() => beganDiscriminatorLoss(l, l, Number.NaN), 'value', /k must be/);
      },
    );
    expectGankitError(
      () => beganEquilibriumStep(0, 0.1, 0.1, { gamma: 1.2, lambdaK: 0.001 }),
      'value',
      /gamma must be a number in \[0, 1\], got 1.2/,
    );
    expectGankitError(
      () => beganEquilibriumStep(0, 0.1, 0.1, { gamma: 0.5, lambdaK: -1 }),
      'value',
      /lambdaK must be a finite number >= 0/,
    );
    expectGankitError(
      () => beganEquilibriumStep(0, Number.NaN, 0.1, { gamma: 0.5, lambdaK: 0.001 }),
      'value',
      /realLoss must be a finite number, got NaN/,
    );
    expectGankitError(() => beganConvergence(0.1, Number.POSITIVE_INFINITY, 0.5), 'value', /fakeLoss must be a finite number/);
    expectGankitError(() => beganLoss(2), 'value', /beganLoss: k must be a number in \[0, 1\], got 2/);
  });
});
