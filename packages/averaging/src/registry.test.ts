import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type Network, type StepContext } from '@gankit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { averagers } from './index';

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

/** A one-variable network whose weights the test sets. */
function net(): Network & { set(values: number[]): void } {
  const w = tf.variable(tf.tensor1d([0, 0]), true);
  return {
    name: 'generator',
    inputShape: [2],
    outputShape: [2],
    trainableVariables: [w],
    nonTrainableVariables: [],
    apply: (x) => tf.mul(x, w),
    dispose: () => w.dispose(),
    set: (values) => tf.tidy(() => w.assign(tf.tensor1d(values))),
  };
}

/** Only what averaging reads from a step context. */
const step = (n: Network, k: number) => ({ step: k, generator: n, networks: { generator: n } }) as unknown as StepContext;

describe('averagers (the registry)', () => {
  let g: ReturnType<typeof net>;
  beforeEach(() => {
    g = net();
  });
  afterEach(() => g.dispose());

  it('lists ema and uniform, each schema parsing to the defaults of a configured run', () => {
    expect(averagers.noun).toBe('averaging');
    expect(averagers.names).toEqual(['ema', 'uniform']);
    expect(averagers.parse('ema')).toEqual({ decay: 0.999, startStep: 0, rampUp: true });
    expect(averagers.parse('uniform')).toEqual({ startStep: 0 });
    for (const e of averagers.entries) expect(e.kind).toBe('plugin');
  });

  it('refuses bad options with one precise line', () => {
    expect(messageOf(() => averagers.parse('ema', { decay: 1 }))).toBe('ema.decay must be < 1, got 1');
    expect(messageOf(() => averagers.parse('uniform', { startStep: -1 }))).toBe('uniform.startStep must be >= 0, got -1');
    expect(messageOf(() => averagers.parse('ema', { rampup: true }))).toBe(
      "ema.rampup is not a known key; did you mean 'rampUp'? (known keys: decay, startStep, rampUp)",
    );
    expect(messageOf(() => averagers.get('polyak'))).toBe("unknown averaging 'polyak' (one of: ema, uniform)");
  });

  it('makes plugins that average with the options given, and free their copy', () => {
    const before = tf.memory().numTensors;
    const e = averagers.create('ema', { decay: 0.5, rampUp: false });
    const u = averagers.create('uniform');
    e.initialize(g);
    u.initialize(g);
    g.set([2, 4]);
    e.afterGeneratorStep(step(g, 0));
    u.afterGeneratorStep(step(g, 0));
    g.set([4, 8]);
    e.afterGeneratorStep(step(g, 1));
    u.afterGeneratorStep(step(g, 1));
    // EMA β = 0.5 from 0: 0 → 1, 2 → 2.5, 5; uniform: the mean of [2, 4] and [4, 8].
    expect(Array.from(e.averagedWeights()[0].dataSync())).toEqual([2.5, 5]);
    expect(Array.from(u.averagedWeights()[0].dataSync())).toEqual([3, 6]);
    e.dispose();
    u.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
