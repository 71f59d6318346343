import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray, runOn } from './test_util';

const specials = [NaN, 0, -0, 1, -1, Infinity, -Infinity, 1e-45, -1e-45, 0.25, 0.2500001, 3.4e38];

describe('Greater on wasm', () => {
  beforeAll(() => {
    ensureGradients();
    registerWasmTrainingKernels();
  });

  for (const c of [0, 0.25, -1, Infinity, -Infinity, NaN]) {
    it(`matches cpu for a tensor against the scalar ${c}, special values included`, async () => {
      const values = randomArray(2048, 7);
      values.set(specials);
      const inputs = {
        a: { values, shape: [2, 32, 32] },
        b: { values: Float32Array.of(c), shape: [] },
      };
      const want = await runOn('cpu', 'Greater', inputs, {});
      const got = await runOn('wasm', 'Greater', inputs, {});
      expect(got.shape).toEqual([2, 32, 32]);
      expect(Array.from(got.values)).toEqual(Array.from(want.values));
      for (let i = 0; i < specials.length; i++) expect(got.values[i]).toBe(values[i] > c ? 1 : 0);
    });
  }

  it('leaves other comparisons to the built-in kernel (tensor against tensor, int32, small)', () => {
    const a = tf.tensor1d([1, 5, 3], 'int32');
    const b = tf.tensor1d([2, 2, 3], 'int32');
    const y = tf.greater(a, b);
    expect(Array.from(y.dataSync())).toEqual([0, 1, 0]);
    const z = tf.greater(tf.scalar(2), tf.tensor1d([1, 3]));
    expect(Array.from(z.dataSync())).toEqual([1, 0]);
    tf.dispose([a, b, y, z]);
  });

  it("gives leaky ReLU's gradient, and does not leak", () => {
    const x = tf.tensor1d(Float32Array.from({ length: 4096 }, (_, i) => (i % 7) - 3));
    expectNoLeak(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.leakyRelu(t, 0.2)))(x);
      const gv = g.dataSync();
      for (let i = 0; i < 4096; i++) expect(gv[i]).toBeCloseTo((i % 7) - 3 > 0 ? 1 : 0.2, 6);
      g.dispose();
    });
    x.dispose();
  });
});
