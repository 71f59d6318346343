import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  WASM_TRAINING_KERNELS,
  registerWasmTrainingKernels,
  registeredWasmTrainingKernels,
  unregisterWasmTrainingKernels,
} from './register';

describe('registerWasmTrainingKernels', () => {
  it('registers, is idempotent, and unregistering restores the built-in kernels', async () => {
    unregisterWasmTrainingKernels();
    const builtin = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const builtinMatMul = tf.getKernel('BatchMatMul', 'wasm');
    expect(builtin).toBeDefined();
    expect(builtinMatMul?.setupFunc).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(registeredWasmTrainingKernels()).toEqual([]);

    expect(registerWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    expect(registerWasmTrainingKernels()).toEqual([]);
    expect(registeredWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).not.toBe(builtin?.kernelFunc);
    // Wrappers of built-in kernels keep the built-in setupFunc (it binds the wasm function they call).
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(builtinMatMul?.kernelFunc);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.setupFunc).toBe(builtinMatMul?.setupFunc);

    expect(unregisterWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(builtin?.kernelFunc);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(builtinMatMul);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    // The restored built-in kernel still runs.
    const y = tf.conv2dTranspose(tf.ones([1, 2, 2, 1]) as tf.Tensor4D, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, [1, 4, 4, 1], 2, 'same');
    expect(Array.from(await y.data())).toEqual(new Array(16).fill(1));
    y.dispose();
    registerWasmTrainingKernels();
  });
});
