import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GankitError, networkVariables } from '@gankit/core';
import type { DataSource, GanPlugin, JsonValue, RandomSource, StepLogs } from '@gankit/core';
import { tensorDataset } from '@gankit/data';
import type { NanGuardOptions } from './nan-guard';
import { buildTrainer, disposeTrainer, expectSameState, fixedPoints, stateValues } from './test-model';

/** The arcs data set, with one batch replaced by NaN at the given call (0-based); position state kept. */
function arcsWithNanAt(badCall: number): DataSource {
  const inner = tensorDataset({ x: fixedPoints(), shape: [2], name: 'arcs' });
  let calls = 0;
  return {
    name: 'arcs',
    sampleShape: inner.sampleShape,
    size: inner.size,
    nextBatch(n: number, random: RandomSource) {
      const b = inner.nextBatch(n, random);
      if (calls++ !== badCall) return b;
      const x = tf.tidy(() => tf.mul(b.x, NaN));
      b.x.dispose();
      return { x };
    },
    state: () => inner.state(),
    loadState: (s: JsonValue) => inner.loadState(s),
  };
}

/** The standard latent sampler, with the draw of the given call (0-based) made NaN. */
function latentWithNanAt(badCall: number) {
  let calls = 0;
  return (n: number, random: RandomSource) => {
    const z = random.normal([n, 4], 0, 1, 'latent');
    if (calls++ !== badCall) return z;
    const bad = tf.tidy(() => tf.mul(z, NaN));
    z.dispose();
    return bad;
  };
}

/** A loss term whose value is 0 but whose gradient is NaN (0·sqrt'(0) = 0·∞), at one iteration. */
function nanGradientAt(step: number, player: 'generator' | 'discriminator'): GanPlugin {
  const hook = player === 'generator' ? 'generatorLoss' : 'discriminatorLoss';
  return {
    name: 'nan-gradient',
    [hook]: (s: Parameters<NonNullable<GanPlugin['generatorLoss']>>[0]) => {
      if (s.step !== step) return undefined;
      const w = s[player].trainableVariables[0];
      return { zero: tf.mul(0, tf.sum(tf.sqrt(tf.sub(w, w)))) as tf.Scalar };
    },
  };
}

const allFinite = (net: { trainableVariables: readonly tf.Variable[]; nonTrainableVariables: readonly tf.Variable[] }) =>
  networkVariables(net as never).every((v) => Array.from(v.dataSync()).every(Number.isFinite));

describe("nanGuard: 'stop'", () => {
  it('stops on a NaN data batch with a clear message, in exactly the state of a clean run of the good iterations', async () => {
    const guarded = buildTrainer('stop', { data: arcsWithNanAt(5), nanGuard: { action: 'stop' } });
    const logs: StepLogs[] = [];
    const r = await guarded.fit({ steps: 10, onStep: (l) => void logs.push(l) });
    expect(r.steps).toBe(5);
    expect(r.stopReason).toMatch(
      /numerical fault in iteration 6 \(discriminator update\): the discriminator loss is NaN \(non-finite terms: non-saturating loss NaN\)\. The update was not applied and the trainer is back in the last good state, after 5 completed iterations/,
    );
    expect(guarded.iteration).toBe(5);
    expect(r.fault).toEqual({
      iteration: 6,
      player: 'discriminator',
      detail: 'the discriminator loss is NaN (non-finite terms: non-saturating loss NaN)',
    });
    expect(logs.map((l) => l.metrics['nanGuard/skippedSteps'])).toEqual([0, 0, 0, 0, 0]);
    const got = await stateValues(guarded);
    disposeTrainer(guarded);
    const clean = buildTrainer('stop');
    await clean.fit({ steps: 5 });
    // Weights, optimizers, EMA, data position, random source and step: all as after 5 good iterations.
    expectSameState(got, await stateValues(clean));
    disposeTrainer(clean);
  });

  it('rolls back what the faulty forward pass changed: batch-norm statistics of G hit by a NaN latent', async () => {
    // Latent draws: 2 per iteration (D phase, G phase); draw 6 is iteration 3's D phase. G runs in
    // training mode there, so its batch-norm moving statistics take the NaN before any loss exists.
    const guarded = buildTrainer('bn', { latent: latentWithNanAt(6), nanGuard: { action: 'stop' } });
    await expect(guarded.fit({ steps: 3 })).resolves.toMatchObject({ steps: 3 });
    const err = await guarded.step().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe('numerical');
    expect(allFinite(guarded.generator)).toBe(true);
    const got = await stateValues(guarded);
    disposeTrainer(guarded);
    const clean = buildTrainer('bn');
    await clean.fit({ steps: 3 });
    expectSameState(got, await stateValues(clean));
    disposeTrainer(clean);

    // Without the guard the same fault poisons G's moving statistics (and everything after).
    const unguarded = buildTrainer('bn', { latent: latentWithNanAt(6) });
    await unguarded.fit({ steps: 4 });
    expect(allFinite(unguarded.generator)).toBe(false);
    disposeTrainer(unguarded);
  });
});

