import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray } from './test_util';

/** Float32 values of every kind: subnormal, ±0, ±infinity, the largest, quiet NaNs with and without the sign bit (a signalling NaN, which no arithmetic makes, comes out quieted from the built-in kernel and as is from gankit's). */
function specials(): Float32Array {
  const bits = [
    0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7f7fffff, 0xff7fffff, 0x7fc00000,
    0xffc00001,
  ];
  return new Float32Array(new Uint32Array(bits).buffer);
}

const bitsOf = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe('LeakyRelu on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it.each([
    [[64, 14, 14, 64], 0.2],
    [[4099], 0.01],
    [[7, 150], 0.3],
  ])("gives the built-in kernel's bits for %j, alpha %f (specials included), without leaking", (shape, alpha) => {
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    const values = randomArray(size, size);
    values.set(specials(), 5);
    values.set(specials(), size - specials().length); // in the scalar tail too
    const x = tf.tensor(values, shape as number[]);
    const ours = tf.leakyRelu(x, alpha as number);
    unregisterWasmTrainingKernels();
    const builtin = tf.leakyRelu(x, alpha as number);
    registerWasmTrainingKernels();
    const a = bitsOf(ours);
    const b = bitsOf(builtin);
    expect(a.filter((v, i) => v !== b[i]).length).toBe(0); // a count: a diff of 800k values is too big to print
    expect(a.length).toBe(size);
    expect(ours.shape).toEqual(shape);
    expectNoLeak(() => tf.leakyRelu(x, alpha as number).dispose());
    tf.dispose([x, ours, builtin]);
  });

  it('leaves small and int32 inputs to the built-in kernel, with its results', () => {
    const x = tf.tensor1d([-2, -0.5, 0, 3]);
    expect(Array.from(tf.leakyRelu(x, 0.5).dataSync())).toEqual([-1, -0.25, 0, 3]);
    const ints = tf.tensor1d([-4, 0, 5], 'int32');
    const y = tf.leakyRelu(ints, 0.5);
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual([-2, 0, 5]);
    tf.dispose([x, ints, y]);
  });

  it('keeps the gradient: leaky ReLU trains as before', () => {
    ensureGradients();
    const x = tf.tensor(randomArray(2048, 3), [2, 1024]);
    const g = tf.grad((t) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), t)))(x);
    unregisterWasmTrainingKernels();
    const gBuiltin = tf.grad((t) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), t)))(x);
    registerWasmTrainingKernels();
    expect(bitsOf(g)).toEqual(bitsOf(gBuiltin));
    tf.dispose([x, g, gBuiltin]);
  });
});
