import * as tf from '@tensorflow/tfjs-core';
import { runWithTensors } from './kernel_util';

/** The product the engine asked for: operand shapes and transpose flags. @internal */
export interface MatMulProblem {
  readonly aShape: readonly number[];
  readonly bShape: readonly number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/**
 * How to run a transposed product on wasm, or `null` to leave it to the built-in kernel. Per
 * operand: `'reshape'` when one of its last two dimensions is 1 (its transpose has the same memory
 * order, so it is free), `'transpose'` when it must be copied.
 *
 * tfjs 4.22's wasm `BatchMatMul` hands only untransposed products to XNNPACK; with `transposeA` or
 * `transposeB` it runs a plain loop at ~1 GFLOP/s, 5-25x slower (a `[64, 100]ᵀ · [64, 6272]`
 * weight gradient: ~50 ms against ~4 ms). Copying an operand costs about as much as one
 * multiply-add per element in that loop, so a copy pays when the product does at least 16
 * multiply-adds per copied element; a matrix-vector product with a large transposed matrix
 * (`[64, 6272]ᵀ · [64, 1]`) stays with the built-in loop.
 *
 * @internal
 */
export function planBatchMatMul(p: MatMulProblem): { a: 'keep' | 'reshape' | 'transpose'; b: 'keep' | 'reshape' | 'transpose' } | null {
  if (!p.transposeA && !p.transposeB) return null;
  const ra = p.aShape.length;
  const rb = p.bShape.length;
  const [a0, a1] = [p.aShape[ra - 2], p.aShape[ra - 1]];
  const [b0, b1] = [p.bShape[rb - 2], p.bShape[rb - 1]];
  const m = p.transposeA ? a1 : a0;
  const k = p.transposeA ? a0 : a1;
  const n = p.transposeB ? b0 : b1;
  const batch = Math.max(sizeOf(p.aShape.slice(0, -2)), sizeOf(p.bShape.slice(0, -2)));
  const how = (transposed: boolean, r: number, c: number) =>
    !transposed ? ('keep' as const) : r === 1 || c === 1 ? ('reshape' as const) : ('transpose' as const);
  const a = how(p.transposeA, a0, a1);
  const b = how(p.transposeB, b0, b1);
  const copied = (a === 'transpose' ? sizeOf(p.aShape) : 0) + (b === 'transpose' ? sizeOf(p.bShape) : 0);
  if (batch * m * n * k < 16 * copied) return null;
  return { a, b };
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

/** Swaps the last two axes of `t`: a reshape when one of them is 1, else a transpose. */
function swapLastTwo(t: tf.Tensor, how: 'reshape' | 'transpose'): tf.Tensor {
  const r = t.rank;
  const shape = [...t.shape.slice(0, -2), t.shape[r - 1], t.shape[r - 2]];
  if (how === 'reshape') return tf.reshape(t, shape);
  const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
  return tf.transpose(t, perm);
}

/**
 * The `[K, N]` shape each buffer was first multiplied as, as the right operand of an untransposed,
 * unbatched product. tfjs 4.22's wasm kernel hands those products to XNNPACK and caches the
 * operator, with `b` packed into it, under `b`'s buffer id alone: a later product with the same
 * buffer seen as another shape (a reshape of it, or a clone, which shares the buffer) reuses the
 * stale packing and returns wrong values.
 */
const xnnShapes = new WeakMap<object, string>();

/** Whether `b` (untransposed, the right operand) would hit a stale XNNPACK cache entry; records its shape. */
function staleInXnnCache(aShape: readonly number[], b: tf.TensorInfo): boolean {
  const r = b.shape.length;
  if (sizeOf(aShape.slice(0, -2)) !== 1 || sizeOf(b.shape.slice(0, -2)) !== 1) return false; // the plain loop
  const key = `${b.shape[r - 2]}x${b.shape[r - 1]}`;
  const seen = xnnShapes.get(b.dataId);
  if (seen == null) {
    xnnShapes.set(b.dataId, key);
    return false;
  }
  return seen !== key;
}

/**
 * A `BatchMatMul` for the wasm backend built around tfjs's own kernel `original`: untransposed
 * products go straight to it (XNNPACK); transposed ones whose {@link planBatchMatMul} says so get
 * their operands transposed first (a wasm `Transpose`, or a free reshape) and then go to it
 * untransposed. A right operand whose buffer XNNPACK has cached under another shape is copied
 * first (see `xnnShapes`): the reshapes here, and `Identity` sharing buffers, would otherwise
 * return wrong values. The returned config keeps `original`'s `setupFunc` and `disposeFunc`: they
 * bind and free the wasm function `original.kernelFunc` calls, once per backend initialisation.
 *
 * @param original - tfjs's wasm `BatchMatMul` kernel config
 * @internal
 */
export function batchMatMulConfigFrom(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as unknown as tf.BatchMatMulInputs;
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (a == null || b == null) return original.kernelFunc(args);
    const plan = planBatchMatMul({
      aShape: a.shape,
      bShape: b.shape,
      transposeA: attrs.transposeA,
      transposeB: attrs.transposeB,
    });
    // Untransposed products (and cheap transposed ones) go to the built-in kernel as they are,
    // unless XNNPACK holds b's buffer packed as another shape.
    if (plan == null && (attrs.transposeA || attrs.transposeB || !staleInXnnCache(a.shape, b))) {
      return original.kernelFunc(args);
    }
    return runWithTensors(tf.BatchMatMul, [a, b], (at, bt) => {
      const a2 = plan == null || plan.a === 'keep' ? at : swapLastTwo(at, plan.a);
      let b2 = plan == null || plan.b === 'keep' ? bt : swapLastTwo(bt, plan.b);
      // A fresh buffer (x * 1 is exact): plan == null got here because b's buffer is stale.
      if (plan == null || staleInXnnCache(a2.shape, b2)) b2 = tf.mul(b2, 1);
      const info = original.kernelFunc({
        inputs: { a: a2, b: b2 },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      return tf.engine().makeTensorFromTensorInfo(info);
    });
  };
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc,
    // setupFunc / disposeFunc only where the original has them (exactOptionalPropertyTypes).
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
  };
}
