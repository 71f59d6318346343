// DataParallel runs from the built package (its worker thread is dist/parallel-worker.js): build
// first (`npx tsup`; turbo's test task depends on build).
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { DataParallel } from '@gankit/backend/node';
// @ts-expect-error a plain ES module fixture without types
import { batchOf } from '../../test/fixtures/linear-replica.mjs';

const fixture = new URL('../../test/fixtures/linear-replica.mjs', import.meta.url);

/** The same SGD steps on the whole batch, in this thread. */
function fullBatch(steps: number, batch: number, lr: number): { w: Float32Array; b: Float32Array; losses: number[] } {
  ensureGradients();
  const w = tf.variable(tf.tensor2d([[0.1], [0.2], [0.3]]));
  const b = tf.variable(tf.scalar(0));
  const opt = tf.train.sgd(lr);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, y } = batchOf(s, batch) as { x: Float32Array; y: Float32Array };
    const loss = opt.minimize(() => {
      const pred = tf.add(tf.matMul(tf.tensor2d(x, [batch, 3]), w), b);
      return tf.mean(tf.square(tf.sub(pred, tf.tensor2d(y, [batch, 1])))) as tf.Scalar;
    }, true);
    losses.push(loss!.dataSync()[0]);
    loss!.dispose();
  }
  const out = { w: w.dataSync() as Float32Array, b: b.dataSync() as Float32Array, losses };
  tf.dispose([w, b]);
  opt.dispose();
  return out;
}

describe('DataParallel', () => {
  it('averages shard gradients into full-batch steps and keeps the replicas identical', async () => {
    const dp = await DataParallel.start({ module: fixture, options: { batch: 8, lr: 0.1 }, workers: 2 });
    try {
      expect(dp.workers).toBe(2);
      expect(dp.phases).toEqual(['fit']);
      expect(dp.backend).toBe('wasm');
      const logs = [];
      for (let s = 0; s < 4; s++) logs.push((await dp.step()).logs);
      const want = fullBatch(4, 8, 0.1);
      const weights = await dp.weights();
      expect(weights).toHaveLength(2);
      // Identical replicas, bit for bit.
      for (const name of ['lin_w', 'lin_b']) expect(Array.from(weights[1][name].values)).toEqual(Array.from(weights[0][name].values));
      expect(weights[0].lin_w.shape).toEqual([3, 1]);
      // The mean of two half-batch mean gradients is the full-batch mean gradient.
      weights[0].lin_w.values.forEach((v, i) => expect(v).toBeCloseTo(want.w[i], 5));
      expect(weights[0].lin_b.values[0]).toBeCloseTo(want.b[0], 5);
      // Logs are averaged over the replicas (shard losses of equal size average to the batch loss).
      logs.forEach((l, s) => expect(l['fit/loss']).toBeCloseTo(want.losses[s], 4));
      expect(logs[0]['fit/index']).toBe(0.5);
      // No tensors pile up in the workers from step to step.
      expect(new Set(logs.map((l) => l['fit/tensors'])).size).toBe(1);
    } finally {
      await dp.close();
    }
    await dp.close(); // idempotent
    await expect(dp.step()).rejects.toThrow(/after close/);
  });

  it('runs with one worker too (the same step, no averaging)', async () => {
    const dp = await DataParallel.start({ module: fixture.href, options: { batch: 8, lr: 0.1 }, workers: 1 });
    try {
      await dp.step();
      await dp.step();
      const [w] = await dp.weights();
      const want = fullBatch(2, 8, 0.1);
      w.lin_w.values.forEach((v, i) => expect(v).toBeCloseTo(want.w[i], 5));
    } finally {
      await dp.close();
    }
  });

  it('reports bad input and failing replicas as BackendErrors that say what went wrong', async () => {
    await expect(DataParallel.start({ module: fixture, workers: 0 })).rejects.toThrow(/workers must be an integer >= 1, got 0/);
    await expect(DataParallel.start({ module: 'relative/path.mjs' })).rejects.toThrow(/absolute path or a URL, got 'relative\/path.mjs'/);
    await expect(DataParallel.start({ module: fixture, exportName: 'nope', workers: 1 })).rejects.toThrow(/has no function export 'nope'/);
    const failing = DataParallel.start({ module: fixture, options: { fail: true }, workers: 1 });
    // dist's BackendError (this file's src copy is another class)
    await expect(failing).rejects.toMatchObject({ name: 'BackendError', code: 'backend' });
    await expect(DataParallel.start({ module: fixture, options: { fail: true }, workers: 1 })).rejects.toThrow(/asked to fail/);
  });
});
