import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { pairedDataset } from './paired';

/** 10 pairs: input i is [i] (shape [1]), target i is [i, −i] (shape [2]). */
function pairs(shuffle = true) {
  const n = 10;
  return pairedDataset({
    inputs: Array.from({ length: n }, (_, i) => i),
    inputShape: [1],
    targets: Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k / 2 : -(k - 1) / 2)),
    targetShape: [2],
    shuffle,
    name: 'toy',
  });
}

function read(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

describe('PairedDataset', () => {
  it('serves aligned pairs through two views over one shuffled order, whichever view is drawn first', () => {
    const ds = pairs();
    expect(ds.inputs.name).toBe('toy/inputs');
    expect(ds.targets.sampleShape).toEqual([2]);
    const random = new RandomSource(1);
    const seen: number[] = [];
    for (let step = 0; step < 6; step++) {
      const first = step % 2 === 0 ? ds.inputs : ds.targets;
      const second = step % 2 === 0 ? ds.targets : ds.inputs;
      const a = read(first.nextBatch(4, random).x);
      const b = read(second.nextBatch(4, random).x);
      const [x, y] = step % 2 === 0 ? [a, b] : [b, a];
      x.forEach((v, i) => {
        expect(y[2 * i]).toBe(v);
        expect(y[2 * i + 1]).toBe(-v);
      });
      seen.push(...x);
    }
    // 24 draws over 10 pairs wrap into the third epoch: the first epoch is a permutation of 0..9
    expect([...seen.slice(0, 10)].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen.slice(0, 10)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses a view drawn fewer times than another, or with another batch size, instead of misaligning', () => {
    const ds = pairs(false);
    const random = new RandomSource(2);
    tf.dispose(ds.inputs.nextBatch(3, random).x);
    expect(() => ds.targets.nextBatch(2, random)).toThrow(/toy: the targets were asked for 2 examples but another view drew 3/);
    tf.dispose(ds.targets.nextBatch(3, random).x);
    tf.dispose(ds.inputs.nextBatch(3, random).x);
    tf.dispose(ds.inputs.nextBatch(3, random).x);
    expect(() => ds.targets.nextBatch(3, random)).toThrow(/toy: the targets were drawn fewer times than another view/);
  });

  it('packs each target with its input upsampled by nearest neighbour, aligned with the other views', () => {
    // two pairs: a 1×1 input [k] and a 2×2 target [k, k + 1, k + 2, k + 3], k = 0 and 10
    const ds = pairedDataset({
      inputs: [0, 10],
      inputShape: [1, 1, 1],
      targets: [0, 1, 2, 3, 10, 11, 12, 13],
      targetShape: [2, 2, 1],
      shuffle: false,
      name: 'img',
    });
    expect(ds.packed.sampleShape).toEqual([2, 2, 2]);
    const random = new RandomSource(4);
    const input = read(ds.inputs.nextBatch(1, random).x);
    const packed = read(ds.packed.nextBatch(1, random).x);
    const target = read(ds.targets.nextBatch(1, random).x);
    expect(input).toEqual([0]);
    expect(packed).toEqual([0, 0, 1, 0, 2, 0, 3, 0]);
    expect(target).toEqual([0, 1, 2, 3]);
    expect(read(ds.packed.nextBatch(1, random).x)).toEqual([10, 10, 11, 10, 12, 10, 13, 10]);
    expect(() => pairs().packed).toThrow(/toy: packed pairs need images \[h, w, c\]/);
  });

  it('continues the same order after its state is restored (exact resume)', () => {
    const a = pairs();
    const random = new RandomSource(3);
    for (let i = 0; i < 3; i++) tf.dispose([a.inputs.nextBatch(4, random).x, a.targets.nextBatch(4, random).x]);
    const saved = JSON.parse(JSON.stringify(a.inputs.state?.()));
    const saveRandom = random.state();
    const next = read(a.inputs.nextBatch(4, random).x);
    tf.dispose(a.targets.nextBatch(4, random).x);
    const b = pairs();
    b.targets.loadState?.(saved);
    const r2 = new RandomSource(0);
    r2.loadState(saveRandom);
    expect(read(b.inputs.nextBatch(4, r2).x)).toEqual(next);
  });

  it('gives pairs by index and refuses mismatched counts, in one line', () => {
    const ds = pairs(false);
    const { input, target } = ds.batchAt([3, 7]);
    expect(read(input)).toEqual([3, 7]);
    expect(read(target)).toEqual([3, -3, 7, -7]);
    expect(() => pairedDataset({ inputs: [1, 2, 3], inputShape: [1], targets: [1, 2, 3, 4], targetShape: [2], name: 'bad' })).toThrow(
      /bad: 3 inputs but 2 targets; every input needs exactly one target/,
    );
    expect(() => pairedDataset({ inputs: [1, 2, 3], inputShape: [2], targets: [1], targetShape: [1] })).toThrow(
      /inputs hold 3 values, not a whole number of examples of 2/,
    );
    expect(() => ds.batchAt([10])).toThrow(/index 10 is out of range \[0, 10\)/);
  });
});
