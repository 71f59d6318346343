import * as tf from '@tensorflow/tfjs-core';
import { type WasmBackend, simdFor } from './simd';

/**
 * A `Select` (`tf.where`) for the wasm backend built around tfjs's own kernel `original` (~1.2 ms
 * a call at `[64, 14, 14, 64]`: leaky ReLU's gradient `where(x > 0, dy, α·dy)`): a bool condition
 * and float32 branches of one shape, at least 1024 elements, run gankit's WebAssembly SIMD loop on
 * tfjs's memory (four condition bytes widened to a lane mask, `v128.bitselect`): a copy of `t` or
 * `e` element by element, as the built-in kernel's. Everything else (broadcasting, other dtypes,
 * a runtime without wasm SIMD) goes to `original`. Keeps `original`'s `setupFunc`/`disposeFunc`.
 *
 * @param original - tfjs's wasm `Select` kernel config
 * @internal
 */
export function selectConfigFrom(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { condition, t, e } = args.inputs as unknown as tf.SelectInputs;
    const backend = args.backend as WasmBackend;
    const size = t == null ? 0 : tf.util.sizeFromShape(t.shape);
    const fits =
      t != null &&
      condition != null &&
      e != null &&
      size >= 1024 &&
      condition.dtype === 'bool' &&
      t.dtype === 'float32' &&
      e.dtype === 'float32' &&
      tf.util.arraysEqual(condition.shape, t.shape) &&
      tf.util.arraysEqual(e.shape, t.shape);
    const simd = fits ? simdFor(backend) : undefined;
    if (simd == null || t == null || condition == null || e == null) return original.kernelFunc(args);
    const out = backend.makeOutput([...t.shape], 'float32');
    // Views after the allocation (wasm memory may have grown).
    const cs = backend.typedArrayFromHeap(condition) as unknown as Uint8Array;
    const ts = backend.typedArrayFromHeap(t);
    const es = backend.typedArrayFromHeap(e);
    const ys = backend.typedArrayFromHeap(out);
    const head = size - (size % 4);
    simd.select(cs.byteOffset, ts.byteOffset, es.byteOffset, ys.byteOffset, head * 4);
    for (let i = head; i < size; i++) ys[i] = cs[i] ? ts[i] : es[i];
    return out;
  };
  return {
    kernelName: tf.Select,
    backendName: 'wasm',
    kernelFunc,
    // setupFunc / disposeFunc only where the original has them (exactOptionalPropertyTypes).
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
  };
}
