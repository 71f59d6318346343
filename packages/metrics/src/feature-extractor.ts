import type * as tf from '@tensorflow/tfjs-core';

/**
 * Anything that maps a batch of images to feature vectors: the input of FID-like metrics and of
 * {@link fidPlugin}. {@link digitClassifier} and {@link loadFidInception} return one; a user's own
 * network fits too.
 */
export interface FeatureExtractor {
  /** A name for logs and errors. */
  readonly name: string;
  /** Length of a feature vector. */
  readonly featureDim: number;
  /**
   * Feature vectors `[n, featureDim]` of a batch of images (`[n, h, w, c]`, values in [-1, 1]).
   * The caller disposes the result; the input is not disposed.
   */
  features(x: tf.Tensor): tf.Tensor2D;
}

/** A {@link FeatureExtractor} that is also a classifier. */
export interface ImageClassifier extends FeatureExtractor {
  /** Number of classes. */
  readonly numClasses: number;
  /** Class logits `[n, numClasses]`. */
  logits(x: tf.Tensor): tf.Tensor2D;
  /** Class probabilities `[n, numClasses]` (the softmax of the logits). */
  probs(x: tf.Tensor): tf.Tensor2D;
  /** Frees the weights the classifier owns. */
  dispose(): void;
}
