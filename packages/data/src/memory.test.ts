import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { minusOneOneToBytes, scaleToMinusOneOne, tensorDataset } from './memory';

/** A data set whose example i is the 2x3 block filled with value i, labelled i % 3. */
function numbered(n: number, shuffle = true) {
  const x = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) x.fill(i, i * 6, (i + 1) * 6);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  return tensorDataset({ x, shape: [2, 3], labels, name: 'numbered', shuffle });
}

/** The example ids of a batch of `numbered` (every value of an example equals its id). */
function ids(x: tf.Tensor): number[] {
  const v = x.dataSync();
  const out: number[] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    for (let j = 1; j < 6; j++) expect(v[i * 6 + j]).toBe(v[i * 6]);
    out.push(v[i * 6]);
  }
  return out;
}

function draw(ds: ReturnType<typeof numbered>, batch: number, rng: RandomSource) {
  const b = ds.nextBatch(batch, rng);
  const got = ids(b.x);
  const labels = Array.from(b.labels!.dataSync());
  expect(labels).toEqual(got.map((i) => i % 3));
  tf.dispose([b.x, b.labels!]);
  return got;
}

describe('scaleToMinusOneOne', () => {
  it('maps [0, 255], [0, 1] and explicit ranges linearly onto [-1, 1]', () => {
    expect(Array.from(scaleToMinusOneOne(new Uint8Array([0, 51, 255])))).toEqual([-1, Math.fround(51 / 127.5 - 1), 1]);
    expect(Array.from(scaleToMinusOneOne([0, 0.25, 1], 'unit'))).toEqual([-1, -0.5, 1]);
    expect(Array.from(scaleToMinusOneOne([10, 15, 20], [10, 20]))).toEqual([-1, 0, 1]);
    expect(() => scaleToMinusOneOne([1], [2, 2])).toThrow(/min < max, got \[2,2\]/);
  });

  it('scales tensors without leaking and round-trips through bytes', () => {
    const t = tf.tensor1d([0, 127.5, 255]);
    const before = tf.memory().numTensors;
    const s = scaleToMinusOneOne(t);
    expect(tf.memory().numTensors - before).toBe(1);
    expect(Array.from(s.dataSync())).toEqual([-1, 0, 1]);
    tf.dispose([t, s]);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(minusOneOneToBytes(scaleToMinusOneOne(bytes)))).toEqual(Array.from(bytes));
  });
});

