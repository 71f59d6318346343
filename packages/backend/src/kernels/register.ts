import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum';

/** The kernels {@link registerWasmTrainingKernels} installs for the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = [
  conv2DBackpropFilterConfig.kernelName,
  conv2DBackpropInputConfig.kernelName,
  unsortedSegmentSumConfig.kernelName,
];

const CONFIGS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** Built-in wasm kernels that ours replaced, restored by {@link unregisterWasmTrainingKernels}. */
const replaced = new Map<string, tf.KernelConfig>();

function isOurs(config: tf.KernelConfig): boolean {
  return tf.getKernel(config.kernelName, 'wasm')?.kernelFunc === config.kernelFunc;
}

/**
 * Registers the training kernels that tfjs's wasm backend lacks or runs slowly, for backend name
 * `'wasm'`: `Conv2DBackpropFilter` (missing: conv2d's filter gradient), `Conv2DBackpropInput`
 * (the built-in one is ~10x slower than a conv2d of the same work; it is the forward pass of
 * `conv2dTranspose`), and `UnsortedSegmentSum` (missing: the gradient of `tf.gather`, i.e. of
 * embeddings). Each is built from fast wasm ops. Idempotent; {@link initBackend} calls it when it
 * picks wasm. Registering does not need the wasm backend to be loaded yet.
 *
 * @returns the names of the kernels this call registered (empty when they were in place already)
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of CONFIGS) {
    if (isOurs(config)) continue;
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing != null) {
      if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}

/**
 * Removes the kernels {@link registerWasmTrainingKernels} added and puts back the built-in wasm
 * kernels they replaced (for benchmarks and comparisons).
 *
 * @returns the names of the kernels this call removed
 */
export function unregisterWasmTrainingKernels(): string[] {
  const removed: string[] = [];
  for (const config of CONFIGS) {
    if (!isOurs(config)) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    const original = replaced.get(config.kernelName);
    if (original != null) {
      tf.registerKernel(original);
      // A built-in kernel registered after the backend started still needs its wasm setup.
      const wasm = tf.findBackend('wasm');
      if (wasm != null && original.setupFunc != null) original.setupFunc(wasm);
    }
    removed.push(config.kernelName);
  }
  return removed;
}

/**
 * The gankit training kernels that are registered for wasm right now.
 *
 * @returns kernel names, in the order of {@link WASM_TRAINING_KERNELS}
 */
export function registeredWasmTrainingKernels(): string[] {
  return CONFIGS.filter(isOurs).map((c) => c.kernelName);
}
