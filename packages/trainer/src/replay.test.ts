import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RandomSource, type Batch, type GanPlugin } from '@gankit/core';
import { experienceReplay, type ExperienceReplayPlugin } from './replay';
import { buildTrainer, disposeTrainer, expectSameState, stateValues } from './test-model';

/** A batch of fakes whose values are their ids `start .. start+n-1` (and labels id mod 7). */
function ids(start: number, n: number, labels = false): Batch {
  const v = Float32Array.from({ length: n }, (_, i) => start + i);
  return {
    x: tf.tensor2d(v, [n, 1]),
    labels: labels
      ? tf.tensor1d(
          Int32Array.from(v, (x) => x % 7),
          'int32',
        )
      : undefined,
  };
}

/** Calls transformFakes as the trainer does (inside tf.tidy) and reads the result. */
function call(p: ExperienceReplayPlugin, fakes: Batch, random: RandomSource): { x: number[]; labels?: number[] | undefined } {
  const out = tf.tidy(() => {
    const r = p.transformFakes(fakes, { random } as never);
    return (r.labels ? { x: r.x, labels: r.labels } : { x: r.x }) as unknown as tf.TensorContainer;
  }) as unknown as Batch;
  const res = { x: Array.from(out.x.dataSync()), labels: out.labels ? Array.from(out.labels.dataSync()) : undefined };
  tf.dispose([out.x, out.labels as tf.Tensor, fakes.x, fakes.labels as tf.Tensor]);
  return res;
}

function contents(p: ExperienceReplayPlugin): { x: number[]; labels?: number[] | undefined } {
  const c = p.contents();
  if (!c) return { x: [] };
  const res = { x: Array.from(c.x.dataSync()), labels: c.labels ? Array.from(c.labels.dataSync()) : undefined };
  tf.dispose([c.x, c.labels as tf.Tensor]);
  return res;
}

describe('experienceReplay', () => {
  it('replaces the given fraction with earlier fakes and keeps every fake until the buffer is full', () => {
    const p = experienceReplay({ bufferSize: 50, fraction: 0.3 });
    const rng = new RandomSource(1);
    // Empty buffer: nothing replaced.
    expect(call(p, ids(0, 10), rng).x).toEqual([...Array(10).keys()]);
    expect(contents(p).x).toEqual([...Array(10).keys()]);
    for (let b = 1; b < 5; b++) {
      const before = new Set(contents(p).x);
      const out = call(p, ids(10 * b, 10), rng).x;
      // The first 3 come from the buffer as it stood before this batch; the rest are this batch's own.
      for (const v of out.slice(0, 3)) expect(before.has(v)).toBe(true);
      expect(out.slice(3)).toEqual([3, 4, 5, 6, 7, 8, 9].map((i) => 10 * b + i));
    }
    expect(contents(p).x).toEqual([...Array(50).keys()]);
    expect([p.filled, p.seen]).toEqual([50, 50]);
    p.dispose();
  });

  it('is a reservoir: a uniform sample of every fake seen, distinct, and seeded', () => {
    const run = (seed: number) => {
      const p = experienceReplay({ bufferSize: 50, fraction: 0.5 });
      const rng = new RandomSource(seed);
      for (let b = 0; b < 100; b++) call(p, ids(10 * b, 10), rng);
      const c = contents(p).x;
      expect([p.filled, p.seen]).toEqual([50, 1000]);
      p.dispose();
      return c;
    };
    const c = run(1);
    expect(new Set(c).size).toBe(50);
    expect(c.every((v) => Number.isInteger(v) && v >= 0 && v < 1000)).toBe(true);
    // Uniform over 0..999: the mean of 50 draws has sd ≈ 289 / √50 ≈ 41; 4 sd.
    const m = c.reduce((a, b) => a + b, 0) / c.length;
    expect(Math.abs(m - 499.5)).toBeLessThan(164);
    expect(c.filter((v) => v >= 500).length).toBeGreaterThan(10); // late fakes get in too
    expect(run(1)).toEqual(c);
    expect(run(2)).not.toEqual(c);
  });

  it('carries labels with their fakes, saves and restores its buffer exactly, and leaks nothing', () => {
    const n0 = tf.memory().numTensors;
    const p = experienceReplay({ bufferSize: 20, fraction: 0.5 });
    const rng = new RandomSource(3);
    for (let b = 0; b < 6; b++) {
      const out = call(p, ids(8 * b, 8, true), rng);
      out.x.forEach((v, i) => expect(out.labels![i]).toBe(v % 7));
    }
    const c = contents(p);
    c.x.forEach((v, i) => expect(c.labels![i]).toBe(v % 7));
    expect(tf.memory().numTensors).toBe(n0 + 2); // the buffer and its labels
    const s = p.state();
    expect(s.meta).toEqual({ bufferSize: 20, filled: 20, seen: 48 });
    const q = experienceReplay({ bufferSize: 20, fraction: 0.5 });
    q.loadState(s);
    expect(contents(q)).toEqual(c);
    const [r1, r2] = [new RandomSource(9), new RandomSource(9)];
    expect(call(q, ids(100, 8, true), r2)).toEqual(call(p, ids(100, 8, true), r1));
    expect(contents(q)).toEqual(contents(p));
    expect(() => experienceReplay({ bufferSize: 10 }).loadState(s)).toThrow(/filled <= bufferSize \(10\)/);
    expect(() => experienceReplay({ bufferSize: 0 })).toThrow(/bufferSize must be a positive integer, got 0/);
    expect(() => experienceReplay({ fraction: 1.5 })).toThrow(/fraction must be a number in \[0, 1\], got 1.5/);
    p.dispose();
    q.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('in a Trainer: D sees replayed fakes, the buffer is in checkpoints, and a resumed run repeats bit for bit', async () => {
    const seen: number[][] = [];
    const spy: GanPlugin = { name: 'spy', order: 10, discriminatorLoss: (s) => void seen.push(Array.from(s.fake().dataSync())) };
    const replay = experienceReplay({ bufferSize: 64, fraction: 0.5 });
    const t = buildTrainer('replay', { plugins: [replay, spy] });
    await t.fit({ steps: 3 });
    // Batch 32 of 2-D points: from iteration 2 on, the first 16 fakes are replayed ones.
    const buffered = new Set<string>();
    const pairs = (v: number[]) => Array.from({ length: v.length / 2 }, (_, i) => `${v[2 * i]},${v[2 * i + 1]}`);
    pairs(seen[0]).forEach((p) => buffered.add(p));
    const second = pairs(seen[1]);
    for (const p of second.slice(0, 16)) expect(buffered.has(p)).toBe(true);
    expect(replay.filled).toBe(64);
    const s = await t.state();
    expect(s.tensors['plugins/experience-replay/buffer'].shape).toEqual([64, 2]);
    // Resume into a fresh trainer (its own fresh plugin) and go on: the same as going on here.
    const other = buildTrainer('replay-2', { plugins: [experienceReplay({ bufferSize: 64, fraction: 0.5 })] });
    await other.loadState(s);
    tf.dispose(Object.values(s.tensors));
    await other.fit({ steps: 3 });
    await t.fit({ steps: 3 });
    expectSameState(await stateValues(other), await stateValues(t));
    disposeTrainer(t);
    disposeTrainer(other);
  });
});
