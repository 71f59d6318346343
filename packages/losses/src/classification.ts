import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { checkOutput, describe } from './validate';

/**
 * Auxiliary classifier loss of AC-GAN (Odena et al. 2017): the mean sparse softmax cross-entropy
 * `−E[log softmax(classLogits)[label]]`, computed with `logSoftmax` (stable for any logits).
 * Both players add it: D on real and fake batches, G on fake batches.
 *
 * Labels are read back synchronously to check their range, so that a bad label is reported by
 * value instead of silently contributing zero loss.
 *
 * @param classLogits - class logits `[batch, K]`, float32
 * @param labels - integer class labels `[batch]`, int32, each in `[0, K)`
 * @returns the mean cross-entropy over the batch
 * @throws GankitError (`'shape'`, `'dtype'`, `'value'`) naming the shape, dtype or label at fault
 */
export function acganClassLoss(classLogits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const fn = 'acganClassLoss';
  checkOutput(classLogits, 'classLogits', fn);
  if (classLogits.rank !== 2) {
    throw new GankitError('shape', `${fn}: classLogits must be [batch, numClasses], got shape ${formatShape(classLogits.shape)}`);
  }
  if (!(labels instanceof tf.Tensor)) {
    throw new GankitError('argument', `${fn}: labels must be a tf.Tensor, got ${describe(labels)}`);
  }
  if (labels.isDisposed) {
    throw new GankitError('argument', `${fn}: labels have been disposed`);
  }
  if (labels.dtype !== 'int32') {
    throw new GankitError('dtype', `${fn}: labels must be int32 class indices, got ${labels.dtype}`);
  }
  const [batch, numClasses] = classLogits.shape;
  if (labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new GankitError(
      'shape',
      `${fn}: labels must be [${batch}] to match classLogits ${formatShape(classLogits.shape)}, ` + `got ${formatShape(labels.shape)}`,
    );
  }
  const values = labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v < numClasses)) {
      throw new GankitError('value', `${fn}: label ${v} at index ${i} is out of range [0, ${numClasses})`);
    }
  }
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(classLogits);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(labels, numClasses)), 1);
    return tf.neg(tf.mean(picked));
  }) as tf.Scalar;
}
