// The caption encoder of mnist-text2image: a word-level text encoder trained with a small image
// encoder on (digit, caption) pairs by a joint image-text embedding, then frozen; its embeddings of
// the 60 captions are the table that G and D look caption ids up in.
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, dense, flatten, leakyRelu, sequential, textEncoder } from '@gankit/architectures';
import { RandomSource, ensureGradients } from '@gankit/core';
import { type CaptionedDigits, NUM_DIGIT_CAPTIONS, digitCaption, digitCaptionParts, digitCaptionVocabulary } from '@gankit/data';

/** Words per caption ("a thick seven leaning right"). */
export const CAPTION_LENGTH = 5;

/** Settings of {@link trainCaptionEncoder}. */
export interface CaptionEncoderSettings {
  /** Length of a caption embedding. */
  readonly dim: number;
  /** Training steps. */
  readonly steps: number;
  /** Pairs per step. */
  readonly batchSize: number;
  /** Adam's learning rate. */
  readonly learningRate: number;
  /** Inverse temperature of the image-to-caption softmax. */
  readonly scale: number;
}

/** What {@link trainCaptionEncoder} measured. */
export interface CaptionEncoderReport {
  /** Training seconds. */
  readonly seconds: number;
  /** Loss (cross-entropy over the 60 captions) of the last step. */
  readonly finalLoss: number;
  /** Held-out digits whose nearest caption, in the joint space, is their own (chance 1/60). */
  readonly retrieval: number;
  /** ... whose nearest caption names their digit (chance 1/10). */
  readonly digit: number;
  /** ... whose nearest caption has their thickness word (chance 1/2). */
  readonly thickness: number;
  /** ... whose nearest caption has their slant phrase (chance 1/3). */
  readonly slant: number;
}

const normalize = (x: tf.Tensor) => tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), 1e-6));

/**
 * Trains the caption encoder φ(t) (`textEncoder` of `@gankit/architectures`, word-level) jointly
 * with a small image encoder θ(v) (two stride-2 convs and a dense layer) on the captioned training
 * digits: the image-side term of Reed et al.'s (2016a) structured joint embedding, as a softmax
 * over all captions, `−log softmax_y(s·⟨θ̂(v), φ̂(t_y)⟩)[y_v]` with both embeddings L2-normalised.
 * Each image is classified by its compatibility with every caption's embedding, so captions that
 * share a digit, a thickness or a slant end up near each other in proportion to how alike their
 * images are. Returns the 60 caption embeddings, scaled to norm √dim (the frozen table the GAN
 * sees) and what the encoder gets right on held-out digits.
 */
export function trainCaptionEncoder(
  train: CaptionedDigits,
  test: CaptionedDigits,
  settings: CaptionEncoderSettings,
  seed: number,
): { table: tf.Tensor2D; report: CaptionEncoderReport } {
  ensureGradients();
  const start = performance.now();
  const vocab = digitCaptionVocabulary();
  const captions = Array.from({ length: NUM_DIGIT_CAPTIONS }, (_, id) => digitCaption(id));
  const tokens = tf.tensor2d(vocab.encodeAll(captions, CAPTION_LENGTH), [NUM_DIGIT_CAPTIONS, CAPTION_LENGTH], 'int32');
  const text = textEncoder({
    vocabularySize: vocab.size,
    maxLength: CAPTION_LENGTH,
    outputDim: settings.dim,
    seed: seed * 4 + 3,
    name: 'caption-encoder',
  });
  const image = sequential({
    name: 'caption-image-encoder',
    inputShape: [28, 28, 1],
    seed: seed * 4 + 4,
    layers: [
      conv2d({ filters: 16, kernelSize: 4, strides: 2 }),
      leakyRelu({ alpha: 0.2 }),
      conv2d({ filters: 32, kernelSize: 4, strides: 2 }),
      leakyRelu({ alpha: 0.2 }),
      flatten(),
      dense({ units: settings.dim }),
    ],
  });
  const optimizer = tf.train.adam(settings.learningRate);
  const random = new RandomSource(seed).fork('caption-encoder');
  const logits = (x: tf.Tensor, training: boolean) =>
    tf.mul(settings.scale, tf.matMul(normalize(image.apply(x, { training })), normalize(text.apply(tokens, { training })), false, true));
  let finalLoss = Number.NaN;
  try {
    const vars = [...text.trainableVariables, ...image.trainableVariables];
    for (let step = 0; step < settings.steps; step++) {
      const next = random.floats('pairs');
      const indices = Int32Array.from({ length: settings.batchSize }, () => Math.floor(next() * train.dataset.size));
      const batch = train.dataset.batchAt(indices);
      const cost = optimizer.minimize(
        () => {
          const lp = tf.logSoftmax(logits(batch.x, true));
          return tf.neg(tf.mean(tf.sum(tf.mul(lp, tf.oneHot(batch.labels as tf.Tensor1D, NUM_DIGIT_CAPTIONS)), 1))) as tf.Scalar;
        },
        true,
        vars,
      );
      if (step === settings.steps - 1 && cost) finalLoss = cost.dataSync()[0];
      tf.dispose([cost as tf.Tensor, batch.x, batch.labels as tf.Tensor]);
    }
    // Held-out digits: which caption is nearest to each image?
    const all = test.dataset.batchAt(Int32Array.from({ length: test.dataset.size }, (_, i) => i));
    const nearest = tf.tidy(() => tf.argMax(logits(all.x, false), 1).dataSync());
    tf.dispose([all.x, all.labels as tf.Tensor]);
    const hits = { retrieval: 0, digit: 0, thickness: 0, slant: 0 };
    nearest.forEach((id, i) => {
      const want = digitCaptionParts(test.captionIds[i]);
      const got = digitCaptionParts(id);
      hits.retrieval += id === test.captionIds[i] ? 1 : 0;
      hits.digit += got.digit === want.digit ? 1 : 0;
      hits.thickness += got.thickness === want.thickness ? 1 : 0;
      hits.slant += got.slant === want.slant ? 1 : 0;
    });
    const n = nearest.length;
    const table = tf.tidy(() => tf.mul(normalize(text.apply(tokens, { training: false })), Math.sqrt(settings.dim))) as tf.Tensor2D;
    return {
      table,
      report: {
        seconds: (performance.now() - start) / 1000,
        finalLoss,
        retrieval: hits.retrieval / n,
        digit: hits.digit / n,
        thickness: hits.thickness / n,
        slant: hits.slant / n,
      },
    };
  } finally {
    optimizer.dispose();
    text.dispose();
    image.dispose();
    tokens.dispose();
  }
}