describe('InMemoryDataset', () => {
  it('serves every example exactly once per epoch, in a different order each epoch', () => {
    const ds = numbered(10);
    expect(ds.size).toBe(10);
    expect(ds.sampleShape).toEqual([2, 3]);
    expect(ds.numClasses).toBe(3);
    const rng = new RandomSource(1);
    const e0 = [...draw(ds, 4, rng), ...draw(ds, 4, rng)];
    const wrap = draw(ds, 4, rng); // 2 from epoch 0, 2 from epoch 1
    expect(ds.epoch).toBe(1);
    e0.push(...wrap.slice(0, 2));
    expect([...e0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const e1 = [...wrap.slice(2), ...draw(ds, 4, rng), ...draw(ds, 4, rng)];
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e0);
    expect(ds.state()).toMatchObject({ epoch: 1, position: 10 });
  });

  it('follows RandomSource.permutation of a seed drawn from the given source', () => {
    const ds = numbered(7);
    const rng = new RandomSource(5);
    const got = draw(ds, 7, rng);
    const seed = ds.state().seed!;
    expect(Array.from(new RandomSource(seed).permutation(7))).toEqual(got);
    expect(rng.counter).toBe(1);
  });

  it('keeps the natural order without shuffling', () => {
    const ds = numbered(5, false);
    const rng = new RandomSource(2);
    expect(draw(ds, 3, rng)).toEqual([0, 1, 2]);
    expect(draw(ds, 3, rng)).toEqual([3, 4, 0]);
    expect(ds.state()).toEqual({ epoch: 1, position: 1, seed: null });
    expect(rng.counter).toBe(0);
  });

  it('continues with the exact same order after state()/loadState()', () => {
    const a = numbered(13);
    const rngA = new RandomSource(9);
    draw(a, 5, rngA);
    draw(a, 5, rngA);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const savedRng = rngA.state();
    const expected = [draw(a, 5, rngA), draw(a, 5, rngA), draw(a, 5, rngA), draw(a, 5, rngA)];

    const b = numbered(13);
    const rngB = new RandomSource(0);
    rngB.loadState(savedRng);
    b.loadState(saved);
    const got = [draw(b, 5, rngB), draw(b, 5, rngB), draw(b, 5, rngB), draw(b, 5, rngB)];
    expect(got).toEqual(expected);
    expect(b.state()).toEqual(a.state());
  });

  it('rejects a malformed state naming it', () => {
    const ds = numbered(4);
    expect(() => ds.loadState({ epoch: 0, position: 9, seed: 3 })).toThrow(/position \(0\.\.4\).*"position":9/);
    expect(() => ds.loadState({ epoch: 0, position: 2, seed: null })).toThrow(/needs the permutation seed/);
    expect(() => ds.loadState('nope')).toThrow(GankitError);
  });

  it('takes the example shape from a tensor, copies its values and leaves it alive', () => {
    const t = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const ds = tensorDataset({ x: t, labels: tf.tensor1d([1, 0], 'int32'), numClasses: 4 });
    expect(ds.sampleShape).toEqual([2, 2]);
    expect(ds.size).toBe(2);
    expect(ds.numClasses).toBe(4);
    expect(t.isDisposed).toBe(false);
    const b = ds.batchAt([1, 0, 1]);
    expect(b.x.shape).toEqual([3, 2, 2]);
    expect(Array.from(b.x.dataSync())).toEqual([5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(b.labels!.dataSync())).toEqual([0, 1, 0]);
    tf.dispose([t, b.x, b.labels!]);
  });

  it('scales on request', () => {
    const ds = tensorDataset({ x: new Uint8Array([0, 255, 255, 0]), shape: [2], scale: 'byte', shuffle: false });
    const { x, labels } = ds.nextBatch(2, new RandomSource(1));
    expect(labels).toBeUndefined();
    expect(Array.from(x.dataSync())).toEqual([-1, 1, 1, -1]);
    x.dispose();
  });

  it('makes exactly the returned tensors', () => {
    const ds = numbered(20);
    const rng = new RandomSource(3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const b = ds.nextBatch(7, rng);
      expect(tf.memory().numTensors - before).toBe(2);
      tf.dispose([b.x, b.labels!]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives clear errors for empty data, oversize batches and bad labels', () => {
    expect(() => tensorDataset({ x: new Float32Array(0), shape: [2] })).toThrow(/empty/);
    expect(() => tensorDataset({ x: new Float32Array(5), shape: [2] })).toThrow(/5 values, not a multiple of the example shape \[2\]/);
    expect(() => tensorDataset({ x: [1, 2] })).toThrow(/shape.*required/);
    expect(() => tensorDataset({ x: [1, NaN], shape: [1] })).toThrow(/non-finite value \(NaN\) in example 1/);
    expect(() => numbered(4).nextBatch(5, new RandomSource(1))).toThrow(/batch size 5 is larger than the data set \(4 examples\)/);
    expect(() => tensorDataset({ x: [1, 2, 3], shape: [1], labels: [0, 1] })).toThrow(/got 2 labels for 3 examples/);
    expect(() => tensorDataset({ x: [1, 2], shape: [1], labels: [0, 3], numClasses: 3 })).toThrow(/label 1 is 3, outside \[0, 3\)/);
    expect(() => tensorDataset({ x: [1, 2], shape: [1], labels: [0, -1] })).toThrow(/label 1 is -1/);
    expect(() => tensorDataset({ x: [1, 2], shape: [1], labels: [0, 0.5] })).toThrow(/label 1 is 0.5/);
    expect(() => tensorDataset({ x: [1, 2], shape: [1], numClasses: 2 })).toThrow(/no labels/);
    expect(() => numbered(4).batchAt([4])).toThrow(/index 4 is out of range \[0, 4\)/);
  });
});
