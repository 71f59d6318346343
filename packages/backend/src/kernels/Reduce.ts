import * as tf from '@tensorflow/tfjs-core';
import { runWithTensors } from './kernel_util';

/**
 * The size of the leading axes a `Sum`/`Mean` reduces, or `null` when the reduction is not over
 * leading axes only (or is over every axis, or the input is empty): only then does tfjs's wasm
 * kernel transpose first, and only then is a matrix-vector product faster.
 *
 * @internal
 */
export function leadingReduction(shape: readonly number[], axis: number | number[]): { axes: number; outer: number; inner: number } | null {
  const axes = tf.util.parseAxisParam(axis, [...shape]);
  const unique = [...new Set(axes)].sort((a, b) => a - b);
  if (unique.length === 0 || unique.length >= shape.length) return null;
  if (unique.some((a, i) => a !== i)) return null;
  const outer = shape.slice(0, unique.length).reduce((a, b) => a * b, 1);
  const inner = shape.slice(unique.length).reduce((a, b) => a * b, 1);
  if (outer * inner === 0 || outer === 1) return null;
  return { axes: unique.length, outer, inner };
}

/**
 * `Sum` (or `Mean`: the sum divided by `outer`) of a float32 `x` over its leading axes as
 * `x[outer, inner]ᵀ · ones[outer, 1]`. tfjs's wasm `Sum`/`Mean` transpose the reduced axes
 * innermost first; its `BatchMatMul` runs a product with `transposeA` as a plain loop that reads
 * `x` in place, ~2.5x faster (a conv bias gradient over `[64, 14, 14, 64]`: ~1 ms against ~2.4 ms).
 * `ones · x` would be worse: XNNPACK packs its right operand, all of `x`, on every call.
 */
function leadingSum(x: tf.Tensor, outer: number, inner: number, mean: boolean, outShape: number[]): tf.Tensor {
  const ones = tf.ones([outer, 1]) as tf.Tensor2D;
  const sum = tf.matMul(tf.reshape(x, [outer, inner]) as tf.Tensor2D, ones, true, false);
  return tf.reshape(mean ? tf.div(sum, outer) : sum, outShape);
}

function configFrom(original: tf.KernelConfig, mean: boolean): tf.KernelConfig {
  const kernelName = mean ? tf.Mean : tf.Sum;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as tf.SumInputs;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const plan = x != null && x.dtype === 'float32' ? leadingReduction(x.shape, axis) : null;
    if (plan == null) return original.kernelFunc(args);
    const rest = (x as tf.TensorInfo).shape.slice(plan.axes);
    const outShape = keepDims ? [...new Array<number>(plan.axes).fill(1), ...rest] : rest;
    return runWithTensors(kernelName, [x], (xt) => leadingSum(xt, plan.outer, plan.inner, mean, outShape));
  };
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc,
    // setupFunc / disposeFunc only where the original has them (exactOptionalPropertyTypes).
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
  };
}

/**
 * A `Sum` for the wasm backend built around tfjs's own kernel `original`: float32 sums over leading
 * axes (`[0, 1, 2]` of NHWC: conv bias gradients, batch-norm statistics) run as one matrix
 * product; every other sum goes to `original`. Keeps `original`'s `setupFunc`/`disposeFunc`.
 *
 * @param original - tfjs's wasm `Sum` kernel config
 * @internal
 */
export function sumConfigFrom(original: tf.KernelConfig): tf.KernelConfig {
  return configFrom(original, false);
}

/**
 * A `Mean` for the wasm backend built around tfjs's own kernel `original`, as {@link sumConfigFrom}
 * (batch norm's `tf.moments` over `[0, 1, 2]`).
 *
 * @param original - tfjs's wasm `Mean` kernel config
 * @internal
 */
export function meanConfigFrom(original: tf.KernelConfig): tf.KernelConfig {
  return configFrom(original, true);
}
