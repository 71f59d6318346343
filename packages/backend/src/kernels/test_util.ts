// Helpers shared by the kernel tests (not part of the package's API).
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A seeded uniform(-1, 1) array (mulberry32), so that failures repeat. */
export function randomArray(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** max|a - b| / max|b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/** Runs a kernel by name on the given backend from plain arrays; returns its values and shape. */
export async function runOn(
  backend: string,
  kernel: string,
  inputs: Record<string, { values: Float32Array | Int32Array; shape: number[]; dtype?: tf.DataType | undefined }>,
  attrs: object,
): Promise<{ values: Float32Array; shape: number[] }> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
    const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
    const result = {
      values: Float32Array.from(out.dataSync()),
      shape: out.shape,
    };
    out.dispose();
    Object.values(ts).forEach((t) => t.dispose());
    return result;
  } finally {
    await tf.setBackend(previous);
  }
}

/** Runs `f` and expects it to leave no tensors, bytes or backend buffers behind. */
export function expectNoLeak(f: () => void): void {
  const before = tf.memory();
  const ids = tf.engine().backend.numDataIds();
  f();
  const after = tf.memory();
  expect(after.numTensors).toBe(before.numTensors);
  expect(after.numBytes).toBe(before.numBytes);
  expect(tf.engine().backend.numDataIds()).toBe(ids);
}
