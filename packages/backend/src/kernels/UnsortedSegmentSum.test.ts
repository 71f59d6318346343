import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray, relativeError, runOn } from './test_util';

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(() => {
    ensureGradients();
    registerWasmTrainingKernels();
  });

  const cases: { x: number[]; ids: number[]; n: number }[] = [
    { x: [6, 3], ids: [0, 2, 2, 1, 0, 2], n: 4 },
    { x: [5], ids: [1, 1, 0, 3, 1], n: 4 },
    { x: [2, 3, 2, 5], ids: [0, 1, 1, 4, 2, 0], n: 5 },
    { x: [4, 2], ids: [-1, 0, 7, 0], n: 3 }, // out-of-range ids are dropped
  ];
  cases.forEach((c, i) => {
    it(`matches cpu and a direct sum: x ${c.x}, ids ${c.ids}, ${c.n} segments`, async () => {
      const idsShape = c.x.length === 4 ? [2, 3] : [c.ids.length];
      const size = c.x.reduce((a, b) => a * b, 1);
      const inputs = {
        x: { values: randomArray(size, 40 + i), shape: c.x },
        segmentIds: {
          values: Int32Array.from(c.ids),
          shape: idsShape,
          dtype: 'int32' as const,
        },
      };
      const got = await runOn('wasm', 'UnsortedSegmentSum', inputs, {
        numSegments: c.n,
      });
      const rest = size / c.ids.length;
      const direct = new Float32Array(c.n * rest);
      c.ids.forEach((id, j) => {
        if (id < 0 || id >= c.n) return;
        for (let r = 0; r < rest; r++) direct[id * rest + r] += inputs.x.values[j * rest + r];
      });
      expect(got.shape).toEqual([c.n, ...c.x.slice(idsShape.length)]);
      expect(relativeError(got.values, direct)).toBeLessThan(1e-6);
      // tfjs's op and cpu kernel take 1-D ids only; the direct sum covers the rest.
      if (idsShape.length === 1 && c.ids.every((id) => id >= 0 && id < c.n)) {
        const want = await runOn('cpu', 'UnsortedSegmentSum', inputs, {
          numSegments: c.n,
        });
        expect(relativeError(got.values, want.values)).toBeLessThan(1e-6);
      }
    });
  });

  it('gives the gradient of an embedding lookup (tf.gather) and does not leak', () => {
    const table = tf.tensor2d(randomArray(10 * 4, 3), [10, 4]);
    const labels = tf.tensor1d([3, 1, 3, 9, 3], 'int32');
    const weights = tf.tensor2d(randomArray(5 * 4, 4), [5, 4]);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, labels), weights));
    let grad: Float32Array = new Float32Array(0);
    expectNoLeak(() => {
      const g = tf.grad(f)(table);
      grad = g.dataSync() as Float32Array;
      g.dispose();
    });
    const w = weights.dataSync();
    const want = new Float32Array(40);
    [3, 1, 3, 9, 3].forEach((row, j) => {
      for (let k = 0; k < 4; k++) want[row * 4 + k] += w[j * 4 + k];
    });
    expect(relativeError(grad, want)).toBeLessThan(1e-6);
    tf.dispose([table, labels, weights]);
  });
});
