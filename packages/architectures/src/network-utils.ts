import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { requireLabels } from './layer';

/**
 * Checks what a network's `apply` receives: a live tensor of shape `[batch, ...inputShape]` with
 * `batch >= 1`, the expected dtype, and options with a boolean `training`. Throws a `GankitError`
 * that names the network and both shapes (or dtypes) otherwise.
 */
export function checkNetworkInput(
  name: string,
  inputShape: readonly number[],
  inputDtype: 'float32' | 'int32',
  x: tf.Tensor,
  options: ApplyOptions,
): void {
  if (x == null || !(x instanceof tf.Tensor))
    throw new GankitError('argument', `network '${name}': apply expects a tf.Tensor, got ${String(x)}`);
  const expected = [null, ...inputShape];
  if (x.rank !== expected.length || inputShape.some((d, i) => x.shape[i + 1] !== d) || x.shape[0] < 1) {
    throw new GankitError('shape', `network '${name}': expected input of shape ${formatShape(expected)}, got ${formatShape(x.shape)}`);
  }
  if (x.dtype !== inputDtype) {
    throw new GankitError('dtype', `network '${name}': expected a ${inputDtype} input, got ${x.dtype}`);
  }
  if (options == null || typeof options.training !== 'boolean') {
    throw new GankitError('config', `network '${name}': apply needs options { training: boolean }`);
  }
}

/**
 * The smallest and largest value of label tensors already read by {@link checkLabels}. A tensor's
 * values never change (variables, which can, are not cached), so a training step that passes one
 * label batch to G and twice to D reads it from the device once.
 */
const labelRanges = new WeakMap<tf.Tensor, { min: number; max: number }>();

/**
 * Checks that `options.labels` holds int32 class labels `[batch]` whose values lie in
 * `[0, numClasses)`, and returns them. Reading the values synchronously is cheap for a label vector
 * (and done once per tensor); it turns an out-of-range label (which `tf.gather` would silently map
 * to zeros or garbage on some backends) into a `GankitError` that names the bad value.
 */
export function checkLabels(name: string, options: ApplyOptions, batch: number, numClasses: number): tf.Tensor {
  const labels = requireLabels(name, options, batch);
  const known = labelRanges.get(labels);
  if (known && known.min >= 0 && known.max < numClasses) return labels;
  const values = labels.dataSync();
  if (!(labels instanceof tf.Variable)) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
    }
    labelRanges.set(labels, { min, max });
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v < numClasses)) {
      throw new GankitError(
        'value',
        `network '${name}': label ${v} at position ${i} is out of range; labels must be integers in [0, ${numClasses})`,
      );
    }
  }
  return labels;
}
