// BEGAN (Berthelot et al. 2017): the paper's autoencoder discriminator and generator (its decoder), a compact
// autoencoder with batch norm for small images, and the discriminator over any autoencoder.
import * as tf from '@tensorflow/tfjs-core';
import { type ApplyOptions, GankitError, type Network } from '@gankit/core';
import { StatelessLayer, checkPositiveInt, expectRank } from '../layer';
import type { LayerBuildContext, LayerSpec } from '../layer';
import { elu, relu, tanh } from '../layers/activations';
import { batchNorm } from '../layers/batch-norm';
import { conv2d } from '../layers/conv2d';
import { conv2dTranspose } from '../layers/conv2d-transpose';
import { dense } from '../layers/dense';
import { flatten, reshape } from '../layers/shape-layers';
import { sequential } from '../sequential';
import type { SequentialNetwork } from '../sequential';

/** The sizes shared by BEGAN's encoder, decoder and generator. */
export interface BeganNetworkConfig {
  /** Image shape `[h, w, c]` (default `[28, 28, 1]`); h and w divisible by 2^`scales`. */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** n, the filters of the first scale; the encoder's scale s has (s+1)·n (default 16; the paper 64–128). */
  readonly filters?: number | undefined;
  /** h, the length of the embedding and of z (default 32; the paper 64). */
  readonly hidden?: number | undefined;
  /** Halvings of the image between the image and the smallest feature map (default 2: 28 → 14 → 7). */
  readonly scales?: number | undefined;
  /** 3×3 convolutions with ELU at each scale (default 1; the paper 2). */
  readonly convsPerScale?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name. */
  readonly name?: string | undefined;
}

/** Configuration of {@link beganGenerator}. */
export interface BeganGeneratorConfig extends BeganNetworkConfig {
  /**
   * The last activation: `'linear'` (default, as the paper's decoder) or `'tanh'`. A tanh output
   * can saturate at the data's background value (−1) and stop G's gradient: a BEGAN generator
   * driven towards the blank images an early autoencoder reconstructs best stays there.
   */
  readonly output?: 'linear' | 'tanh' | undefined;
}

/** Configuration of {@link beganDiscriminator}. */
export interface BeganDiscriminatorConfig extends BeganNetworkConfig {
  /** The exponent η of the pixel-wise loss `mean |v − D(v)|^η`: 1 (default, as in the paper) or 2. */
  readonly eta?: 1 | 2 | undefined;
  /**
   * An autoencoder of your own (images to images of the same shape), e.g.
   * {@link beganCompactAutoencoder}, instead of the paper's ({@link beganAutoencoder}); the size
   * options (`imageShape`, `filters`, `hidden`, `scales`, `convsPerScale`, `seed`) then must not
   * be given. The discriminator takes ownership: disposing it disposes the autoencoder.
   */
  readonly autoencoder?: Network | undefined;
}

/** Configuration of {@link beganCompactAutoencoder}. */
export interface BeganCompactAutoencoderConfig {
  /** Image shape `[h, w, c]` (default `[28, 28, 1]`); h and w even. */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the one stride-2 convolution and of the decoder's `h/2 × w/2` map (default 64). */
  readonly filters?: number | undefined;
  /** Length of the embedding (default 32). */
  readonly hidden?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

/** BEGAN's discriminator: the autoencoder loss per example; what {@link beganDiscriminator} returns. */
export interface BeganDiscriminator extends Network {
  /** The autoencoder `image → embedding → image` whose variables the discriminator trains. */
  readonly autoencoder: Network;
  /** The exponent η of the loss. */
  readonly eta: 1 | 2;
  /** The autoencoder's reconstruction `D(v)` of a batch (inference mode unless told). */
  reconstruct(x: tf.Tensor, options?: ApplyOptions): tf.Tensor;
}

interface Sizes {
  shape: [number, number, number];
  n: number;
  h: number;
  scales: number;
  repeat: number;
  base: [number, number];
}

/** `imageShape` (default `[28, 28, 1]`), checked to be three positive integers. */
function imageShapeOf(imageShape: readonly [number, number, number] | undefined, what: string): [number, number, number] {
  const shape = imageShape ?? [28, 28, 1];
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('config', `${what}: imageShape must be [height, width, channels], got ${JSON.stringify(imageShape)}`);
  }
  return [shape[0], shape[1], shape[2]];
}

function sizesOf(config: BeganNetworkConfig, what: string): Sizes {
  const shape = imageShapeOf(config.imageShape, what);
  const scales = config.scales ?? 2;
  if (!Number.isInteger(scales) || scales < 0) throw new GankitError('config', `${what}: scales must be an integer >= 0, got ${scales}`);
  const f = 2 ** scales;
  if (shape[0] % f !== 0 || shape[1] % f !== 0) {
    throw new GankitError('config', `${what}: imageShape ${JSON.stringify(shape)} must have height and width divisible by 2^scales = ${f}`);
  }
  return {
    shape,
    n: checkPositiveInt(config.filters ?? 16, `${what}: filters`),
    h: checkPositiveInt(config.hidden ?? 32, `${what}: hidden`),
    scales,
    repeat: checkPositiveInt(config.convsPerScale ?? 1, `${what}: convsPerScale`),
    base: [shape[0] / f, shape[1] / f],
  };
}

