import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type GanPlugin, type WeightParametrizationFactory, ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regularizers } from './index';
import { linearCritic, makeStepContext } from './test-helpers';

beforeAll(() => {
  ensureGradients();
});

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

const critic = linearCritic([0.3, -1.2, 0.5, 0.9]);
afterAll(() => critic.dispose());

describe('regularizers (the registry)', () => {
  it('lists every regularizer, each schema parsing to the documented defaults', () => {
    expect(regularizers.noun).toBe('regularizer');
    const defaults = Object.fromEntries(regularizers.names.map((n) => [n, regularizers.parse(n)]));
    expect(defaults).toEqual({
      'diff-augment': { policy: ['color', 'translation', 'cutout'], translationRatio: 0.125, cutoutRatio: 0.5 },
      'gradient-penalty': { lambda: 10, variant: 'two-sided' },
      'instance-noise': { std: 0.1 },
      orthogonal: { beta: 1e-4, network: 'generator' },
      r1: { gamma: 10 },
      r2: { gamma: 10 },
      'spectral-norm': { powerIterations: 1 },
      'weight-clipping': { c: 0.01 },
    });
    expect(regularizers.entries.map((e) => e.kind)).toEqual([
      'plugin',
      'plugin',
      'plugin',
      'plugin',
      'plugin',
      'plugin',
      'weight-parametrization',
      'plugin',
    ]);
    expect(regularizers.get('gradient-penalty').perExampleCritic).toMatch(/per-example/);
    expect(regularizers.get('r1').perExampleCritic).toBeUndefined();
    for (const e of regularizers.entries) expect(e.summary.length).toBeGreaterThan(10);
  });

  it('refuses bad options and names with one precise line', () => {
    expect(messageOf(() => regularizers.parse('r1', { gamma: 0 }))).toBe('r1.gamma must be > 0, got 0');
    expect(messageOf(() => regularizers.parse('gradient-penalty', { variant: 'two-sidded' }))).toBe(
      "gradient-penalty.variant must be one of 'two-sided', 'one-sided', 'dragan', got \"two-sidded\"; did you mean 'two-sided'?",
    );
    expect(messageOf(() => regularizers.parse('spectral-norm', { powerIterations: 0.5 }))).toBe(
      'spectral-norm.powerIterations must be an integer, got 0.5',
    );
    expect(messageOf(() => regularizers.parse('weight-clipping', { clip: 1 }))).toBe(
      'weight-clipping.clip is not a known key (known keys: c)',
    );
    expect(messageOf(() => regularizers.get('r3'))).toMatch(
      /^unknown regularizer 'r3'; did you mean 'r1'\? \(one of: diff-augment, gradient-penalty, /,
    );
  });

  it('makes plugins that add a finite penalty without leaking, with the options given', () => {
    const real = tf.tensor2d([0.5, -0.2, 0.1, 0.3, -0.4, 0.6, 0.2, -0.1], [2, 4]);
    const fake = tf.tensor2d([0.1, 0.2, -0.3, 0.4, 0.0, -0.5, 0.3, 0.2], [2, 4]);
    for (const name of ['gradient-penalty', 'r1', 'r2'] as const) {
      const plugin = regularizers.create(name) as GanPlugin;
      expect(plugin.name).toBe(name);
      const s = makeStepContext({ discriminator: critic, real, fake, seed: 3 });
      const before = tf.memory().numTensors;
      const terms = plugin.discriminatorLoss!(s) as Record<string, tf.Scalar>;
      expect(Object.keys(terms)).toEqual(['penalty']);
      expect(Number.isFinite(terms.penalty.dataSync()[0])).toBe(true);
      tf.dispose(Object.values(terms));
      expect(tf.memory().numTensors, name).toBe(before);
    }
    // R1 on a linear critic: γ/2·‖w‖² exactly, so the option reaches the plugin.
    const r1 = regularizers.create('r1', { gamma: 4 }) as GanPlugin;
    const penalty = (r1.discriminatorLoss!(makeStepContext({ discriminator: critic, real, fake })) as Record<string, tf.Scalar>).penalty;
    expect(penalty.dataSync()[0]).toBeCloseTo(2 * (0.09 + 1.44 + 0.25 + 0.81), 5);
    penalty.dispose();
    const clip = regularizers.create('weight-clipping', { c: 0.5 }) as GanPlugin & { c: number };
    expect(clip.c).toBe(0.5);
    tf.dispose([real, fake]);
  });

  it('makes a seeded weight parametrization that normalises a kernel and frees its state', () => {
    const factory = regularizers.create('spectral-norm', { powerIterations: 3 }, { seed: 5 }) as WeightParametrizationFactory;
    const before = tf.memory().numTensors;
    const p = factory([3, 2], 'd/dense/kernel');
    const kernel = tf.tensor2d([3, 0, 0, 1, 0, 0], [3, 2]);
    const w = p.apply(kernel, { training: true });
    // diag(3, 1): the normalised kernel has spectral norm 1.
    expect(Math.max(...Array.from(w.dataSync()).map(Math.abs))).toBeCloseTo(1, 3);
    tf.dispose([w, kernel]);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
