import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { fusedAdamWasmConfig } from './FusedAdam';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum';
import { batchMatMulConfigFrom } from './BatchMatMul';
import { greaterConfigFrom } from './Greater';
import { identityConfigFrom } from './Identity';
import { leakyReluConfigFrom } from './LeakyRelu';
import { meanConfigFrom, sumConfigFrom } from './Reduce';
import { selectConfigFrom } from './Select';

/**
 * A kernel gankit installs for wasm: a fixed config, or one built around tfjs's own wasm kernel
 * (`original`), which it calls for the cases it does not speed up and whose `setupFunc` it keeps.
 */
interface Entry {
  readonly kernelName: string;
  build(original: tf.KernelConfig | undefined): tf.KernelConfig | undefined;
}

const fixed = (config: tf.KernelConfig): Entry => ({ kernelName: config.kernelName, build: () => config });
const wrapping = (kernelName: string, from: (original: tf.KernelConfig) => tf.KernelConfig): Entry => ({
  kernelName,
  build: (original) => (original == null ? undefined : from(original)),
});

const ENTRIES: readonly Entry[] = [
  fixed(conv2DBackpropFilterConfig),
  fixed(conv2DBackpropInputConfig),
  fixed(unsortedSegmentSumConfig),
  wrapping(tf.BatchMatMul, batchMatMulConfigFrom),
  wrapping(tf.Identity, identityConfigFrom),
  wrapping(tf.Sum, sumConfigFrom),
  wrapping(tf.Mean, meanConfigFrom),
  wrapping(tf.Greater, greaterConfigFrom),
  wrapping(tf.LeakyRelu, leakyReluConfigFrom),
  wrapping(tf.Select, selectConfigFrom),
  fixed(fusedAdamWasmConfig),
];

/** The kernels {@link registerWasmTrainingKernels} installs for the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = ENTRIES.map((e) => e.kernelName);

/**
 * Marks a registered gankit kernel config with the kernel it replaced (`null` when none). A
 * global symbol, so that two copies of this module (a bundle and its source in tests, or two
 * installs) recognise each other's kernels: each wraps and restores tfjs's built-in kernel, never
 * another copy's wrapper.
 */
const REPLACED = Symbol.for('@gankit/backend:replaced');
type Marked = tf.KernelConfig & { [REPLACED]?: tf.KernelConfig | null | undefined };

/** This module's config per kernel name and the built-in kernel it wraps (so it stays one object). */
const ours = new Map<string, { config: Marked; base: tf.KernelConfig | undefined }>();

function current(kernelName: string): Marked | undefined {
  return tf.getKernel(kernelName, 'wasm') as Marked | undefined;
}

function isGankit(config: Marked | undefined): boolean {
  return config != null && Object.hasOwn(config, REPLACED);
}

function isOurs(kernelName: string): boolean {
  const built = ours.get(kernelName);
  return built != null && current(kernelName)?.kernelFunc === built.config.kernelFunc;
}

/**
 * Registers the training kernels that tfjs's wasm backend lacks or runs slowly, for backend name
 * `'wasm'`: `Conv2DBackpropFilter` (missing: conv2d's filter gradient), `Conv2DBackpropInput`
 * (the built-in one is ~10x slower than a conv2d of the same work; it is the forward pass of
 * `conv2dTranspose`), and `UnsortedSegmentSum` (missing: the gradient of `tf.gather`, i.e. of
 * embeddings), each built from fast wasm ops; and, around tfjs's own wasm kernels (which they call
 * for the cases they leave alone), `BatchMatMul` (transposed products, e.g. every dense weight
 * gradient, 5-25x faster), `Identity` (shares its input's buffer instead of copying it), `Sum`
 * and `Mean` (over leading axes: bias gradients, batch-norm statistics, ~2.5x faster) and
 * `Greater` (a tensor against a scalar: leaky ReLU's gradient, ~3x faster), `LeakyRelu` and
 * `Select` (WebAssembly SIMD loops, 6-12x faster, the same bits); and `GankitFusedAdam`,
 * one Adam update per variable (what `fusedAdam` of `@gankit/trainer` calls). Idempotent;
 * {@link initBackend} calls it when it picks wasm.
 *
 * @returns the names of the kernels this call registered (empty when they were in place already)
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const entry of ENTRIES) {
    const name = entry.kernelName;
    if (isOurs(name)) continue;
    const existing = current(name);
    // The built-in kernel: the one another copy of this module replaced, else the registered one.
    const base = isGankit(existing) ? (existing?.[REPLACED] ?? undefined) : existing;
    let built = ours.get(name);
    if (built == null || built.base !== base) {
      const config = entry.build(base);
      if (config == null) continue; // a wrapper with no built-in kernel to wrap
      built = { config: { ...config, [REPLACED]: base ?? null }, base };
      ours.set(name, built);
    }
    if (existing != null) tf.unregisterKernel(name, 'wasm');
    // A wrapper's wasm function is bound by the built-in kernel's setupFunc, which it carries: the
    // engine calls it on every setBackend('wasm'), and it ran already if the backend is active.
    tf.registerKernel(built.config);
    added.push(name);
  }
  return added;
}

/**
 * Removes the kernels {@link registerWasmTrainingKernels} added (by this or another copy of this
 * package) and puts back the built-in wasm kernels they replaced (for benchmarks and comparisons).
 *
 * @returns the names of the kernels this call removed
 */
export function unregisterWasmTrainingKernels(): string[] {
  const removed: string[] = [];
  for (const { kernelName } of ENTRIES) {
    const config = current(kernelName);
    if (config == null || !isGankit(config)) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    const original = config[REPLACED];
    if (original != null) {
      tf.registerKernel(original);
      // A built-in kernel registered after the backend started still needs its wasm setup.
      const wasm = tf.findBackend('wasm');
      if (wasm != null && original.setupFunc != null) original.setupFunc(wasm);
    }
    removed.push(kernelName);
  }
  return removed;
}

/**
 * The gankit training kernels that are registered for wasm right now (by any copy of this package).
 *
 * @returns kernel names, in the order of {@link WASM_TRAINING_KERNELS}
 */
export function registeredWasmTrainingKernels(): string[] {
  return WASM_TRAINING_KERNELS.filter((name) => isGankit(current(name)));
}