describe("nanGuard: 'skip'", () => {
  it('skips the faulty iteration (no update survives), counts it in the logs, and trains on', async () => {
    const t = buildTrainer('skip', { data: arcsWithNanAt(4), nanGuard: { action: 'skip' } });
    const logs: StepLogs[] = [];
    const states: Awaited<ReturnType<typeof stateValues>>[] = [];
    await t.fit({
      steps: 8,
      onStep: async (l) => {
        logs.push(l);
        states.push(await stateValues(t));
      },
    });
    expect(t.iteration).toBe(8);
    expect(t.skippedSteps).toBe(1);
    expect(logs.map((l) => l.metrics['nanGuard/skippedSteps'])).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(logs[4].discriminatorLoss).toBeNaN();
    expect(logs.filter((l) => Number.isNaN(l.discriminatorLoss))).toHaveLength(1);
    // Iteration 4 changed no tensor (weights, batch-norm statistics, optimizer state, EMA)...
    expect(states[4].values).toEqual(states[3].values);
    // ...but consumed its batch and random draws, so iteration 5 sees fresh data.
    const meta = (i: number) => states[i].meta as { random: { counter: number }; data: { state: { position: number } } };
    expect(meta(4).random.counter).toBeGreaterThan(meta(3).random.counter);
    expect(meta(4).data.state.position).not.toBe(meta(3).data.state.position);
    expect(states[5].values['networks/generator/0']).not.toEqual(states[4].values['networks/generator/0']);
    expect(allFinite(t.generator) && allFinite(t.discriminator)).toBe(true);
    disposeTrainer(t);
  });

  it('checkGradients catches a NaN gradient of a finite loss, which the loss check alone misses', async () => {
    // The fault is in the generator update of the last iteration: nothing checks a loss after it.
    const run = async (guard: NanGuardOptions) => {
      const t = buildTrainer('grad', { plugins: [nanGradientAt(2, 'generator')], nanGuard: guard });
      const logs: StepLogs[] = [];
      await t.fit({ steps: 3, onStep: (l) => void logs.push(l) });
      const finite = allFinite(t.generator);
      disposeTrainer(t);
      return { logs, finite };
    };
    const lossOnly = await run({ action: 'skip' });
    expect(Number.isFinite(lossOnly.logs[2].generatorLoss)).toBe(true);
    expect(lossOnly.logs.map((l) => l.metrics['nanGuard/skippedSteps'])).toEqual([0, 0, 0]);
    expect(lossOnly.finite).toBe(false);
    const withGrads = await run({ action: 'skip', checkGradients: true });
    expect(withGrads.logs.map((l) => l.metrics['nanGuard/skippedSteps'])).toEqual([0, 0, 1]);
    expect(withGrads.finite).toBe(true);
    const t = buildTrainer('grad-stop', {
      plugins: [nanGradientAt(1, 'discriminator')],
      nanGuard: { action: 'stop', checkGradients: true },
    });
    const r = await t.fit({ steps: 3 });
    expect(r.steps).toBe(1);
    expect(r.stopReason).toMatch(
      /the gradient of discriminator variable 0 \('d-grad-stop\/dense_0\/kernel', \[2, 16\]\) holds NaN or Inf \(loss [-\d.e]+\)/,
    );
    disposeTrainer(t);
  });

  it('leaks no tensors over many iterations with faults, and refuses a bad action', async () => {
    const t = buildTrainer('leak', { data: arcsWithNanAt(3), nanGuard: { action: 'skip', checkGradients: true } });
    await t.fit({ steps: 2 });
    const n0 = tf.memory().numTensors;
    await t.fit({ steps: 30 });
    expect(t.skippedSteps).toBe(1);
    expect(tf.memory().numTensors).toBe(n0);
    disposeTrainer(t);
    expect(() => buildTrainer('bad', { nanGuard: { action: 'ignore' } as unknown as NanGuardOptions })).toThrow(
      /nanGuard.action must be 'stop' or 'skip', got "ignore"/,
    );
  });
});
