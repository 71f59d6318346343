import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { leadingReduction } from './Reduce';
import { registerWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray, relativeError, runOn } from './test_util';

const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [8, 5, 5, 6], axis: [0, 1, 2], keepDims: false }, // conv bias gradient
  { shape: [8, 5, 5, 6], axis: [2, 0, 1], keepDims: true }, // batch-norm moments
  { shape: [16, 30], axis: 0, keepDims: false },
  { shape: [4, 3, 7], axis: [0, 1], keepDims: true },
  { shape: [4, 3, 7], axis: [1, 2], keepDims: false }, // innermost: the built-in kernel
  { shape: [4, 3, 7], axis: [0, 2], keepDims: false }, // mixed: the built-in kernel
  { shape: [1, 3, 7], axis: 0, keepDims: false }, // one row: the built-in kernel
  { shape: [5, 6], axis: -2, keepDims: false },
];

describe('Sum and Mean on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it('recognises reductions over leading axes only', () => {
    expect(leadingReduction([64, 14, 14, 64], [0, 1, 2])).toEqual({ axes: 3, outer: 12544, inner: 64 });
    expect(leadingReduction([64, 6272], 0)).toEqual({ axes: 1, outer: 64, inner: 6272 });
    expect(leadingReduction([64, 6272], [0, 1])).toBeNull();
    expect(leadingReduction([64, 6272], 1)).toBeNull();
    expect(leadingReduction([4, 3, 7], [0, 2])).toBeNull();
    expect(leadingReduction([1, 3, 7], 0)).toBeNull();
  });

  for (const kernel of ['Sum', 'Mean']) {
    cases.forEach((c, i) => {
      it(`${kernel} matches cpu and a direct sum: shape ${c.shape} axis ${c.axis} keepDims ${c.keepDims}`, async () => {
        const size = c.shape.reduce((a, b) => a * b);
        const values = randomArray(size, 20 + i);
        const inputs = { x: { values, shape: c.shape } };
        const attrs = { axis: c.axis, keepDims: c.keepDims };
        const want = await runOn('cpu', kernel, inputs, attrs);
        const got = await runOn('wasm', kernel, inputs, attrs);
        expect(got.shape).toEqual(want.shape);
        expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
      });
    });
  }

  it('sums over leading axes exactly like a direct loop, int32 too, without leaking', () => {
    const x = tf.tensor3d(randomArray(6 * 4 * 3, 3), [6, 4, 3]);
    const xs = x.dataSync();
    const direct = new Float32Array(3);
    for (let i = 0; i < 24; i++) for (let c = 0; c < 3; c++) direct[c] += xs[i * 3 + c];
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    expectNoLeak(() => {
      const s = tf.sum(x, [0, 1]);
      const m = tf.mean(x, [1, 0], true);
      const si = tf.sum(ints, 0);
      expect(relativeError(s.dataSync(), direct)).toBeLessThan(1e-6);
      expect(m.shape).toEqual([1, 1, 3]);
      expect(
        relativeError(
          m.dataSync(),
          direct.map((v) => v / 24),
        ),
      ).toBeLessThan(1e-6);
      expect(si.dtype).toBe('int32');
      expect(Array.from(si.dataSync())).toEqual([9, 12]);
      tf.dispose([s, m, si]);
    });
    tf.dispose([x, ints]);
  });
});
