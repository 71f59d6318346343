// pix2pix's conditional PatchGAN (Isola et al. 2017, §3.2.2): D judges an (input, output) pair,
// one logit per image patch.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { Network, WeightParametrizationFactory } from '@gankit/core';
import { checkPositiveInt } from '../layer';
import type { SequentialNetwork } from '../sequential';
import { patchganDiscriminator } from './cyclegan';
import { checkShape, upsampleNearest, wholeFactor } from './unet';

/** Configuration of {@link pix2pixDiscriminator}. */
export interface Pix2pixDiscriminatorConfig {
  /** Shape `[h, w, c]` of the generator's input, the condition (e.g. `[7, 7, 1]` for super-resolution). */
  readonly inputShape: readonly [number, number, number];
  /** Shape `[H, W, c']` of the generator's output and of the targets (default: the input's). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the first conv, doubled per layer up to 8× (default 64; e.g. 16 on a CPU). */
  readonly filters?: number | undefined;
  /** Number of stride-2 4×4 convs (default 2: 28×28 → a 7×7 map of 22×22 patches; see {@link patchganReceptiveField}). */
  readonly layers?: number | undefined;
  /** Reparametrizes every conv kernel (e.g. spectral normalization). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

/**
 * The side of the square image patch one output logit of a PatchGAN sees: the receptive field of
 * `layers` 4×4 stride-2 convs, `extraStride1` 4×4 stride-1 convs, and the final 4×4 stride-1 conv
 * to one channel. pix2pix's 70×70 discriminator is `patchganReceptiveField(3, 1)` = 70; the 1×1
 * "PixelGAN" and the full-image "ImageGAN" are its extremes (Isola et al. 2017, §4.4).
 */
export function patchganReceptiveField(layers: number, extraStride1 = 0): number {
  if (!Number.isInteger(layers) || layers < 0 || !Number.isInteger(extraStride1) || extraStride1 < 0) {
    throw new GankitError(
      'config',
      `patchganReceptiveField: layers and extraStride1 must be non-negative integers, got ${layers} and ${extraStride1}`,
    );
  }
  let field = 1;
  let jump = 1;
  for (let i = 0; i < layers; i++) {
    field += 3 * jump;
    jump *= 2;
  }
  return field + 3 * jump * (extraStride1 + 1);
}

/**
 * Packs what a conditional discriminator judges: the channels of the (real or generated) `output`
 * `[batch, H, W, c']` followed by those of the `condition` `[batch, h, w, c]`, upsampled by
 * nearest neighbour when it is smaller (super-resolution), giving `[batch, H, W, c' + c]` — the
 * concatenation D(x, y) of pix2pix (Isola et al. 2017, eq. 1). Differentiable in both.
 */
export function packPair(output: tf.Tensor, condition: tf.Tensor): tf.Tensor {
  const what = 'packPair';
  for (const [name, t] of [
    ['output', output],
    ['condition', condition],
  ] as const) {
    if (!(t instanceof tf.Tensor) || t.rank !== 4)
      throw new GankitError(
        'shape',
        `${what}: ${name} must be images [batch, height, width, channels], got ${t instanceof tf.Tensor ? formatShape(t.shape) : String(t)}`,
      );
  }
  const [n, H, W] = output.shape;
  const [m, h, w] = condition.shape;
  const factor = wholeFactor([h, w], [H, W]);
  if (n !== m || factor === undefined) {
    throw new GankitError(
      'shape',
      `${what}: the output ${formatShape(output.shape)} must be the same batch and a whole multiple of the condition ${formatShape(condition.shape)} in height and width`,
    );
  }
  return tf.tidy(() => {
    return tf.concat([output, upsampleNearest(condition, factor)], 3);
  });
}

/**
 * The output half of a packed pair (see {@link packPair}): its first `outputChannels` channels,
 * `[batch, H, W, outputChannels]`, e.g. to put pix2pix's L1 term on a packed fake and a packed real
 * pair. Differentiable.
 */
export function unpackPair(packed: tf.Tensor, outputChannels: number): tf.Tensor {
  if (!(packed instanceof tf.Tensor) || packed.rank !== 4)
    throw new GankitError(
      'shape',
      `unpackPair: packed must be images [batch, height, width, channels], got ${packed instanceof tf.Tensor ? formatShape(packed.shape) : String(packed)}`,
    );
  const c = checkPositiveInt(outputChannels, 'unpackPair: outputChannels');
  const channels = packed.shape[3] as number;
  if (c >= channels)
    throw new GankitError(
      'shape',
      `unpackPair: a packed pair of ${channels} channels has no room for ${c} output channels and a condition`,
    );
  return tf.slice(packed, [0, 0, 0, 0], [-1, -1, -1, c]);
}

/**
 * A generator that puts out the packed pair `packPair(G(x), x)` instead of G(x): what a
 * conditional discriminator judges, so that a game's ordinary adversarial pair (generator input
 * `{ kind: 'data' }`, real batches from `PairedDataset.packed` of `@gankit/data`) trains pix2pix's
 * `L_cGAN(G, D) = E[log D(x, y)] + E[log(1 − D(x, G(x)))]` (Isola et al. 2017, eq. 1) without any
 * change to the trainer. It shares G's variables (training it trains G; `dispose` frees G);
 * {@link unpackPair} gets G(x) back.
 */
export function pairedGenerator(generator: Network): Network {
  if (!generator || typeof generator.apply !== 'function')
    throw new GankitError('config', 'pairedGenerator: generator must be a Network with apply(x, options)');
  const [H, W, c] = generator.outputShape;
  const input = generator.inputShape;
  if (generator.outputShape.length !== 3 || input.length !== 3 || wholeFactor(input, [H, W]) === undefined) {
    throw new GankitError(
      'shape',
      `pairedGenerator: '${generator.name}' must map images [h, w, c] to images a whole multiple of their size, got ${formatShape(input)} → ${formatShape(generator.outputShape)}`,
    );
  }
  return {
    name: generator.name,
    inputShape: input,
    outputShape: [H, W, c + input[2]],
    get trainableVariables() {
      return generator.trainableVariables;
    },
    get nonTrainableVariables() {
      return generator.nonTrainableVariables;
    },
    apply: (x, options) => tf.tidy(() => packPair(generator.apply(x, options), x)),
    dispose: () => generator.dispose(),
  };
}

/**
 * pix2pix's conditional PatchGAN discriminator (Isola et al. 2017, §3.2.2 and eq. 1): it judges an
 * (input, output) pair, so a generator is punished for outputs that do not fit their input, and it
 * classifies each N×N patch as real or fake (one logit per patch, averaged by the loss), modelling
 * high frequencies while the L1 term ({@link packPair}'s companion `l1ReconstructionLoss` of
 * `@gankit/losses`) takes care of the low ones. Its input is the pair packed by {@link packPair}:
 * `[batch, H, W, c' + c]`, the output's channels then the condition's (upsampled to H×W).
 *
 * The body is {@link patchganDiscriminator} (4×4 stride-2 convs, instance norm after all but the
 * first, leaky ReLU 0.2, a final 4×4 conv to one channel). The output is a patch map
 * `[batch, H/2^layers, W/2^layers, 1]` (rounded up) of logits, each seeing a
 * {@link patchganReceptiveField}`(layers)`-pixel square of the pair. Instance norm makes every
 * logit depend a little on the whole image's statistics.
 */
export function pix2pixDiscriminator(config: Pix2pixDiscriminatorConfig): SequentialNetwork {
  const what = 'pix2pixDiscriminator';
  const [h, w, c] = checkShape(config.inputShape, `${what}: inputShape`);
  const [H, W, outC] = checkShape(config.imageShape ?? [h, w, c], `${what}: imageShape`);
  if (wholeFactor([h, w], [H, W]) === undefined) {
    throw new GankitError('shape', `${what}: the image ${H}×${W} must be the same whole multiple of the input ${h}×${w} on both axes`);
  }
  return patchganDiscriminator({
    imageShape: [H, W, outC + c],
    filters: config.filters,
    layers: checkPositiveInt(config.layers ?? 2, `${what}: layers`),
    weightParametrization: config.weightParametrization,
    seed: config.seed,
    name: config.name ?? 'discriminator',
  });
}
