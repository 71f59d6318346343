import * as tf from '@tensorflow/tfjs-core';
import { type WasmBackend, simdFor } from './simd';

/**
 * A `LeakyRelu` for the wasm backend built around tfjs's own kernel `original`, whose loop takes
 * ~3 ms a call at `[64, 14, 14, 64]` (a scalar branch per element, ~18 ms a DCGAN-MNIST step):
 * float32 inputs of at least 1024 elements run gankit's WebAssembly SIMD loop on tfjs's memory,
 * `y = x < 0 ? α·x : x` four lanes at a time (`f32x4.lt` + `v128.bitselect`), the built-in
 * kernel's numbers bit for bit (−0, NaN and infinities included: α·x is the same float32 product).
 * Everything else, and a runtime without wasm SIMD, goes to `original`. Keeps `original`'s
 * `setupFunc`/`disposeFunc`.
 *
 * @param original - tfjs's wasm `LeakyRelu` kernel config
 * @internal
 */
export function leakyReluConfigFrom(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as tf.LeakyReluInputs;
    const backend = args.backend as WasmBackend;
    const size = x == null ? 0 : tf.util.sizeFromShape(x.shape);
    const simd = size >= 1024 && x?.dtype === 'float32' ? simdFor(backend) : undefined;
    if (x == null || simd == null) return original.kernelFunc(args);
    const alpha = Math.fround((args.attrs as unknown as tf.LeakyReluAttrs).alpha);
    const out = backend.makeOutput([...x.shape], 'float32');
    // Views after the allocation (wasm memory may have grown).
    const xs = backend.typedArrayFromHeap(x);
    const ys = backend.typedArrayFromHeap(out);
    const head = size - (size % 4);
    simd.leakyRelu(xs.byteOffset, ys.byteOffset, head * 4, alpha);
    for (let i = head; i < size; i++) ys[i] = xs[i] < 0 ? alpha * xs[i] : xs[i];
    return out;
  };
  return {
    kernelName: tf.LeakyRelu,
    backendName: 'wasm',
    kernelFunc,
    // setupFunc / disposeFunc only where the original has them (exactOptionalPropertyTypes).
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
  };
}
