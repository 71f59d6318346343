import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, type LossPair } from '@gankit/core';
import * as api from './index';
import { LOSS_NAMES, isLossName, lossByName, losses } from './registry';
import { expectGankitError, expectNoLeak, gradsOf, readScalar, withTensors } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

/** Generator loss of a pair, passing the real outputs only where the pair needs them. */
function generatorLoss(pair: LossPair, fake: tf.Tensor, real: tf.Tensor): tf.Scalar {
  return pair.generatorUsesReal ? pair.generator(fake, real) : pair.generator(fake);
}

describe('lossByName', () => {
  it('knows every listed name and returns a pair of that name', () => {
    expect([...LOSS_NAMES]).toEqual([
      'minimax',
      'non-saturating',
      'least-squares',
      'wasserstein',
      'hinge',
      'relativistic-average',
      'relativistic-average-hinge',
      'f-gan',
    ]);
    for (const name of LOSS_NAMES) {
      const pair = lossByName(name);
      // f-gan's pairs carry their divergence in the name (f-gan/jensen-shannon by default).
      expect(pair.name).toBe(name === 'f-gan' ? 'f-gan/jensen-shannon' : name);
      expect(isLossName(name)).toBe(true);
      expect(pair.probabilistic).toBe(name === 'minimax' || name === 'non-saturating');
      expect(Boolean(pair.generatorUsesReal)).toBe(name.startsWith('relativistic'));
    }
    expect(lossByName('hinge')).toBe(api.hinge);
    expect(lossByName('non-saturating')).toBe(api.nonSaturating);
  });

  it('rejects an unknown name, listing the valid ones', () => {
    expectGankitError(
      () => lossByName('ns-gan'),
      'config',
      /unknown loss 'ns-gan'; valid losses: minimax, non-saturating, least-squares, wasserstein, hinge, relativistic-average, relativistic-average-hinge/,
    );
    expectGankitError(() => lossByName(undefined as unknown as string), 'config', /unknown loss 'undefined'/);
    expect(isLossName('Hinge')).toBe(false);
  });

  it('passes least-squares targets through and refuses options elsewhere', () => {
    const pair = lossByName('least-squares', { a: -1, c: 0 }) as api.LeastSquaresLossPair;
    expect(pair.targets).toEqual({ a: -1, b: 1, c: 0 });
    const g = withTensors(
      [
        [
          [0.5, -0.5],
          [2, 1],
        ],
      ],
      (f) => readScalar(pair.generator(f)),
    );
    expect(g).toBeCloseTo(0.5 * 0.25, 6);
    expectGankitError(() => lossByName('least-squares', { a: Number.NaN }), 'config', /target 'a'/);
    expectGankitError(() => lossByName('hinge', { a: 1 }), 'config', /loss 'hinge' takes no options, got \{a\}/);
    expect(lossByName('wasserstein', {})).toBe(api.wasserstein);
  });
});

