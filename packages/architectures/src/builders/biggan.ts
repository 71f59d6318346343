import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import { graphNetwork } from '../graph';
import type { GraphNetwork } from '../graph';
import { normal } from '../initializers';
import { checkPositiveInt } from '../layer';
import type { Layer } from '../layer';
import { asLinearConditionalBatchNorm, linearConditionalBatchNorm } from '../layers/conditional-batch-norm-linear';
import type { LinearConditionalBatchNormLayer } from '../layers/conditional-batch-norm-linear';
import { conv2dTranspose } from '../layers/conv2d-transpose';
import { dense } from '../layers/dense';
import { embedding } from '../layers/embedding';
import { dcganLayout } from './dcgan';

/** Configuration of {@link bigganGenerator}. */
export interface BigganGeneratorConfig {
  /** Number of classes; labels are int32 in `[0, numClasses)`. */
  readonly numClasses: number;
  /**
   * Length of z, split into equal chunks, one for the first dense layer and one per upsampling
   * block; it must be a multiple of the number of chunks (default 20 per chunk: 60 for 28×28).
   */
  readonly latentDim?: number | undefined;
  /** Length of the shared class embedding (default 32). */
  readonly embeddingDim?: number | undefined;
  /**
   * Feed the shared embedding to the first dense layer too, `[z₀, e(y)]` (default `true`, as
   * BigGAN-deep does); `false` is the original BigGAN, whose first layer sees z₀ alone, so that
   * at small truncation thresholds its first activations shrink towards zero.
   */
  readonly conditionFirstLayer?: boolean | undefined;
  /** Generated image shape (default `[28, 28, 1]`; any shape {@link dcganLayout} accepts). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the last hidden layer, doubled per earlier layer (default 64). */
  readonly baseFilters?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** How {@link bigganGenerator} lays out its latent vector: chunk sizes and the conditioning vectors' length. */
export interface BigganLatentLayout {
  /** Number of chunks z is split into: one for the first layer, one per upsampling block. */
  readonly chunks: number;
  /** Length of each chunk. */
  readonly chunkDim: number;
  /** Length of each block's conditioning vector: a chunk plus the shared embedding. */
  readonly conditionDim: number;
}

/** The latent layout of a {@link bigganGenerator} for its configuration (checked). */
export function bigganLatentLayout(config: BigganGeneratorConfig): BigganLatentLayout {
  const what = 'bigganGenerator';
  const { steps } = dcganLayout(config.imageShape ?? [28, 28, 1], what);
  const chunks = steps + 1;
  const latentDim = checkPositiveInt(config.latentDim ?? 20 * chunks, `${what}: latentDim`);
  if (latentDim % chunks !== 0) {
    throw new GankitError(
      'config',
      `${what}: latentDim ${latentDim} must split into ${chunks} equal chunks (one for the first layer, one per upsampling block); use a multiple of ${chunks}`,
    );
  }
  const embeddingDim = checkPositiveInt(config.embeddingDim ?? 32, `${what}: embeddingDim`);
  return { chunks, chunkDim: latentDim / chunks, conditionDim: latentDim / chunks + embeddingDim };
}

/**
 * A small class-conditional generator with BigGAN's conditioning (Brock et al. 2019, §3 and
 * appendix B, "hierarchical latent space" and "shared embedding"): z is split into equal chunks;
 * the first, with the shared class embedding e(y) beside it (BigGAN-deep's choice; without it with
 * `conditionFirstLayer: false`), goes through a dense layer to `start × start × base·2^(steps-1)`; every upsampling block
 * gets its own chunk concatenated with one **shared** class embedding e(y), and that vector
 * `c = [z_i, e(y)]` sets the gains and biases of the block's conditional batch norm
 * ({@link linearConditionalBatchNorm}: `γ = 1 + c·W_γ`, `β = c·W_β`). Each block is conditional
 * batch norm → ReLU → a stride-2 transposed convolution (kernel 4) that doubles the size and halves
 * the filters; the last one puts out the image's channels through tanh. It is DCGAN-sized (the
 * layout of {@link dcganGenerator}, two blocks for 28×28), not BigGAN's residual network.
 *
 * Input: z `[batch, latentDim]`; `apply` needs `options.labels` (int32 `[batch]`, values in
 * `[0, numClasses)`). Output: `[batch, ...imageShape]` in (-1, 1). Layers: `dense` (z₀), `shared`
 * (the embedding, N(0, 0.05²): a larger start let the class swamp z₀ and each class collapsed to one image), `cbn_<i>` and `up_<i>` per block.
 */
export function bigganGenerator(config: BigganGeneratorConfig): GraphNetwork {
  const what = 'bigganGenerator';
  const numClasses = checkPositiveInt(config.numClasses, `${what}: numClasses`);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { start, steps, channels } = dcganLayout(imageShape, what);
  const { chunks, chunkDim, conditionDim } = bigganLatentLayout(config);
  const embeddingDim = conditionDim - chunkDim;
  const conditionFirst = config.conditionFirstLayer ?? true;
  if (typeof conditionFirst !== 'boolean')
    throw new GankitError('config', `${what}: conditionFirstLayer must be true or false, got ${JSON.stringify(conditionFirst)}`);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  const init = normal(0, 0.02);
  const filters = (i: number) => base * 2 ** (steps - 1 - i);
  return graphNetwork({
    name: config.name ?? 'generator',
    inputShape: [chunks * chunkDim],
    seed: config.seed,
    numClasses,
    build: (b) => {
      const firstInput = conditionFirst ? chunkDim + embeddingDim : chunkDim;
      const first = b.layer(dense({ units: start * start * filters(0), useBias: false, kernelInitializer: init }), [firstInput], 'dense');
      const shared = b.layer(embedding({ inputDim: numClasses, outputDim: embeddingDim, initializer: normal(0, 0.05) }), [], 'shared');
      const blocks: { cbn: LinearConditionalBatchNormLayer; up: Layer }[] = [];
      let size = start;
      for (let i = 0; i < steps; i++) {
        const inShape = [size, size, filters(i)];
        const cbn = asLinearConditionalBatchNorm(b.layer(linearConditionalBatchNorm({ conditionDim }), inShape, `cbn_${i}`));
        const last = i === steps - 1;
        const up = b.layer(
          conv2dTranspose({ filters: last ? channels : filters(i + 1), kernelSize: 4, strides: 2, useBias: last, kernelInitializer: init }),
          inShape,
          `up_${i}`,
        );
        blocks.push({ cbn, up });
        size *= 2;
      }
      return {
        outputShape: [...imageShape],
        forward: (z, options) => {
          const parts = tf.split(z, chunks, 1);
          const e = shared.apply(options.labels as tf.Tensor, options);
          const z0 = conditionFirst ? tf.concat([parts[0], e], 1) : parts[0];
          let h = tf.reshape(first.apply(z0, options), [-1, start, start, filters(0)]);
          blocks.forEach(({ cbn, up }, i) => {
            h = up.apply(tf.relu(cbn.applyConditioned(h, tf.concat([parts[i + 1], e], 1), options)), options);
          });
          return tf.tanh(h);
        },
      };
    },
  });
}
