// Data-parallel replicas of a whole Trainer (TrainerOptions.replica) in worker threads, through
// @gankit/backend/node's runReplicas. The workers run the built packages: build first.
import { describe, expect, it } from 'vitest';
import { runReplicas } from '@gankit/backend/node';
import { GankitError } from '@gankit/core';
import { buildTrainer, readTrainer } from '../test/fixtures/replica-trainer.mjs';

const fixture = new URL('../test/fixtures/replica-trainer.mjs', import.meta.url);

interface Result {
  values: number[][];
  logs: number[][];
  random: { seed: number; counter: number } | null;
  iteration: number;
  tensors?: number[];
}

async function inThread(options: Record<string, unknown>, steps: number): Promise<Result> {
  const t = buildTrainer({ ...options, tag: 'r' }); // the workers' tag: initial weights derive from the variable names
  const logs: number[][] = [];
  await t.fit({
    steps,
    onStep: (l: { discriminatorLoss: number; generatorLoss: number; dReal: number; dFake: number }) =>
      void logs.push([l.discriminatorLoss, l.generatorLoss, l.dReal, l.dFake]),
  });
  const out = (await readTrainer(t, logs)) as Result;
  t.dispose();
  for (const n of Object.values(t.game.networks)) n.dispose();
  return out;
}

describe('Trainer replicas (data parallel)', () => {
  it('two replicas on half batches take the whole-batch steps: the same weights as one thread, up to rounding', async () => {
    const options = { batchNorm: false, steps: 6 };
    const single = await inThread(options, 6);
    const [a, b] = await runReplicas<Result>({ module: fixture, workers: 2, options });
    // The replicas are identical, bit for bit: weights, spectral-norm vectors, EMA copy, logs, random state.
    expect(b.values).toEqual(a.values);
    expect(b.logs).toEqual(a.logs);
    expect(b.random).toEqual(a.random);
    expect(a.iteration).toBe(6);
    // And they follow the single-thread run: the mean of two half-batch mean gradients is the
    // whole batch's mean gradient (only the summation order differs).
    expect(a.random).toEqual(single.random); // the same draws from the run's random source
    let worst = 0;
    a.values.forEach((v, i) => v.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - single.values[i][j])))));
    expect(worst).toBeLessThan(1e-5);
    a.logs.forEach((l, s) => l.forEach((x, k) => expect(x).toBeCloseTo(single.logs[s][k], 4)));
    // Not a trivially passing comparison: the weights did move.
    const start = await inThread(options, 0);
    let moved = 0;
    start.values.forEach((v, i) => v.forEach((x, j) => (moved = Math.max(moved, Math.abs(x - single.values[i][j])))));
    expect(moved).toBeGreaterThan(0.01);
  });

  it('CycleGAN, a game of the same Trainer, gets the same replicas: identical replicas that follow the whole-batch run', async () => {
    const options = { cyclegan: true, penalty: true, steps: 5 };
    const single = await inThread(options, 5);
    const [a, b] = await runReplicas<Result>({ module: fixture, workers: 2, options });
    expect(b.values).toEqual(a.values);
    expect(b.logs).toEqual(a.logs);
    expect(a.iteration).toBe(5);
    expect(a.values.length).toBe(single.values.length);
    // The gradient penalty draws its interpolation weights per replica, so the replicas' mean
    // differs from one whole-batch draw: close, not equal.
    let worst = 0;
    a.values.forEach((v, i) => v.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - single.values[i][j])))));
    expect(worst).toBeLessThan(0.05);
    const start = await inThread(options, 0);
    let moved = 0;
    start.values.forEach((v, i) => v.forEach((x, j) => (moved = Math.max(moved, Math.abs(x - single.values[i][j])))));
    expect(moved).toBeGreaterThan(0.01);
    expect(worst).toBeLessThan(moved / 4);
  });

  it('with batch norm and a random plugin (gradient penalty) the replicas stay identical: moving statistics are averaged', async () => {
    const [a, b] = await runReplicas<Result>({ module: fixture, workers: 2, options: { batchNorm: true, penalty: true, steps: 5 } });
    // No tensors pile up in a replica: the count is flat once the first iteration made the optimizers' slots.
    for (const r of [a, b]) expect(new Set(r.tensors!.slice(1)).size).toBe(1);
    expect(b.values).toEqual(a.values);
    expect(b.logs).toEqual(a.logs);
    expect(b.random).toEqual(a.random);
    for (const l of a.logs) for (const x of l) expect(Number.isFinite(x)).toBe(true);
  });

  it('refuses replicas that start from different weights (here: other network names, from which initial weights derive)', async () => {
    const started = Date.now();
    await expect(runReplicas({ module: fixture, workers: 2, options: { batchNorm: false, steps: 2, tagByIndex: true } })).rejects.toThrow(
      /replica [01] of 2 starts from other weights than the rest/,
    );
    expect(Date.now() - started).toBeLessThan(30_000); // the other replica does not wait forever
  });

  it('refuses a batch that does not split evenly and a malformed replica option', () => {
    const noop = () => undefined;
    expect(() => buildTrainer({ replica: { index: 0, count: 3, allReduceMean: noop } })).toThrow(GankitError);
    expect(() => buildTrainer({ replica: { index: 0, count: 3, allReduceMean: noop } })).toThrow(
      /batchSize 32 does not split evenly over 3 replicas/,
    );
    expect(() => buildTrainer({ replica: { index: 2, count: 2, allReduceMean: noop } })).toThrow(/index in \[0, count\), got index 2 of 2/);
    expect(() => buildTrainer({ replica: { index: 0, count: 2 } as never })).toThrow(/allReduceMean must be a function/);
  });
});