describe('losses (the registry)', () => {
  it('lists every loss of lossByName, each with a summary and a schema that parses its defaults', () => {
    expect(losses.noun).toBe('loss');
    expect(losses.names).toEqual([...LOSS_NAMES]);
    for (const entry of losses.entries) {
      expect(entry.kind).toBe('loss');
      expect(entry.summary.length).toBeGreaterThan(10);
      // Every option has a default: the bare name parses, and makes a pair of that name.
      expect(() => losses.parse(entry.name)).not.toThrow();
      const pair = losses.create(entry.name);
      expect(pair.name).toBe(entry.name === 'f-gan' ? 'f-gan/jensen-shannon' : entry.name);
      // The registry hands out the same pairs as lossByName (the shared constants, or equal targets).
      // Pairs without options are shared; least-squares and f-gan make one from their options.
      if (entry.name !== 'least-squares' && entry.name !== 'f-gan') expect(pair).toBe(lossByName(entry.name));
    }
    expect(losses.parse('least-squares')).toEqual({ a: 0, b: 1, c: 1 });
    expect(losses.parse('hinge')).toEqual({});
  });

  it('makes least-squares pairs from options, checked with precise messages', () => {
    const pair = losses.create('least-squares', { a: -1, c: 0 }) as api.LeastSquaresLossPair;
    expect(pair.targets).toEqual({ a: -1, b: 1, c: 0 });
    expectGankitError(() => losses.parse('least-squares', { a: 'x' }), 'config', /^least-squares\.a must be a number, got "x"$/);
    expectGankitError(
      () => losses.parse('least-squares', { zz: 1 }, 'config.loss'),
      'config',
      /^config\.loss\.zz is not a known key \(known keys: a, b, c\)$/,
    );
    expectGankitError(() => losses.parse('hinge', { a: 1 }), 'config', /^hinge\.a is not a known key/);
    expectGankitError(() => losses.get('hinje'), 'config', /^unknown loss 'hinje'; did you mean 'hinge'\? \(one of: minimax, /);
  });

  it('makes pairs that compute and free their intermediates', () => {
    const r = tf.tensor2d([[1.5], [0.5]]);
    const f = tf.tensor2d([[-0.5], [0.25]]);
    for (const name of losses.names) {
      const pair = losses.create(name);
      expect(Number.isFinite(readScalar(pair.discriminator(r, f))), name).toBe(true);
      expectNoLeak(() => pair.discriminator(r, f));
      expectNoLeak(() => generatorLoss(pair, f, r));
    }
    tf.dispose([r, f]);
  });
});

describe('every loss pair', () => {
  const pairs = () => [...LOSS_NAMES.map((n) => lossByName(n)), api.leastSquares({ a: -1, b: 1, c: 0 })];

  it('has a lower discriminator loss when real outputs are high and fake outputs low', () => {
    for (const pair of pairs()) {
      for (const m of [0.5, 1, 2, 4]) {
        const [good, bad] = withTensors(
          [
            [
              [m, m * 0.9, m * 1.1],
              [3, 1],
            ],
            [
              [-m, -m * 1.2, -m * 0.8, -m],
              [4, 1],
            ],
          ],
          (hi, lo) => [readScalar(pair.discriminator(hi, lo)), readScalar(pair.discriminator(lo, hi))],
        );
        expect(good, `${pair.name} at margin ${m}`).toBeLessThan(bad);
      }
    }
  });

  it('generator loss is lower when the fakes fool D (fake outputs high)', () => {
    // Default targets only: the least-squares variant with c = 0 wants fake outputs at 0, not high.
    for (const pair of LOSS_NAMES.map((n) => lossByName(n))) {
      const [fooled, caught] = withTensors(
        [
          [
            [1, 0.8, 1.2],
            [3, 1],
          ],
          [
            [1.5, 1.1],
            [2, 1],
          ],
          [
            [-1.5, -1.1],
            [2, 1],
          ],
        ],
        (real, hiFake, loFake) => [readScalar(generatorLoss(pair, hiFake, real)), readScalar(generatorLoss(pair, loFake, real))],
      );
      expect(fooled, pair.name).toBeLessThan(caught);
    }
    const chi2 = api.leastSquares({ a: -1, b: 1, c: 0 });
    const [atC, atA] = withTensors(
      [
        [
          [0.1, -0.1],
          [2, 1],
        ],
        [
          [-1.1, -0.9],
          [2, 1],
        ],
      ],
      (nearC, nearA) => [readScalar(chi2.generator(nearC)), readScalar(chi2.generator(nearA))],
    );
    expect(atC).toBeLessThan(atA);
  });

  it('is finite, with finite gradients, at outputs ±100', () => {
    const real = [100, -100, 100, -100];
    const fake = [-100, 100, 100, -100];
    for (const pair of pairs()) {
      const d = withTensors(
        [
          [real, [4, 1]],
          [fake, [4, 1]],
        ],
        (r, f) => readScalar(pair.discriminator(r, f)),
      );
      const g = withTensors(
        [
          [real, [4, 1]],
          [fake, [4, 1]],
        ],
        (r, f) => readScalar(generatorLoss(pair, f, r)),
      );
      expect(Number.isFinite(d), `${pair.name} D`).toBe(true);
      expect(Number.isFinite(g), `${pair.name} G`).toBe(true);
      const gd = gradsOf(
        (r, f) => pair.discriminator(r, f),
        [
          [real, [4, 1]],
          [fake, [4, 1]],
        ],
      );
      const gg = pair.generatorUsesReal
        ? gradsOf(
            (r, f) => generatorLoss(pair, f, r),
            [
              [real, [4, 1]],
              [fake, [4, 1]],
            ],
          )
        : gradsOf((f) => pair.generator(f), [[fake, [4, 1]]]);
      expect(gd.flat().every(Number.isFinite), `${pair.name} D gradient`).toBe(true);
      expect(gg.flat().every(Number.isFinite), `${pair.name} G gradient`).toBe(true);
    }
  });

  it('frees its intermediates in both losses', () => {
    const r = tf.randomNormal([5, 1], 0, 1, 'float32', 7);
    const f = tf.randomNormal([3, 1], 0, 1, 'float32', 8);
    for (const pair of pairs()) {
      expectNoLeak(() => pair.discriminator(r, f));
      expectNoLeak(() => generatorLoss(pair, f, r));
    }
    tf.dispose([r, f]);
  });
});