/**
 * 2× nearest-neighbour upsampling by `tf.image.resizeNearestNeighbor`: the same values as
 * `upsampling2d`, whose broadcasts (Tile) are about ten times slower forward and backward on wasm.
 */
class ResizeUp extends StatelessLayer {
  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'upsampling takes NHWC images [batch, height, width, channels]');
    return [inputShape[0] * 2, inputShape[1] * 2, inputShape[2]];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [(x.shape[1] as number) * 2, (x.shape[2] as number) * 2]);
  }
}

const resizeUp = (): LayerSpec => ({ kind: 'upsampling2d', build: (ctx: LayerBuildContext) => new ResizeUp(ctx) });

const convs = (filters: number, repeat: number): LayerSpec[] =>
  Array.from({ length: repeat }, () => [conv2d({ filters, kernelSize: 3 }), elu()]).flat();

/**
 * BEGAN's decoder (Berthelot et al. 2017, Figure 1): dense `h → base·base·n`, then at each scale
 * `convsPerScale` 3×3 convolutions with ELU and a 2× nearest-neighbour upsampling (none after the
 * last), and a 3×3 convolution to the image channels.
 */
function decoderLayers(s: Sizes): LayerSpec[] {
  const layers: LayerSpec[] = [dense({ units: s.base[0] * s.base[1] * s.n }), reshape({ targetShape: [s.base[0], s.base[1], s.n] })];
  for (let i = 0; i <= s.scales; i++) {
    layers.push(...convs(s.n, s.repeat));
    if (i < s.scales) layers.push(resizeUp());
  }
  layers.push(conv2d({ filters: s.shape[2], kernelSize: 3 }));
  return layers;
}

/**
 * BEGAN's encoder (Berthelot et al. 2017, Figure 1): a 3×3 convolution with ELU, then at scale s
 * `convsPerScale` 3×3 convolutions of (s+1)·n filters with ELU and a stride-2 3×3 convolution of
 * (s+2)·n filters with ELU (the downsampling; none after the last scale), then dense to h, no
 * activation.
 */
function encoderLayers(s: Sizes): LayerSpec[] {
  const layers: LayerSpec[] = [conv2d({ filters: s.n, kernelSize: 3 }), elu()];
  for (let i = 0; i <= s.scales; i++) {
    layers.push(...convs((i + 1) * s.n, s.repeat));
    if (i < s.scales) layers.push(conv2d({ filters: (i + 2) * s.n, kernelSize: 3, strides: 2 }), elu());
  }
  layers.push(flatten(), dense({ units: s.h }));
  return layers;
}

/**
 * BEGAN's generator (Berthelot et al. 2017, Figure 1: the same architecture as the discriminator's
 * decoder, with its own weights): z of length h → image `[h, w, c]`, linear at the end like the
 * paper's decoder (or tanh, see {@link BeganGeneratorConfig.output}).
 */
export function beganGenerator(config: BeganGeneratorConfig = {}): SequentialNetwork {
  const s = sizesOf(config, 'beganGenerator');
  const output = config.output ?? 'linear';
  if (output !== 'linear' && output !== 'tanh') {
    throw new GankitError('config', `beganGenerator: output must be 'linear' or 'tanh', got ${JSON.stringify(output)}`);
  }
  return sequential({
    name: config.name ?? 'generator',
    inputShape: [s.h],
    seed: config.seed,
    layers: output === 'tanh' ? [...decoderLayers(s), tanh()] : decoderLayers(s),
  });
}

/**
 * BEGAN's autoencoder (Berthelot et al. 2017, Figure 1): the encoder to an h-dimensional embedding
 * and the decoder back to the image, with ELU activations; the output is linear.
 */
export function beganAutoencoder(config: BeganNetworkConfig = {}): SequentialNetwork {
  const s = sizesOf(config, 'beganAutoencoder');
  return sequential({
    name: config.name ?? 'autoencoder',
    inputShape: s.shape,
    seed: config.seed,
    layers: [...encoderLayers(s), ...decoderLayers(s)],
  });
}

/** Checks an autoencoder given to {@link beganDiscriminator}: no size options beside it, output shape = input shape. */
function ownAutoencoder(config: BeganDiscriminatorConfig): Network {
  const autoencoder = config.autoencoder as Network;
  const sizes = (['imageShape', 'filters', 'hidden', 'scales', 'convsPerScale', 'seed'] as const).filter((k) => config[k] !== undefined);
  if (sizes.length > 0) {
    throw new GankitError(
      'config',
      `beganDiscriminator: ${sizes.join(', ')} size the paper's autoencoder and cannot be given with your own autoencoder; build it with those sizes instead`,
    );
  }
  if (typeof autoencoder?.apply !== 'function' || !Array.isArray(autoencoder.inputShape)) {
    throw new GankitError('config', 'beganDiscriminator: autoencoder must be a Network (with apply, inputShape and outputShape)');
  }
  if (JSON.stringify(autoencoder.outputShape) !== JSON.stringify(autoencoder.inputShape)) {
    throw new GankitError(
      'shape',
      `beganDiscriminator: the autoencoder must give back images of its input shape ${JSON.stringify(autoencoder.inputShape)}, but it outputs ${JSON.stringify(autoencoder.outputShape)}`,
    );
  }
  return autoencoder;
}

