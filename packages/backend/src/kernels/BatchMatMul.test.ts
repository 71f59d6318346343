import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { planBatchMatMul } from './BatchMatMul';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray, relativeError, runOn } from './test_util';

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const cases: Case[] = [
  { a: [6, 5], b: [6, 7], transposeA: true, transposeB: false }, // a weight gradient, zᵀ·dy
  { a: [5, 6], b: [7, 6], transposeA: false, transposeB: true },
  { a: [6, 5], b: [7, 6], transposeA: true, transposeB: true },
  { a: [4, 1], b: [9, 1], transposeA: false, transposeB: true }, // dy·Wᵀ with a one-column W: reshapes
  { a: [1, 8], b: [1, 3], transposeA: true, transposeB: false },
  { a: [40, 3], b: [40, 1], transposeA: true, transposeB: false }, // matrix-vector: built-in loop
  { a: [2, 3, 6, 5], b: [2, 3, 6, 4], transposeA: true, transposeB: false }, // batched
  { a: [3, 4, 5], b: [1, 6, 5], transposeA: false, transposeB: true }, // broadcast batch
  { a: [5, 6], b: [6, 7], transposeA: false, transposeB: false },
];

describe('BatchMatMul on wasm', () => {
  beforeAll(() => {
    ensureGradients();
    registerWasmTrainingKernels();
  });

  it('plans: no copy for untransposed or cheap products, reshapes for a size-1 axis, transposes when it pays', () => {
    const p = (aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) =>
      planBatchMatMul({ aShape, bShape, transposeA, transposeB });
    expect(p([64, 100], [100, 6272], false, false)).toBeNull();
    expect(p([64, 100], [64, 6272], true, false)).toEqual({ a: 'transpose', b: 'keep' });
    expect(p([64, 1], [6272, 1], false, true)).toEqual({ a: 'keep', b: 'reshape' });
    expect(p([64, 6272], [64, 1], true, false)).toBeNull(); // 401k multiply-adds, 401k copied
    expect(p([1, 64], [6272, 64], false, true)).toBeNull();
    expect(p([512, 512], [512, 512], true, true)).toEqual({ a: 'transpose', b: 'transpose' });
  });

  cases.forEach((c, i) => {
    it(`matches cpu: a ${c.a}${c.transposeA ? 'ᵀ' : ''} · b ${c.b}${c.transposeB ? 'ᵀ' : ''}`, async () => {
      const inputs = {
        a: {
          values: randomArray(
            c.a.reduce((x, y) => x * y),
            10 + i,
          ),
          shape: c.a,
        },
        b: {
          values: randomArray(
            c.b.reduce((x, y) => x * y),
            50 + i,
          ),
          shape: c.b,
        },
      };
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      const want = await runOn('cpu', 'BatchMatMul', inputs, attrs);
      const got = await runOn('wasm', 'BatchMatMul', inputs, attrs);
      expect(got.shape).toEqual(want.shape);
      expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
    });
  });

  it('gives a dense layer the gradients cpu gives, and does not leak', async () => {
    const xv = randomArray(16 * 10, 1);
    const wv = randomArray(10 * 24, 2);
    const run = () => {
      const x = tf.tensor2d(xv, [16, 10]);
      const w = tf.tensor2d(wv, [10, 24]);
      const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D)));
      let out: Float32Array[] = [];
      expectNoLeak(() => {
        const [gx, gw] = tf.grads(f)([x, w]);
        out = [gx, gw].map((t) => t.dataSync() as Float32Array);
        tf.dispose([gx, gw]);
      });
      tf.dispose([x, w]);
      return out;
    };
    const got = run();
    await tf.setBackend('cpu');
    const want = run();
    await tf.setBackend('wasm');
    for (let k = 0; k < 2; k++) expect(relativeError(got[k], want[k])).toBeLessThan(1e-5);
  });

  it('multiplies by one buffer seen as two shapes (reshape, clone) correctly: XNNPACK caches by buffer', async () => {
    // tfjs 4.22's wasm kernel caches XNNPACK's packed right operand under the buffer id alone.
    const wv = randomArray(24, 3);
    const xv = randomArray(5 * 6, 4);
    const yv = randomArray(5 * 4, 5);
    const run = () => {
      const w = tf.tensor2d(wv, [6, 4]);
      const x = tf.tensor2d(xv, [5, 6]);
      const y = tf.tensor2d(yv, [5, 4]);
      const out = [
        tf.matMul(x, w), // w packed as [6, 4]
        tf.matMul(y, tf.reshape(w, [4, 6])), // the same buffer as [4, 6]
        tf.matMul(y, tf.reshape(tf.clone(w), [4, 6])),
        tf.matMul(x, w, false, false),
        tf.matMul(y, w, false, true), // wᵀ, copied by a transpose
        tf.matMul(tf.slice(x, [0, 0], [2, 1]), tf.reshape(w, [24, 1]), false, true), // a free reshape
      ];
      const values = out.map((t) => t.dataSync().slice());
      tf.dispose([w, x, y, ...out]);
      return values;
    };
    const got = run();
    await tf.setBackend('cpu');
    const want = run();
    await tf.setBackend('wasm');
    for (let k = 0; k < want.length; k++) expect(relativeError(got[k], want[k])).toBeLessThan(1e-5);
  });

  it('calls the built-in kernel, which still works after a backend switch (its setupFunc is kept)', async () => {
    const builtin = (() => {
      unregisterWasmTrainingKernels();
      const k = tf.getKernel('BatchMatMul', 'wasm');
      registerWasmTrainingKernels();
      return k;
    })();
    const ours = tf.getKernel('BatchMatMul', 'wasm');
    expect(ours?.kernelFunc).not.toBe(builtin?.kernelFunc);
    expect(ours?.setupFunc).toBe(builtin?.setupFunc);
    await tf.setBackend('cpu');
    await tf.setBackend('wasm'); // re-runs every setupFunc
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const b = tf.tensor2d([1, 0, 2, 1, 1, 1], [3, 2]);
    const y = tf.matMul(a, b, true, false); // [[1·1+3·2+5·1, 1·0+3·1+5·1], [2·1+4·2+6·1, 2·0+4·1+6·1]]
    expect(Array.from(await y.data())).toEqual([12, 8, 16, 10]);
    tf.dispose([a, b, y]);
  });
});
