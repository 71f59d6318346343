import { GankitError, formatShape } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import { normal } from '../initializers';
import { checkPositiveInt } from '../layer';
import type { LayerSpec } from '../layer';
import { leakyRelu, relu, tanh } from '../layers/activations';
import { batchNorm } from '../layers/batch-norm';
import { layerNorm } from '../layers/instance-norm';
import { conv2d } from '../layers/conv2d';
import { conv2dTranspose } from '../layers/conv2d-transpose';
import { dense } from '../layers/dense';
import { selfAttention } from '../layers/self-attention';
import { flatten, reshape } from '../layers/shape-layers';
import { sequential } from '../sequential';
import { nearestUpsampling } from './unet';
import type { SequentialNetwork } from '../sequential';

/** Image shapes the general DCGAN builders are laid out for (others of the same form work too). */
export type DcganImageShape = readonly [28, 28, 1] | readonly [32, 32, 3] | readonly [64, 64, 3] | readonly [number, number, number];

/** Configuration of {@link dcganGenerator}. */
export interface DcganGeneratorConfig {
  /** Shape of a generated image `[size, size, channels]`, e.g. `[28, 28, 1]`, `[32, 32, 3]`, `[64, 64, 3]`. */
  readonly imageShape: DcganImageShape;
  /** Length of the latent vector z (default 100). */
  readonly latentDim?: number | undefined;
  /** Filters of the last hidden layer; each earlier layer has twice as many (default 64). */
  readonly baseFilters?: number | undefined;
  /**
   * Units of a dense layer (no bias, batch norm, ReLU) between z and the projection, as in
   * InfoGAN's MNIST generator (FC1024 before the 7×7 projection). Default: none.
   */
  readonly hiddenUnits?: number | undefined;
  /**
   * SAGAN (Zhang et al. 2019): a {@link selfAttention} layer after the block that puts out feature
   * maps of this size (one of `start·2^i` below the image size: 7 or 14 for 28×28). Default: none.
   */
  readonly selfAttention?: number | undefined;
  /** Reparametrizes every kernel (spectral norm in G too, as SAGAN does). Default: none. */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /**
   * How each step doubles the size: `'transposed'` (default), a 4×4 stride-2 transposed
   * convolution as in Radford et al.; or `'nearest'`, nearest-neighbour upsampling ×2 then a 3×3
   * convolution ('same'), the resize-convolution of Odena, Dumoulin and Olah (2016), which cannot
   * put out the checkerboard pattern of uneven transposed-convolution overlap.
   */
  readonly upsampling?: DcganUpsampling | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link dcganDiscriminator}. */
