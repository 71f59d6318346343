import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register';
import { simdFor } from './simd';
import { expectNoLeak, randomArray } from './test_util';

const bitsOf = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

/** `where(c, t, e)` with gankit's kernels and with tfjs's built-in ones. */
function both(c: tf.Tensor, t: tf.Tensor, e: tf.Tensor): [number[], number[]] {
  const ours = tf.where(c, t, e);
  unregisterWasmTrainingKernels();
  const builtin = tf.where(c, t, e);
  registerWasmTrainingKernels();
  const out: [number[], number[]] = [bitsOf(ours), bitsOf(builtin)];
  tf.dispose([ours, builtin]);
  return out;
}

describe('Select on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it.each([[[64, 14, 14, 64]], [[4099]], [[3, 1031]]])("gives the built-in kernel's bits for %j, without leaking", (shape) => {
    expect(simdFor(tf.backend() as Parameters<typeof simdFor>[0])?.select).toBeTypeOf('function');
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(randomArray(size, 11), shape);
    const c = tf.greater(x, 0);
    const t = tf.tensor(randomArray(size, 12), shape);
    const e = tf.mul(t, tf.scalar(Number.NaN)); // NaNs where the condition is false
    const [a, b] = both(c, t, e);
    expect(a.length).toBe(size);
    expect(a.filter((v, i) => v !== b[i]).length).toBe(0); // a count: a diff of 800k values is too big to print
    // Both branches were taken (the comparison is not of one copy).
    const cs = c.dataSync();
    expect(cs.some((v) => v === 1) && cs.some((v) => v === 0)).toBe(true);
    expectNoLeak(() => tf.where(c, t, e).dispose());
    tf.dispose([x, c, t, e]);
  });

  it('leaves small and int32 selects to the built-in kernel, with its results', () => {
    const c = tf.tensor1d([true, false], 'bool');
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const e = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    expect(Array.from(tf.where(c, t, e).dataSync())).toEqual([1, 6, 3, 8]); // c broadcast over rows
    const ci = tf.tensor1d(
      Array.from({ length: 2048 }, (_, i) => i % 3 === 0),
      'bool',
    );
    const ti = tf.range(0, 2048, 1, 'int32');
    const ei = tf.neg(ti);
    expect(Array.from(tf.where(ci, ti, ei).dataSync().slice(0, 4))).toEqual([0, -1, -2, 3]);
    tf.dispose([c, t, e, ci, ti, ei]);
  });
});
