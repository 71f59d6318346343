// pix2pix's U-Net generator (Isola et al. 2017, §3.2.1; after Ronneberger et al. 2015), sized for
// small images, with an input upsampling stage for super-resolution (7×7 or 14×14 → 28×28).
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { graphNetwork } from '../graph';
import type { LayerChain } from '../chain';
import type { GraphNetwork } from '../graph';
import { normal } from '../initializers';
import { checkPositiveInt } from '../layer';
import type { LayerSpec } from '../layer';
import { leakyRelu, relu } from '../layers/activations';
import { batchNorm } from '../layers/batch-norm';
import { conv2d } from '../layers/conv2d';
import { instanceNorm } from '../layers/instance-norm';

/**
 * Nearest-neighbour upsampling of NHWC images by an integer factor, `[n, h, w, c]` →
 * `[n, h·k, w·k, c]`: the values of {@link upsampling2d}, computed as two rank-4 broadcasts of a
 * product with ones (on the wasm backend ~100× faster forward than the `Tile` kernel that
 * `broadcastTo` runs). Differentiable. @internal
 */
export function upsampleNearest(x: tf.Tensor, factor: number): tf.Tensor {
  if (factor === 1) return x;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  return tf.tidy(() => {
    const ones = tf.ones([1, 1, factor, 1]);
    const wide = tf.mul(tf.reshape(x, [n * h, w, 1, c]), ones);
    return tf.reshape(tf.mul(tf.reshape(wide, [n, h, 1, w * factor * c]), ones), [n, h * factor, w * factor, c]);
  });
}

/** A stateless layer that applies {@link upsampleNearest}. @internal */
export function nearestUpsampling(factor: number): LayerSpec {
  return {
    kind: 'upsample',
    build: (ctx) => ({
      name: ctx.name,
      inputShape: ctx.inputShape,
      usesLabels: false,
      trainableVariables: [],
      nonTrainableVariables: [],
      outputShape: (shape: readonly number[]) => [shape[0] * factor, shape[1] * factor, shape[2]],
      apply: (x: tf.Tensor) => upsampleNearest(x, factor),
      dispose: () => {},
    }),
  };
}

/** Normalisation of a {@link unetGenerator}'s hidden layers. */
export type UnetNorm = 'instance' | 'batch' | 'none';

/** Configuration of {@link unetGenerator}. */
export interface UnetGeneratorConfig {
  /** Input image shape `[h, w, c]` (e.g. `[28, 28, 1]`, or `[7, 7, 1]` / `[14, 14, 1]` for super-resolution). */
  readonly inputShape: readonly [number, number, number];
  /**
   * Output image shape `[H, W, c']` (default: the input's). H and W must be the same integer
   * multiple of h and w: the input is first upsampled (nearest neighbour) by that factor.
   */
  readonly outputShape?: readonly [number, number, number] | undefined;
  /** Filters of the first encoder layer, doubled per level (default 32). */
  readonly filters?: number | undefined;
  /**
   * Number of stride-2 encoder levels (default: as many halvings of the output size as leave an
   * integer size ≥ 4, e.g. 2 for 28×28: 28 → 14 → 7). The output size must be divisible by 2^levels.
   */
  readonly levels?: number | undefined;
  /** Normalisation after each conv but the first and last (default `'instance'`, which is pix2pix's batch norm at batch size 1). */
  readonly norm?: UnetNorm | undefined;
  /** Keep the skip connections (default `true`); `false` gives the plain encoder–decoder of the paper's ablation. */
  readonly skips?: boolean | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Checks an image shape `[h, w, c]` of positive integers. @internal */
export function checkShape(shape: unknown, what: string): [number, number, number] {
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('config', `${what} must be [height, width, channels], got ${JSON.stringify(shape)}`);
  }
  return [shape[0], shape[1], shape[2]];
}

/** The whole factor k with `[H, W] = k·[h, w]`, or `undefined` when there is none. @internal */
export function wholeFactor(small: readonly number[], large: readonly number[]): number | undefined {
  const k = large[0] / small[0];
  return Number.isInteger(k) && large[1] / small[1] === k ? k : undefined;
}

/** The upsampling factor and level count of a {@link unetGenerator} configuration (checked). */
export function unetLayout(config: UnetGeneratorConfig): { factor: number; levels: number } {
  const what = 'unetGenerator';
  const [h, w, c] = checkShape(config.inputShape, `${what}: inputShape`);
  const [H, W] = checkShape(config.outputShape ?? [h, w, c], `${what}: outputShape`);
  const factor = wholeFactor([h, w], [H, W]);
  if (factor === undefined) {
    throw new GankitError(
      'shape',
      `${what}: the output ${H}×${W} must be the same integer multiple of the input ${h}×${w} on both axes (e.g. 7×7 → 28×28)`,
    );
  }
  let levels = config.levels;
  if (levels === undefined) {
    levels = 0;
    for (let s = Math.min(H, W); s % 2 === 0 && s / 2 >= 4; s /= 2) levels++;
  }
  if (!Number.isInteger(levels) || levels < 1)
    throw new GankitError('config', `${what}: levels must be a positive integer (the output ${H}×${W} allows none), got ${String(levels)}`);
  if (H % 2 ** levels !== 0 || W % 2 ** levels !== 0) {
    throw new GankitError(
      'shape',
      `${what}: the output ${formatShape([H, W])} is not divisible by 2^${levels} = ${2 ** levels}; use fewer levels`,
    );
  }
  return { factor, levels };
}