export interface DcganDiscriminatorConfig {
  /** Shape of an input image `[size, size, channels]`. */
  readonly imageShape: DcganImageShape;
  /** Filters of the first conv layer; each later layer has twice as many (default 64). */
  readonly baseFilters?: number | undefined;
  /**
   * Batch norm after every conv layer but the first (default `true`, as in Radford et al.). Turn it
   * off for losses with a gradient penalty (WGAN-GP), which needs per-example critic outputs.
   */
  readonly batchNorm?: boolean | undefined;
  /**
   * The normalization after every conv layer but the first (and after the hidden dense layer):
   * `'batch'`, `'layer'` ({@link layerNorm}: per example, as WGAN-GP's critics use it, so a
   * gradient penalty stays per example) or `'none'`. Default: `'batch'`, or `'none'` with
   * `batchNorm: false`; naming both is refused when they disagree.
   */
  readonly normalization?: DcganNormalization | undefined;
  /**
   * Units of a dense layer (normalized as the convs are, leaky ReLU 0.2) between the flattened
   * features and the logit, as in InfoGAN's MNIST discriminator (FC1024). Default: none.
   */
  readonly hiddenUnits?: number | undefined;
  /** Reparametrizes every kernel (e.g. spectral normalization from `@gankit/regularizers`). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /**
   * SAGAN (Zhang et al. 2019): a {@link selfAttention} layer after the strided conv that puts out
   * feature maps of this size (`size/2`, `size/4`, ...: 14 or 7 for 28×28). Default: none.
   */
  readonly selfAttention?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

/** How a DCGAN generator's steps double the size (see {@link DcganGeneratorConfig.upsampling}). */
export type DcganUpsampling = 'transposed' | 'nearest';

/** The normalization of a DCGAN discriminator's layers (see {@link DcganDiscriminatorConfig.normalization}). */
export type DcganNormalization = 'batch' | 'layer' | 'none';

/** The normalization that `batchNorm` and `normalization` ask for together; refuses a contradiction. */
export function dcganNormalization(
  batchNorm: boolean | undefined,
  normalization: DcganNormalization | undefined,
  what: string,
  fallback: boolean,
): DcganNormalization {
  if (normalization !== undefined && !['batch', 'layer', 'none'].includes(normalization))
    throw new GankitError('config', `${what}: normalization must be 'batch', 'layer' or 'none', got ${JSON.stringify(normalization)}`);
  if (normalization !== undefined && batchNorm !== undefined && batchNorm !== (normalization === 'batch'))
    throw new GankitError('config', `${what}: batchNorm ${batchNorm} contradicts normalization '${normalization}'; name one of them`);
  return normalization ?? ((batchNorm ?? fallback) ? 'batch' : 'none');
}

/**
 * How a square image size splits into a start size and a number of stride-2 steps: halve while the
 * size is even and the half at least 4 (28 = 7·2², 32 = 4·2³, 64 = 4·2⁴).
 */
export function dcganLayout(imageShape: readonly number[], what: string): { start: number; steps: number; channels: number } {
  if (!Array.isArray(imageShape) || imageShape.length !== 3 || imageShape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('config', `${what}: imageShape must be [size, size, channels], got ${JSON.stringify(imageShape)}`);
  }
  const [h, w, channels] = imageShape;
  if (h !== w) throw new GankitError('shape', `${what}: images must be square, got ${formatShape(imageShape)}`);
  let start = h;
  let steps = 0;
  while (start % 2 === 0 && start / 2 >= 4) {
    start /= 2;
    steps++;
  }
  if (steps === 0)
    throw new GankitError('shape', `${what}: image size ${h} cannot be reached by doubling from 4 or more; use e.g. 28, 32 or 64`);
  return { start, steps, channels };
}

/**
 * A DCGAN generator (Radford et al., 2015) for square images: a dense projection of z to
 * `start × start × baseFilters·2^(steps-1)` (no bias) with batch norm and ReLU, then `steps`
 * transposed convolutions (kernel 4, stride 2, 'same') that double the size and halve the filters,
 * each followed by batch norm and ReLU except the last, which outputs the image's channels (with a
 * bias, no batch norm) through tanh. No pooling; kernels N(0, 0.02).
 * For `[28, 28, 1]` with the defaults this is {@link dcganMnistGenerator}'s architecture.
 */
export function dcganGenerator(config: DcganGeneratorConfig): SequentialNetwork {
  const { start, steps, channels } = dcganLayout(config.imageShape, 'dcganGenerator');
  const latentDim = checkPositiveInt(config.latentDim ?? 100, 'dcganGenerator: latentDim');
  const base = checkPositiveInt(config.baseFilters ?? 64, 'dcganGenerator: baseFilters');
  const layers = dcganGeneratorLayers(start, steps, channels, base, {
    selfAttention: config.selfAttention,
    weightParametrization: config.weightParametrization,
    hiddenUnits: config.hiddenUnits,
    upsampling: config.upsampling,
  });
  return sequential({ name: config.name ?? 'generator', inputShape: [latentDim], seed: config.seed, layers });
}

/**
 * A DCGAN discriminator (Radford et al., 2015) for square images: `steps` strided convolutions
 * (kernel 4, stride 2, 'same') with `baseFilters`, twice that, ... filters, each followed by leaky
 * ReLU 0.2; batch norm (or `normalization`) after every conv but the first (not at the input; the
 * convs it follows have no bias); then flatten and a dense layer to one logit. No pooling; kernels
 * N(0, 0.02).
 */
export function dcganDiscriminator(config: DcganDiscriminatorConfig): SequentialNetwork {
  const { steps } = dcganLayout(config.imageShape, 'dcganDiscriminator');
  const base = checkPositiveInt(config.baseFilters ?? 64, 'dcganDiscriminator: baseFilters');
  const wp = config.weightParametrization;
  const layers = [
    ...dcganDiscriminatorFeatures(steps, base, dcganNormalization(config.batchNorm, config.normalization, 'dcganDiscriminator', true), wp, {
      selfAttention: config.selfAttention,
      imageSize: config.imageShape[0],
      hiddenUnits: config.hiddenUnits,
    }),
    dense({ units: 1, kernelInitializer: normal(0, 0.02), weightParametrization: wp }),
  ];
  return sequential({ name: config.name ?? 'discriminator', inputShape: [...config.imageShape], seed: config.seed, layers });
}

/**
 * The DCGAN generator's layers after the input (with `options.hiddenUnits`, first a dense layer of
 * that many units with batch norm and ReLU; then a dense projection to `start × start × base·2^(steps-1)`,
 * `steps` stride-2 transposed convolutions to `channels` (or, with `options.upsampling: 'nearest'`,
 * nearest-neighbour ×2 and a 3×3 convolution each), tanh). Shared with the conditional builders.
 */
export function dcganGeneratorLayers(
  start: number,
  steps: number,
  channels: number,
  base: number,
  options: DcganLayerOptions = {},
): LayerSpec[] {
  const init = normal(0, 0.02);
  const wp = options.weightParametrization;
  const first = base * 2 ** (steps - 1);
  const sizes = Array.from({ length: steps }, (_, i) => start * 2 ** i);
  const attention = attentionAt(options, sizes, 'dcganGenerator');
  const hidden = options.hiddenUnits;
  const upsampling = options.upsampling ?? 'transposed';
  if (upsampling !== 'transposed' && upsampling !== 'nearest')
    throw new GankitError('config', `dcganGenerator: upsampling must be 'transposed' or 'nearest', got ${JSON.stringify(upsampling)}`);
  /** One size-doubling step to `filters` channels (bias only on the output step, which has no batch norm). */
  const up = (filters: number, useBias: boolean): LayerSpec[] =>
    upsampling === 'nearest'
      ? [
          nearestUpsampling(2),
          conv2d({ filters, kernelSize: 3, padding: 'same', useBias, kernelInitializer: init, weightParametrization: wp }),
        ]
      : [conv2dTranspose({ filters, kernelSize: 4, strides: 2, useBias, kernelInitializer: init, weightParametrization: wp })];
  const layers: LayerSpec[] = [
    ...(hidden === undefined
      ? []
      : [
          dense({
            units: checkPositiveInt(hidden, 'dcganGenerator: hiddenUnits'),
            useBias: false,
            kernelInitializer: init,
            weightParametrization: wp,
          }),
          batchNorm(),
          relu(),
        ]),
    dense({ units: start * start * first, useBias: false, kernelInitializer: init, weightParametrization: wp }),
    batchNorm(),
    relu(),
    reshape({ targetShape: [start, start, first] }),
    ...attention(start),
  ];
  for (let i = 1; i < steps; i++) layers.push(...up(base * 2 ** (steps - 1 - i), false), batchNorm(), relu(), ...attention(sizes[i]));
  layers.push(...up(channels, true), tanh());
  return layers;
}

/** Extra parts of the DCGAN layer lists ({@link dcganGeneratorLayers}, {@link dcganDiscriminatorFeatures}). */
export interface DcganLayerOptions {
  /** A {@link selfAttention} layer (SAGAN) after the block that puts out feature maps of this size. */
  readonly selfAttention?: number | undefined;
  /** Reparametrizes every kernel of the generator's layers (the discriminator's take theirs as an argument). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** How the generator's steps double the size (default `'transposed'`; see {@link DcganGeneratorConfig.upsampling}). */
  readonly upsampling?: DcganUpsampling | undefined;
  /** The discriminator's input image size, which places its `selfAttention` (needed with it). */
  readonly imageSize?: number | undefined;
  /**
   * A dense hidden layer of this many units: in the generator between z and the projection (no bias,
   * batch norm, ReLU), in the discriminator after the flattened features (batch norm when the convs
   * have it, leaky ReLU 0.2). InfoGAN's MNIST networks have 1024. Default: none.
   */
  readonly hiddenUnits?: number | undefined;
}

/** The self-attention layer to add after a block of a given size (none for other sizes); checks the size. */
function attentionAt(options: DcganLayerOptions, sizes: readonly number[], what: string): (size: number) => LayerSpec[] {
  const at = options.selfAttention;
  if (at !== undefined && !sizes.includes(at)) {
    throw new GankitError('config', `${what}: selfAttention must be one of the feature-map sizes ${sizes.join(', ')}, got ${String(at)}`);
  }
  return (size) => (size === at ? [selfAttention({ weightParametrization: options.weightParametrization })] : []);
}

/**
 * The DCGAN discriminator's feature extractor: `steps` stride-2 convolutions (kernel 4) with leaky
 * ReLU 0.2, `normalization` after all but the first (`true`: batch norm, `false`: none), then
 * flatten, and with `options.hiddenUnits` a dense layer of that many units (normalized likewise,
 * leaky ReLU 0.2). Shared with the conditional builders.
 */
export function dcganDiscriminatorFeatures(
  steps: number,
  base: number,
  normalization: boolean | DcganNormalization,
  wp: WeightParametrizationFactory | undefined,
  options: Pick<DcganLayerOptions, 'selfAttention' | 'imageSize' | 'hiddenUnits'> = {},
): LayerSpec[] {
  const init = normal(0, 0.02);
  const sizes = Array.from({ length: steps }, (_, i) => (options.imageSize ?? 0) / 2 ** (i + 1));
  const attention = attentionAt({ selfAttention: options.selfAttention, weightParametrization: wp }, sizes, 'dcganDiscriminator');
  const kind = normalization === true ? 'batch' : normalization === false ? 'none' : normalization;
  const normalized = kind !== 'none';
  const normLayer = (): LayerSpec => (kind === 'layer' ? layerNorm() : batchNorm());
  const layers: LayerSpec[] = [];
  for (let i = 0; i < steps; i++) {
    const norm = normalized && i > 0;
    layers.push(
      conv2d({ filters: base * 2 ** i, kernelSize: 4, strides: 2, useBias: !norm, kernelInitializer: init, weightParametrization: wp }),
    );
    if (norm) layers.push(normLayer());
    layers.push(leakyRelu({ alpha: 0.2 }), ...attention(sizes[i]));
  }
  layers.push(flatten());
  if (options.hiddenUnits !== undefined) {
    const units = checkPositiveInt(options.hiddenUnits, 'dcganDiscriminator: hiddenUnits');
    layers.push(dense({ units, useBias: !normalized, kernelInitializer: init, weightParametrization: wp }));
    if (normalized) layers.push(normLayer());
    layers.push(leakyRelu({ alpha: 0.2 }));
  }
  return layers;
}
