import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Network } from '@gankit/core';
import { gridFileName, gridRecorder } from './grid-recorder';
import { makeContext, simulate, tempDir, TinyGenerator } from '../test/helpers';

describe('gridRecorder', () => {
  it('writes grids at exactly every N steps plus the end, from the same z in inference mode', async () => {
    const dir = await tempDir();
    const g = new TinyGenerator();
    const ctx = makeContext(g);
    const before = tf.memory().numTensors;
    const rec = gridRecorder({ every: 3, dir, z: 6, grid: { cols: 3 } });
    expect(rec.order).toBe(200);
    await simulate(rec, ctx, 10);
    expect(rec.written.map((w) => w.step)).toEqual([3, 6, 9, 10]);
    expect((await readdir(join(dir, 'grids'))).sort()).toEqual([
      'step-000000003.png',
      'step-000000006.png',
      'step-000000009.png',
      'step-000000010.png',
    ]);
    expect(rec.files[0]).toBe(join(dir, 'grids', 'step-000000003.png'));
    expect(g.calls).toHaveLength(4);
    for (const c of g.calls) {
      expect(c.training).toBe(false);
      expect(c.z).toEqual(g.calls[0].z);
    }
    expect(g.calls[0].z).toEqual(Array.from(rec.z!.dataSync()));
    expect(rec.z!.shape).toEqual([6, 4]);
    // z came from a fork: the run's own random stream did not move.
    expect(ctx.random.counter).toBe(0);
    // An unchanged generator gives byte-identical files.
    const bytes = await Promise.all(rec.files.map((f) => readFile(f)));
    expect(bytes[1].equals(bytes[0])).toBe(true);
    expect(bytes[3].equals(bytes[0])).toBe(true);
    // Only the plugin's z is alive, and dispose frees it.
    expect(tf.memory().numTensors).toBe(before + 1);
    rec.dispose!();
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });

  it('draws the generator output: pixels match tanh(z·W) mapped from [-1, 1]', async () => {
    const dir = await tempDir();
    const g = new TinyGenerator(4, 3, 2, 1);
    const ctx = makeContext(g);
    const z = tf.tensor2d([
      [0.5, -1, 2, 0.1],
      [-0.3, 0.2, 0.0, 1.5],
    ]);
    const rec = gridRecorder({ every: 1, dir, z, grid: { padding: 1, cols: 2, background: 0 } });
    z.dispose(); // the plugin keeps its own copy
    await simulate(rec, ctx, 1);
    const W = g.kernel.arraySync() as number[][];
    const zs = [
      [0.5, -1, 2, 0.1],
      [-0.3, 0.2, 0.0, 1.5],
    ];
    const png = PNG.sync.read(await readFile(rec.files[0]));
    expect([png.width, png.height]).toEqual([2 * 2 + 3, 3 + 2]);
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 6; k++) {
        const v = Math.tanh(zs[i].reduce((s, zj, j) => s + zj * W[j][k], 0));
        const byte = Math.round(((v + 1) / 2) * 255);
        const x = 1 + i * 3 + (k % 2);
        const y = 1 + Math.floor(k / 2);
        expect(Math.abs(png.data[(y * png.width + x) * 4] - byte)).toBeLessThanOrEqual(1);
      }
    }
    rec.dispose!();
    g.dispose();
  });

  it('writes a different grid once the generator changes, and at setup with atStart', async () => {
    const dir = await tempDir();
    const g = new TinyGenerator();
    const ctx = makeContext(g);
    const rec = gridRecorder({ every: 2, dir, z: 4, atStart: true, atEnd: false });
    await rec.setup!(ctx);
    expect(rec.written.map((w) => w.step)).toEqual([0]);
    const logs = (s: number) => ({
      step: s,
      discriminatorLoss: 0,
      generatorLoss: 0,
      dReal: 0,
      dFake: 0,
      terms: {},
      metrics: {},
      seconds: 0,
    });
    ctx.step = 1;
    await rec.onStepEnd!(ctx, logs(0));
    ctx.step = 2;
    await rec.onStepEnd!(ctx, logs(1));
    g.kernel.assign(tf.tidy(() => tf.mul(g.kernel, -1)));
    ctx.step = 3;
    await rec.onStepEnd!(ctx, logs(2));
    ctx.step = 4;
    await rec.onStepEnd!(ctx, logs(3));
    await rec.onTrainEnd!(ctx);
    expect(rec.written.map((w) => w.step)).toEqual([0, 2, 4]);
    const [a, b, c] = await Promise.all(rec.files.map((f) => readFile(f)));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    rec.dispose!();
    g.dispose();
  });

  it('passes labels and puts one class per row', async () => {
    const dir = await tempDir();
    const g = new TinyGenerator(4, 2, 2, 1);
    const ctx = makeContext(g);
    const labels = [1, 0, 1, 0];
    const rec = gridRecorder({ every: 1, dir, z: 4, labels, grid: { padding: 0 } });
    await simulate(rec, ctx, 1);
    expect(g.calls[0].labels).toEqual(labels);
    const png = PNG.sync.read(await readFile(rec.files[0]));
    expect([png.width, png.height]).toEqual([4, 4]); // 2 classes × 2 images each
    // Row 0 holds class 0 (images 1 and 3): compare with the model's own output.
    const out = tf.tidy(() => g.apply(rec.z!, { training: false, labels: tf.tensor1d(labels, 'int32') }));
    const v = out.dataSync();
    out.dispose();
    const byte = (x: number) => Math.round(((x + 1) / 2) * 255);
    expect(Math.abs(png.data[0] - byte(v[1 * 4 + 0]))).toBeLessThanOrEqual(1);
    expect(Math.abs(png.data[(2 * 4 + 0) * 4] - byte(v[0 * 4 + 0]))).toBeLessThanOrEqual(1);
    const z3 = tf.zeros([3, 4]);
    const before = tf.memory().numTensors;
    expect(() => gridRecorder({ every: 1, dir, z: z3, labels: [0, 1] })).toThrow(/2 labels for 3 latent points/);
    expect(tf.memory().numTensors).toBe(before);
    z3.dispose();
    rec.dispose!();
    g.dispose();
  });

  it('saves z in its state so a restored recorder draws the same grid', async () => {
    const dir = await tempDir();
    const g = new TinyGenerator();
    const ctx = makeContext(g);
    const a = gridRecorder({ every: 1, dir: join(dir, 'a'), z: 5 });
    await simulate(a, ctx, 1);
    const b = gridRecorder({ every: 1, dir: join(dir, 'b'), z: 5 });
    b.loadState!(a.state!());
    const ctx2 = makeContext(g, 999); // a different run seed would fork different points
    ctx2.step = 1;
    await simulate(b, ctx2, 1);
    expect(b.written.map((w) => w.step)).toEqual([1, 2]);
    expect((await readFile(b.files[1])).equals(await readFile(a.files[0]))).toBe(true);
    a.dispose!();
    b.dispose!();
    g.dispose();
  });

  it('rejects a generator that does not make images, and bad options', async () => {
    const dir = await tempDir();
    const flat: Network = {
      name: 'toy',
      inputShape: [2],
      outputShape: [2],
      trainableVariables: [],
      nonTrainableVariables: [],
      apply: (x) => tf.clone(x),
      dispose: () => undefined,
    };
    const ctx = makeContext(flat);
    const z = tf.zeros([2, 2]);
    const before = tf.memory().numTensors;
    const rec = gridRecorder({ every: 1, dir, z });
    await expect(rec.record(ctx, 1)).rejects.toThrow(/'toy' produced \[2, 2\]/);
    rec.dispose!();
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
    expect(() => gridRecorder({ every: 0, dir })).toThrow(/every/);
    expect(() => gridRecorder({ every: 1, dir, z: 0 })).toThrow(/positive integer count/);
    await expect(gridRecorder({ every: 1, dir, network: 'ema' }).record(ctx)).rejects.toThrow(/no network 'ema'/);
    expect(gridFileName(1000)).toBe('step-000001000.png');
  });
});