/**
 * A small autoencoder for BEGAN's discriminator on small images, in the layout of the BEGAN
 * discriminator for MNIST in H. Lee's tensorflow-generative-model-collections: one 4×4 stride-2
 * convolution of `filters` with ReLU, a dense layer to the `hidden`-long embedding with **batch
 * norm** and ReLU, a dense layer back to an `h/2 × w/2 × filters` map with batch norm and ReLU, and
 * a 4×4 stride-2 transposed convolution to the image with tanh (for images in [-1, 1]; the
 * collection's has a sigmoid, for [0, 1]). Give it to {@link beganDiscriminator} as `autoencoder`.
 *
 * Batch norm makes the reconstruction of an example depend on the rest of its batch (the trainer
 * passes real and generated batches through D separately, in training mode). On 28×28 digits, with
 * a batch-normed generator (`dcganGenerator` with `hiddenUnits`), it drew varied digits where the
 * paper's autoencoder did not; the mnist-began example shows the runs.
 *
 * @example
 * ```ts
 * const discriminator = beganDiscriminator({ autoencoder: beganCompactAutoencoder({ seed: 2 }) });
 * ```
 */
export function beganCompactAutoencoder(config: BeganCompactAutoencoderConfig = {}): SequentialNetwork {
  const what = 'beganCompactAutoencoder';
  const shape = imageShapeOf(config.imageShape, what);
  if (shape[0] % 2 !== 0 || shape[1] % 2 !== 0) {
    throw new GankitError('config', `${what}: imageShape ${JSON.stringify(shape)} must have an even height and width`);
  }
  const filters = checkPositiveInt(config.filters ?? 64, `${what}: filters`);
  const hidden = checkPositiveInt(config.hidden ?? 32, `${what}: hidden`);
  const half: [number, number, number] = [shape[0] / 2, shape[1] / 2, filters];
  return sequential({
    name: config.name ?? 'discriminator',
    inputShape: shape,
    seed: config.seed,
    layers: [
      conv2d({ filters, kernelSize: 4, strides: 2, padding: 'same' }),
      relu(),
      flatten(),
      dense({ units: hidden }),
      batchNorm(),
      relu(),
      dense({ units: half[0] * half[1] * half[2] }),
      batchNorm(),
      relu(),
      reshape({ targetShape: half }),
      conv2dTranspose({ filters: shape[2], kernelSize: 4, strides: 2, padding: 'same' }),
      tanh(),
    ],
  });
}

/**
 * BEGAN's discriminator (Berthelot et al. 2017): an autoencoder ({@link beganAutoencoder}) whose
 * output is its pixel-wise loss per example, `L(v) = mean |v − AE(v)|^η` (eq. 1), shape
 * `[batch, 1]` — the value that `beganLoss` of `@gankit/losses` takes as "D's output"
 * (`beganReconstructionLoss` there computes the same L from a reconstruction). Its variables are
 * the autoencoder's; {@link BeganDiscriminator.reconstruct} gives the reconstructions.
 *
 * @example
 * ```ts
 * const discriminator = beganDiscriminator({ filters: 16, hidden: 32, seed: 2 });
 * const generator = beganGenerator({ filters: 16, hidden: 32, seed: 1 });
 * ```
 */
export function beganDiscriminator(config: BeganDiscriminatorConfig = {}): BeganDiscriminator {
  const eta = config.eta ?? 1;
  if (eta !== 1 && eta !== 2) throw new GankitError('config', `beganDiscriminator: eta must be 1 or 2, got ${String(eta)}`);
  const autoencoder =
    config.autoencoder === undefined ? beganAutoencoder({ ...config, name: config.name ?? 'discriminator' }) : ownAutoencoder(config);
  const name = config.name ?? autoencoder.name;
  return {
    name,
    inputShape: autoencoder.inputShape,
    outputShape: [1],
    trainableVariables: autoencoder.trainableVariables,
    nonTrainableVariables: autoencoder.nonTrainableVariables,
    autoencoder,
    eta,
    reconstruct: (x, options = { training: false }) => autoencoder.apply(x, options),
    apply(x, options) {
      return tf.tidy(() => {
        const d = tf.sub(x, autoencoder.apply(x, options));
        const e = eta === 1 ? tf.abs(d) : tf.square(d);
        return tf.mean(tf.reshape(e, [x.shape[0], -1]), 1, true);
      });
    },
    dispose: () => autoencoder.dispose(),
  };
}