/**
 * pix2pix's generator (Isola et al. 2017, §3.2.1 and appendix 6.1.1), a U-Net: an encoder of
 * stride-2 4×4 convolutions with leaky ReLU 0.2 (f, 2f, 4f, ... filters, no normalisation on the
 * first), a 3×3 bottleneck, and a decoder that mirrors it, each decoder level upsampling ×2
 * (nearest neighbour, then a 3×3 conv with ReLU: no checkerboard, and fast on the wasm backend)
 * after **concatenating the encoder activation of the same size** — the skip connections that let
 * low-level detail (edges, stroke positions) go around the bottleneck. The last layer sees the
 * input image too (concatenated) and puts out the output channels through tanh.
 *
 * For super-resolution (SRGAN's task, Ledig et al. 2017) give an `outputShape` a whole multiple of
 * the input (7×7 or 14×14 → 28×28): the input is first upsampled by nearest neighbour, and the
 * U-Net learns the detail. Input `[batch, h, w, c]` in [-1, 1]; output `[batch, H, W, c']` in (-1, 1).
 * Kernels N(0, 0.02) as in pix2pix. The paper's dropout (its only noise) is left out: pix2pix
 * found the generator ignores noise, and the outputs here are deterministic.
 *
 * Layers: `upsample_input` (when the factor > 1), `enc_<i>` (+ `enc_<i>_norm`), `bottleneck`,
 * `dec_<i>` (+ `dec_<i>_norm`) from the deepest level up, `to_image`.
 */
export function unetGenerator(config: UnetGeneratorConfig): GraphNetwork {
  const what = 'unetGenerator';
  const inputShape = checkShape(config.inputShape, `${what}: inputShape`);
  const outputShape = checkShape(config.outputShape ?? inputShape, `${what}: outputShape`);
  const { factor, levels } = unetLayout(config);
  const base = checkPositiveInt(config.filters ?? 32, `${what}: filters`);
  const norm = config.norm ?? 'instance';
  if (norm !== 'instance' && norm !== 'batch' && norm !== 'none')
    throw new GankitError('config', `${what}: norm must be 'instance', 'batch' or 'none', got ${JSON.stringify(norm)}`);
  const skips = config.skips ?? true;
  if (typeof skips !== 'boolean') throw new GankitError('config', `${what}: skips must be true or false, got ${JSON.stringify(skips)}`);
  const init = normal(0, 0.02);
  const filters = (level: number) => base * 2 ** Math.max(0, level - 1); // level 1 → f, 2 → 2f, ...
  const normSpec = (): LayerSpec[] => (norm === 'instance' ? [instanceNorm()] : norm === 'batch' ? [batchNorm()] : []);
  const [H, W, outChannels] = outputShape;
  return graphNetwork({
    name: config.name ?? 'generator',
    inputShape,
    seed: config.seed,
    build: (b) => {
      const upsample = factor > 1 ? b.layer(nearestUpsampling(factor), inputShape, 'upsample_input') : undefined;
      const size = (level: number): [number, number] => [H / 2 ** level, W / 2 ** level];
      const inChannels = inputShape[2];
      const channelsAt = (level: number) => (level === 0 ? inChannels : filters(level));
      const encoders: LayerChain[] = [];
      for (let l = 1; l <= levels; l++) {
        const specs: LayerSpec[] = [
          conv2d({ filters: filters(l), kernelSize: 4, strides: 2, useBias: l === 1 || norm === 'none', kernelInitializer: init }),
          ...(l === 1 ? [] : normSpec()),
          leakyRelu({ alpha: 0.2 }),
        ];
        encoders.push(b.chain(specs, [...size(l - 1), channelsAt(l - 1)], `enc_${l}`));
      }
      const deepest = filters(levels);
      const bottleneck = b.chain(
        [conv2d({ filters: deepest, kernelSize: 3, useBias: norm === 'none', kernelInitializer: init }), ...normSpec(), relu()],
        [...size(levels), deepest],
        'bottleneck',
      );
      // Decoder level l goes from size(l) to size(l − 1); it reads the skip of encoder level l.
      const decoders: LayerChain[] = [];
      let channels = deepest;
      for (let l = levels; l >= 1; l--) {
        const inC = channels + (skips ? channelsAt(l) : 0);
        const out = filters(Math.max(1, l - 1));
        decoders.push(
          b.chain(
            [
              nearestUpsampling(2),
              conv2d({ filters: out, kernelSize: 3, useBias: norm === 'none', kernelInitializer: init }),
              ...normSpec(),
              relu(),
            ],
            [...size(l), inC],
            `dec_${l}`,
          ),
        );
        channels = out;
      }
      const toImage = b.layer(
        conv2d({ filters: outChannels, kernelSize: 3, kernelInitializer: init }),
        [H, W, channels + (skips ? inChannels : 0)],
        'to_image',
      );
      return {
        outputShape: [...outputShape],
        forward: (x, options) => {
          const x0 = upsample ? upsample.apply(x, options) : x;
          const acts = [x0];
          for (const enc of encoders) acts.push(enc.apply(acts[acts.length - 1], options));
          let h = bottleneck.apply(acts[levels], options);
          decoders.forEach((dec, i) => {
            const level = levels - i;
            h = dec.apply(skips ? tf.concat([h, acts[level]], 3) : h, options);
          });
          return tf.tanh(toImage.apply(skips ? tf.concat([h, x0], 3) : h, options));
        },
      };
    },
  });
}
