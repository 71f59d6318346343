import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import { graphNetwork } from '../graph';
import type { GraphNetwork } from '../graph';
import { normal } from '../initializers';
import { checkPositiveInt } from '../layer';
import { concatLabel } from '../layers/concat-label';
import { dense } from '../layers/dense';
import { embedding } from '../layers/embedding';
import { dcganDiscriminatorFeatures, dcganGeneratorLayers, dcganLayout } from './dcgan';

/** How a conditional generator receives the class label: a learned embedding or a one-hot vector, concatenated to z. */
export type GeneratorConditioning = 'embedding' | 'one-hot';

/**
 * How a conditional discriminator receives the class label: concatenated to the image as extra
 * channels (a learned embedding or a one-hot vector repeated at every pixel), or by projection
 * (an inner product of a class embedding with the features, Miyato & Koyama 2018).
 */
export type DiscriminatorConditioning = 'embedding' | 'one-hot' | 'projection';

/** Configuration of {@link conditionalGenerator}. */
export interface ConditionalGeneratorConfig {
  /** Number of classes; labels are int32 in `[0, numClasses)`. */
  readonly numClasses: number;
  /** How the label enters: `'embedding'` (learned) or `'one-hot'`. */
  readonly conditioning: GeneratorConditioning;
  /** Length of z (default 100). */
  readonly latentDim?: number | undefined;
  /** Length of the label embedding with `'embedding'` (default `numClasses`). */
  readonly embeddingDim?: number | undefined;
  /** Generated image shape (default `[28, 28, 1]`; any shape {@link dcganLayout} accepts). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the last hidden layer, doubled per earlier layer (default 64). */
  readonly baseFilters?: number | undefined;
  /** Units of a dense layer (batch norm, ReLU) before the projection, as {@link dcganGenerator}'s (default none). */
  readonly hiddenUnits?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link conditionalDiscriminator}. */
export interface ConditionalDiscriminatorConfig {
  /** Number of classes; labels are int32 in `[0, numClasses)`. */
  readonly numClasses: number;
  /** How the label enters: `'embedding'`, `'one-hot'` (input channels) or `'projection'`. */
  readonly conditioning: DiscriminatorConditioning;
  /** Length of the label embedding with `'embedding'` (default `numClasses`). */
  readonly embeddingDim?: number | undefined;
  /** Input image shape (default `[28, 28, 1]`). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the first conv layer, doubled per later layer (default 64). */
  readonly baseFilters?: number | undefined;
  /** Units of a dense layer after the convs (batch norm when `batchNorm`, leaky ReLU), as {@link dcganDiscriminator}'s (default none). */
  readonly hiddenUnits?: number | undefined;
  /** Batch norm after every conv but the first (default `true`, as {@link dcganDiscriminator}). */
  readonly batchNorm?: boolean | undefined;
  /** Reparametrizes every conv and dense kernel (e.g. spectral norm); not the label embedding. */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link acganDiscriminator}. */
