import * as tf from '@tensorflow/tfjs-core';
import { runWithTensors } from './kernel_util';

/**
 * `out[s, ...] = sum of x[i, ...] over every i with segmentIds[i] = s`, as a matrix product of the
 * transposed one-hot matrix of the ids with x flattened to `[ids, rest]`. Ids outside
 * `[0, numSegments)` are dropped, as in TensorFlow.
 *
 * @internal
 */
export function unsortedSegmentSumImpl(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  const idsRank = segmentIds.rank;
  const count = segmentIds.size;
  const rest = x.shape.slice(idsRank);
  const restSize = rest.reduce((a, b) => a * b, 1);
  const ids = tf.reshape(segmentIds, [count]);
  const ids32 = ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32');
  // [numSegments, count]: transpose first, then a plain matMul (fast on wasm).
  const selector = tf.transpose(tf.cast(tf.oneHot(ids32 as tf.Tensor1D, numSegments), 'float32'));
  const flat = tf.reshape(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), [count, restSize]);
  const summed = tf.reshape(tf.matMul(selector as tf.Tensor2D, flat as tf.Tensor2D), [numSegments, ...rest]);
  return x.dtype === 'float32' ? summed : tf.cast(summed, x.dtype);
}

/**
 * `UnsortedSegmentSum` for the wasm backend, which has none: the gradient of `tf.gather`, and so of
 * an embedding lookup (class-conditional generators and discriminators).
 */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, segmentIds } = inputs as unknown as tf.UnsortedSegmentSumInputs;
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    return runWithTensors(tf.UnsortedSegmentSum, [x, segmentIds], (xt, ids) => unsortedSegmentSumImpl(xt, ids, numSegments));
  },
};
