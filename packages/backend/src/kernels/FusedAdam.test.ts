import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FUSED_ADAM_KERNEL, registerCpuFusedAdam } from './FusedAdam';
import { simdFor } from './simd';
import { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray } from './test_util';

const ATTRS = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };

/** tfjs 4.22 Adam's op sequence for one variable (what the kernel fuses). */
function reference(x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, c1: tf.Scalar, c2: tf.Scalar): tf.Tensor[] {
  return tf.tidy(() => {
    const { learningRate, beta1, beta2, epsilon } = ATTRS;
    const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
    const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
    const x1 = tf.add(tf.mul(tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), epsilon)), -learningRate), x);
    return [x1, m1, v1];
  });
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe.each(['wasm', 'cpu'])('%s GankitFusedAdam kernel', (backend) => {
  const initial = tf.getBackend();
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerCpuFusedAdam();
    await tf.setBackend(backend);
  });
  afterEach(async () => {
    await tf.setBackend(backend);
  });

  it('is registered (for wasm among the training kernels)', () => {
    expect(tf.getKernel(FUSED_ADAM_KERNEL, backend)).toBeDefined();
    expect(WASM_TRAINING_KERNELS).toContain(FUSED_ADAM_KERNEL);
    expect(initial).toBe('wasm');
    // On wasm the loop runs in WebAssembly SIMD on the backend's own memory.
    if (backend === 'wasm') expect(simdFor(tf.backend() as Parameters<typeof simdFor>[0])?.adam).toBeTypeOf('function');
  });

  it.each([5000, 4099, 3])(
    'updates m and v in place and writes x to a new buffer, bit for bit as the op sequence, without leaking (%i elements)',
    (n) => {
      const x = tf.tensor1d(randomArray(n, 1));
      const m = tf.mul(tf.tensor1d(randomArray(n, 2)), 0.01);
      const v = tf.square(tf.mul(tf.tensor1d(randomArray(n, 3)), 0.01));
      const g = tf.mul(tf.tensor1d(randomArray(n, 4)), 1e-3);
      const c1 = tf.scalar(0.75);
      const c2 = tf.scalar(0.001999);
      const expected = reference(x, m, v, g, c1, c2).map(bits);
      const before = tf.memory().numTensors;
      const buffers = tf.engine().backend.numDataIds();
      const outs = tf
        .engine()
        .runKernel(FUSED_ADAM_KERNEL, { x, m, v, gradient: g, oneMinusAccBeta1: c1, oneMinusAccBeta2: c2 }, ATTRS) as tf.Tensor[];
      expect(outs.map((o) => o.dataId)).toEqual([outs[0].dataId, m.dataId, v.dataId]);
      expect(outs[0].dataId).not.toBe(x.dataId);
      expect(tf.engine().backend.numDataIds()).toBe(buffers + 1); // x's new buffer only
      expect(outs.map(bits)).toEqual(expected);
      expect([m, v].map(bits)).toEqual(expected.slice(1)); // the moments changed in place
      tf.dispose(outs);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, m, v, g, c1, c2]);
    },
  );

  it('writes a moment whose buffer another tensor shares to a new buffer, leaving that tensor alone', () => {
    const x = tf.tensor2d(randomArray(12, 5), [3, 4]);
    const m = tf.tensor2d(randomArray(12, 7), [3, 4]);
    const keep = tf.clone(m); // same buffer on wasm (gankit's Identity); a copy on cpu
    const shared = tf.engine().backend.refCount(m.dataId) > 1;
    const mBits = bits(m);
    const v = tf.zeros([3, 4]);
    const g = tf.tensor2d(randomArray(12, 6), [3, 4]);
    const c1 = tf.scalar(0.5);
    const c2 = tf.scalar(0.001);
    const expected = reference(x, m, v, g, c1, c2).map(bits);
    expectNoLeak(() => {
      const outs = tf
        .engine()
        .runKernel(FUSED_ADAM_KERNEL, { x, m, v, gradient: g, oneMinusAccBeta1: c1, oneMinusAccBeta2: c2 }, ATTRS) as tf.Tensor[];
      expect(outs[1].dataId === m.dataId).toBe(!shared);
      expect(outs.map(bits)).toEqual(expected);
      tf.dispose(outs);
    });
    expect(bits(keep)).toEqual(mBits);
    tf.dispose([x, keep, m, v, g, c1, c2]);
  });

  it('names a bad input in one line', () => {
    const x = tf.zeros([4]);
    const c = tf.scalar(0.5);
    const run =
      (inputs: tf.NamedTensorMap, attrs: object = ATTRS) =>
      () =>
        tf.engine().runKernel(FUSED_ADAM_KERNEL, inputs, attrs as tf.NamedAttrMap);
    expect(run({ x, m: x, v: x, oneMinusAccBeta1: c, oneMinusAccBeta2: c })).toThrow(/input 'gradient' is missing/);
    const small = tf.zeros([3]);
    expect(run({ x, m: x, v: small, gradient: x, oneMinusAccBeta1: c, oneMinusAccBeta2: c })).toThrow(
      /'v' has shape \[3\], the variable \[4\]/,
    );
    const ints = tf.zeros([4], 'int32');
    expect(run({ x, m: x, v: x, gradient: ints, oneMinusAccBeta1: c, oneMinusAccBeta2: c })).toThrow(
      /'gradient' must be float32, got int32/,
    );
    expect(run({ x, m: x, v: x, gradient: x, oneMinusAccBeta1: c, oneMinusAccBeta2: c }, { beta1: 0.5 })).toThrow(
      /attribute 'learningRate'/,
    );
    tf.dispose([x, c, small, ints]);
  });
});