export interface AcganDiscriminatorConfig {
  /** Number of classes the auxiliary classifier predicts. */
  readonly numClasses: number;
  /** Input image shape (default `[28, 28, 1]`). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the first conv layer, doubled per later layer (default 64). */
  readonly baseFilters?: number | undefined;
  /** Units of a dense layer after the convs (batch norm when `batchNorm`, leaky ReLU), as {@link dcganDiscriminator}'s (default none). */
  readonly hiddenUnits?: number | undefined;
  /** Batch norm after every conv but the first (default `true`). */
  readonly batchNorm?: boolean | undefined;
  /** Reparametrizes every conv and dense kernel (e.g. spectral norm). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

/** The two parts of an ACGAN discriminator's output (see {@link splitAcganOutput}). */
export interface AcganOutput {
  /** Real/fake logits `[batch, 1]` (column 0 of the output). */
  readonly adversarial: tf.Tensor2D;
  /** Class logits `[batch, numClasses]` (columns 1.. of the output). */
  readonly classLogits: tf.Tensor2D;
}

function checkGeneratorConditioning(value: unknown, what: string): GeneratorConditioning {
  if (value !== 'embedding' && value !== 'one-hot') {
    throw new GankitError('config', `${what}: conditioning must be 'embedding' or 'one-hot', got ${JSON.stringify(value)}`);
  }
  return value;
}

function embeddingDimOf(conditioning: string, embeddingDim: number | undefined, numClasses: number, what: string): number | undefined {
  if (conditioning !== 'embedding') {
    if (embeddingDim !== undefined)
      throw new GankitError('config', `${what}: embeddingDim only applies to conditioning 'embedding', got conditioning '${conditioning}'`);
    return undefined;
  }
  return checkPositiveInt(embeddingDim ?? numClasses, `${what}: embeddingDim`);
}

/**
 * A conditional DCGAN generator (Mirza & Osindero, 2014) for 28×28×1 digits by default: the class
 * label, as a learned embedding (`'embedding'`) or a one-hot vector (`'one-hot'`), is concatenated to
 * z, then the DCGAN generator of {@link dcganGenerator} maps `[latentDim + k]` to the image
 * (dense → `7×7×128` with batch norm and ReLU, stride-2 transposed convolutions, tanh).
 *
 * Input: z `[batch, latentDim]`; `apply` needs `options.labels` (int32 `[batch]`, values in
 * `[0, numClasses)`), and throws a `GankitError` when they are missing, mis-shaped or out of range.
 * Output: `[batch, ...imageShape]` in (-1, 1).
 */
export function conditionalGenerator(config: ConditionalGeneratorConfig): GraphNetwork {
  const what = 'conditionalGenerator';
  const numClasses = checkPositiveInt(config.numClasses, `${what}: numClasses`);
  const conditioning = checkGeneratorConditioning(config.conditioning, what);
  const latentDim = checkPositiveInt(config.latentDim ?? 100, `${what}: latentDim`);
  const embeddingDim = embeddingDimOf(conditioning, config.embeddingDim, numClasses, what);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { start, steps, channels } = dcganLayout(imageShape, what);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  return graphNetwork({
    name: config.name ?? 'generator',
    inputShape: [latentDim],
    seed: config.seed,
    numClasses,
    build: (b) => {
      const body = b.chain(
        [
          concatLabel({ numClasses, embeddingDim }),
          ...dcganGeneratorLayers(start, steps, channels, base, { hiddenUnits: config.hiddenUnits }),
        ],
        [latentDim],
      );
      return { outputShape: body.outputShape, forward: (z, options) => body.apply(z, options) };
    },
  });
}

/**
 * A conditional DCGAN discriminator for 28×28×1 digits by default, returning one logit per example
 * `[batch, 1]`. With `'one-hot'` or `'embedding'` conditioning (Mirza & Osindero, 2014) the label
 * vector is repeated at every pixel and concatenated to the image channels before the DCGAN
 * discriminator of {@link dcganDiscriminator}. With `'projection'` (Miyato & Koyama, 2018) the
 * output is `ψ(φ(x)) + ⟨embed(y), φ(x)⟩`: φ is the DCGAN feature extractor (convs, flattened),
 * ψ a dense layer to one logit (named `psi`) and `embed` a learned class embedding
 * `[numClasses, features]` (named `embed`); the endpoint `'features'` returns φ(x).
 *
 * `apply` needs `options.labels` (int32 `[batch]`, values in `[0, numClasses)`).
 */
export function conditionalDiscriminator(config: ConditionalDiscriminatorConfig): GraphNetwork {
  const what = 'conditionalDiscriminator';
  const numClasses = checkPositiveInt(config.numClasses, `${what}: numClasses`);
  const conditioning = config.conditioning;
  if (conditioning !== 'embedding' && conditioning !== 'one-hot' && conditioning !== 'projection') {
    throw new GankitError(
      'config',
      `${what}: conditioning must be 'embedding', 'one-hot' or 'projection', got ${JSON.stringify(conditioning)}`,
    );
  }
  const embeddingDim = embeddingDimOf(conditioning, config.embeddingDim, numClasses, what);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { steps } = dcganLayout(imageShape, what);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  const wp = config.weightParametrization;
  const features = dcganDiscriminatorFeatures(steps, base, config.batchNorm ?? true, wp, { hiddenUnits: config.hiddenUnits });
  const logit = dense({ units: 1, kernelInitializer: normal(0, 0.02), weightParametrization: wp });
  return graphNetwork({
    name: config.name ?? 'discriminator',
    inputShape: [...imageShape],
    seed: config.seed,
    numClasses,
    build: (b) => {
      if (conditioning !== 'projection') {
        const body = b.chain([concatLabel({ numClasses, embeddingDim }), ...features, logit], imageShape);
        return { outputShape: body.outputShape, forward: (x, options) => body.apply(x, options) };
      }
      const phi = b.chain(features, imageShape, 'phi');
      const featureCount = phi.outputShape[0];
      const psi = b.layer(logit, phi.outputShape, 'psi');
      const embed = b.layer(embedding({ inputDim: numClasses, outputDim: featureCount, initializer: normal(0, 0.02) }), [], 'embed');
      return {
        outputShape: [1],
        forward: (x, options) => {
          const h = phi.apply(x, options);
          const projection = tf.sum(tf.mul(embed.apply(options.labels as tf.Tensor, options), h), 1, true);
          return tf.add(psi.apply(h, options), projection);
        },
        endpoints: { features: { outputShape: phi.outputShape, forward: (x, options) => phi.apply(x, options) } },
      };
    },
  });
}

/**
 * An auxiliary-classifier GAN discriminator (Odena et al., 2017) for 28×28×1 digits by default:
 * the DCGAN feature extractor (stride-2 convs with leaky ReLU, flattened) feeds two dense heads, a
 * real/fake logit (`adversarial`) and `numClasses` class logits (`classifier`).
 *
 * `apply` returns **one tensor `[batch, 1 + numClasses]`**: column 0 is the real/fake logit, columns
 * `1 .. numClasses` the class logits (pass them to a softmax cross-entropy with the labels).
 * Split it with {@link splitAcganOutput}. A plain adversarial loss must be given only column 0: wrap
 * the loss so that it splits D's output first. It needs no labels (it predicts them); the endpoint
 * `'features'` returns the shared features.
 */
export function acganDiscriminator(config: AcganDiscriminatorConfig): GraphNetwork {
  const what = 'acganDiscriminator';
  const numClasses = checkPositiveInt(config.numClasses, `${what}: numClasses`);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { steps } = dcganLayout(imageShape, what);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  const wp = config.weightParametrization;
  const init = normal(0, 0.02);
  return graphNetwork({
    name: config.name ?? 'discriminator',
    inputShape: [...imageShape],
    seed: config.seed,
    build: (b) => {
      const phi = b.chain(
        dcganDiscriminatorFeatures(steps, base, config.batchNorm ?? true, wp, { hiddenUnits: config.hiddenUnits }),
        imageShape,
        'phi',
      );
      const adversarial = b.layer(dense({ units: 1, kernelInitializer: init, weightParametrization: wp }), phi.outputShape, 'adversarial');
      const classifier = b.layer(
        dense({ units: numClasses, kernelInitializer: init, weightParametrization: wp }),
        phi.outputShape,
        'classifier',
      );
      return {
        outputShape: [1 + numClasses],
        forward: (x, options) => {
          const h = phi.apply(x, options);
          return tf.concat([adversarial.apply(h, options), classifier.apply(h, options)], 1);
        },
        endpoints: { features: { outputShape: phi.outputShape, forward: (x, options) => phi.apply(x, options) } },
      };
    },
  });
}

/**
 * Splits an {@link acganDiscriminator} output `[batch, 1 + K]` into the real/fake logits `[batch, 1]`
 * (column 0) and the class logits `[batch, K]`. Returns new tensors that the caller disposes.
 *
 * @param out - D's output, rank 2 with at least 2 columns
 * @param numClasses - when given, checks that `out` has `1 + numClasses` columns
 */
export function splitAcganOutput(out: tf.Tensor, numClasses?: number): AcganOutput {
  if (out == null || !(out instanceof tf.Tensor))
    throw new GankitError('argument', `splitAcganOutput expects a tf.Tensor, got ${String(out)}`);
  const columns = out.shape[1] ?? 0;
  if (out.rank !== 2 || columns < 2) {
    throw new GankitError(
      'shape',
      `splitAcganOutput: expected [batch, 1 + numClasses] with numClasses >= 1, got ${formatShape(out.shape)}`,
    );
  }
  if (numClasses !== undefined && columns !== 1 + numClasses) {
    throw new GankitError(
      'shape',
      `splitAcganOutput: expected [batch, ${1 + numClasses}] for ${numClasses} classes, got ${formatShape(out.shape)}`,
    );
  }
  const [adversarial, classLogits] = tf.split(out as tf.Tensor2D, [1, columns - 1], 1);
  return { adversarial: adversarial as tf.Tensor2D, classLogits: classLogits as tf.Tensor2D };
}
