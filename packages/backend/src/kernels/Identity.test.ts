import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';
import { expectNoLeak } from './test_util';

describe('Identity on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it('shares the buffer: a clone outlives its source, and neither frees the other', () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const backend = tf.engine().backend;
    const buffers = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(buffers); // no new wasm buffer
    expect(y.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(backend.numDataIds()).toBe(buffers - 1);
  });

  it('keeps variables independent: assigning a variable leaves its clone as it was', () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([v, snapshot]);
  });

  it('handles int32, bool and string tensors, and does not leak', () => {
    expectNoLeak(() => {
      for (const t of [tf.tensor1d([1, -2], 'int32'), tf.tensor1d([1, 0], 'bool'), tf.tensor1d(['a', 'bc'])]) {
        const c = tf.clone(t);
        expect(c.dtype).toBe(t.dtype);
        expect(c.shape).toEqual(t.shape);
        expect(Array.from(c.dataSync() as ArrayLike<unknown>)).toEqual(Array.from(t.dataSync() as ArrayLike<unknown>));
        tf.dispose([t, c]);
      }
    });
  });
});
