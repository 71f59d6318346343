import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { F_DIVERGENCES, F_DIVERGENCE_SPECS, type FDivergence, fDivergenceBound, fGan } from './f-divergence';
import { losses } from './registry';

ensureGradients();

// Two distributions on three points, as batches whose element frequencies are P and Q.
const P = [0.5, 0.3, 0.2];
const Q = [0.2, 0.2, 0.6];
const repeat = (values: number[], probs: number[]) => probs.flatMap((p, k) => Array(Math.round(p * 10)).fill(values[k]));

/** f′(u), by hand for each divergence: the optimal critic's activation value g_f(v) = f′(p/q). */
const derivative: Record<FDivergence, (u: number) => number> = {
  kl: (u) => Math.log(u) + 1,
  'reverse-kl': (u) => -1 / u,
  pearson: (u) => 2 * (u - 1),
  'squared-hellinger': (u) => 1 - 1 / Math.sqrt(u),
  'jensen-shannon': (u) => Math.log((2 * u) / (1 + u)),
  gan: (u) => Math.log(u / (u + 1)),
  'total-variation': (u) => 0.5 * Math.sign(u - 1),
};

/** g_f⁻¹(t): the raw critic output whose activation is t. */
const inverse: Record<FDivergence, (t: number) => number> = {
  kl: (t) => t,
  'reverse-kl': (t) => -Math.log(-t),
  pearson: (t) => t,
  'squared-hellinger': (t) => -Math.log(1 - t),
  'jensen-shannon': (t) => -Math.log(2 * Math.exp(-t) - 1),
  gan: (t) => -Math.log(Math.exp(-t) - 1),
  'total-variation': (t) => Math.sign(t) * 15, // tanh(±15) is ±1 in float32
};

const divergence = (d: FDivergence) => Q.reduce((s, q, k) => s + q * F_DIVERGENCE_SPECS[d].f(P[k] / q), 0);

describe('f-GAN losses', () => {
  it.each(F_DIVERGENCES)('%s: at the optimal critic the bound equals D_f(P‖Q) computed directly; elsewhere it is lower', (d) => {
    const v = P.map((p, k) => inverse[d](derivative[d](p / Q[k])));
    const real = tf.tensor2d(repeat(v, P), [10, 1]);
    const fake = tf.tensor2d(repeat(v, Q), [10, 1]);
    const before = tf.memory().numTensors;
    const bound = fDivergenceBound(real, fake, d);
    const loss = fGan(d);
    const dLoss = loss.discriminator(real, fake);
    expect(bound.dataSync()[0]).toBeCloseTo(divergence(d), 5);
    expect(dLoss.dataSync()[0]).toBeCloseTo(-divergence(d), 5);
    tf.dispose([bound, dLoss]);
    expect(tf.memory().numTensors).toBe(before);
    // Any other critic gives less (a variational lower bound).
    for (const shift of [-0.7, 0.4]) {
      const other = tf.tidy(() => fDivergenceBound(tf.add(real, shift), tf.add(fake, shift), d));
      expect(other.dataSync()[0]).toBeLessThan(divergence(d) + 1e-6);
      other.dispose();
    }
    tf.dispose([real, fake]);
    // A divergence is positive for P ≠ Q; the GAN's is 2·JS − log 4, so above −log 4.
    expect(divergence(d)).toBeGreaterThan(d === 'gan' ? -Math.log(4) : 0);
  });

  it('keeps the critic in the domain of f* and has finite gradients at the extremes', () => {
    const v = tf.tidy(() => tf.reshape(tf.linspace(-20, 20, 81), [81, 1]));
    const t = (d: FDivergence) => Array.from(tf.tidy(() => F_DIVERGENCE_SPECS[d].activation(v)).dataSync());
    expect(Math.max(...t('reverse-kl'))).toBeLessThan(0);
    // 1 − exp(−20) rounds to 1 in float32; f*(g(v)) is computed from v (exp(v) − 1), so it stays finite.
    expect(Math.max(...t('squared-hellinger'))).toBeLessThanOrEqual(1);
    expect(Math.max(...t('squared-hellinger').slice(0, 60))).toBeLessThan(1);
    expect(Math.max(...t('jensen-shannon'))).toBeLessThanOrEqual(Math.fround(Math.log(2)));
    expect(Math.max(...t('gan'))).toBeLessThanOrEqual(0);
    expect(Math.max(...t('total-variation').map(Math.abs))).toBeLessThanOrEqual(0.5);
    for (const d of F_DIVERGENCES) {
      const loss = fGan(d);
      const other = tf.tidy(() =>
        Array.from(
          tf
            .grad((f: tf.Tensor) => fGan(d, { generator: 'non-saturating' }).generator(f))(v)
            .dataSync(),
        ),
      );
      expect(other.every(Number.isFinite), d).toBe(true);
      const grads = tf.tidy(() => {
        const [gr, gf] = tf.grads((r: tf.Tensor, f: tf.Tensor) => loss.discriminator(r, f))([v, v]);
        const gg = tf.grad((f: tf.Tensor) => loss.generator(f))(v);
        return [gr, gf, gg].map((g) => Array.from(g.dataSync()));
      });
      for (const g of grads) expect(g.every(Number.isFinite), d).toBe(true);
    }
    v.dispose();
  });

  it('the gan divergence is the original GAN: D minimises −E log D(x) − E log(1 − D(G(z))), G the minimax loss', () => {
    const real = tf.tensor2d([[0.3], [-1.2], [2]]);
    const fake = tf.tensor2d([[-0.5], [0.8], [1.5]]);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const r = Array.from(real.dataSync());
    const f = Array.from(fake.dataSync());
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const loss = fGan('gan');
    const d = loss.discriminator(real, fake);
    const g = loss.generator(fake);
    expect(d.dataSync()[0]).toBeCloseTo(-mean(r.map((x) => Math.log(sig(x)))) - mean(f.map((x) => Math.log(1 - sig(x)))), 5);
    expect(g.dataSync()[0]).toBeCloseTo(mean(f.map((x) => Math.log(1 - sig(x)))), 5);
    expect(loss.name).toBe('f-gan/gan');
    tf.dispose([real, fake, d, g]);
  });

  it('the non-saturating generator maximises E_Q[g_f(v)] (§3.2): for gan it is the non-saturating GAN loss, for kl −E[v]', () => {
    const fake = tf.tensor2d([[-0.5], [0.8], [1.5]]);
    const f = Array.from(fake.dataSync());
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const before = tf.memory().numTensors;
    const expected: Record<FDivergence, number> = {
      kl: -mean(f),
      'reverse-kl': mean(f.map((v) => Math.exp(-v))),
      pearson: -mean(f),
      'squared-hellinger': -mean(f.map((v) => 1 - Math.exp(-v))),
      'jensen-shannon': -mean(f.map((v) => Math.log(2) - Math.log1p(Math.exp(-v)))),
      gan: mean(f.map((v) => Math.log1p(Math.exp(-v)))),
      'total-variation': -mean(f.map((v) => 0.5 * Math.tanh(v))),
    };
    for (const d of F_DIVERGENCES) {
      const loss = fGan(d, { generator: 'non-saturating' });
      expect(loss.name).toBe(`f-gan/${d}/non-saturating`);
      const g = loss.generator(fake);
      expect(g.dataSync()[0], d).toBeCloseTo(expected[d], 5);
      g.dispose();
      // The critic's loss is the same bound whichever generator objective is chosen.
      const a = loss.discriminator(fake, fake);
      const b = fGan(d).discriminator(fake, fake);
      expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0], 6);
      tf.dispose([a, b]);
    }
    // For gan it is exactly the non-saturating GAN generator loss −E log D(G(z)).
    const ns = fGan('gan', { generator: 'non-saturating' }).generator(fake);
    expect(ns.dataSync()[0]).toBeCloseTo(mean(f.map((v) => -Math.log(1 / (1 + Math.exp(-v))))), 5);
    ns.dispose();
    expect(tf.memory().numTensors).toBe(before);
    fake.dispose();
  });

  it('names a bad divergence and bad outputs', () => {
    expect(() => fGan('kl', { generator: 'minimax' as 'saddle' })).toThrow(
      /^fGan: generator must be 'saddle' or 'non-saturating', got "minimax"$/,
    );
    expect(() => fGan('chi' as FDivergence)).toThrow(/fGan: unknown f-divergence 'chi'; one of kl, reverse-kl, pearson/);
    const x = tf.zeros([2, 1], 'int32');
    expect(() => fGan('kl').discriminator(x, x)).toThrow(/must be float32/);
    x.dispose();
  });

  it('is in the registry: "f-gan" with a divergence option (default jensen-shannon), precise about a bad one', () => {
    expect(losses.create('f-gan', { divergence: 'kl' }).name).toBe('f-gan/kl');
    expect(losses.parse('f-gan')).toEqual({ divergence: 'jensen-shannon', generator: 'saddle' });
    expect(losses.create('f-gan', { divergence: 'kl', generator: 'non-saturating' }).name).toBe('f-gan/kl/non-saturating');
    expect(() => losses.parse('f-gan', { generator: 'minimax' })).toThrow(/f-gan\.generator must be one of/);
    expect(() => losses.parse('f-gan', { divergence: 'pearsn' })).toThrow(/f-gan\.divergence must be one of .*did you mean 'pearson'/);
  });
});
