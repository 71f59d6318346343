import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions, Network } from '@gankit/core';
import type { LayerChain } from '../chain';
import { graphNetwork } from '../graph';
import type { GraphBuilder, GraphNetwork } from '../graph';
import { heNormal } from '../initializers';
import { checkPositiveInt } from '../layer';
import type { Layer, LayerSpec } from '../layer';
import { leakyRelu, tanh } from '../layers/activations';
import { conv2d } from '../layers/conv2d';
import { dense } from '../layers/dense';
import { equalizedConv2d, equalizedDense } from '../layers/equalized';
import { minibatchStddev } from '../layers/minibatch-stddev';
import { pixelNorm } from '../layers/pixel-norm';
import { avgPool2d } from '../layers/pooling';
import { flatten, reshape } from '../layers/shape-layers';
import { dcganLayout } from './dcgan';
import { nearestUpsampling } from './unet';

/** What the progressive generator and discriminator share in their configuration. */
export interface ProgressiveCommonConfig {
  /**
   * Shape of the final images `[size, size, channels]`. The resolutions are the size halved while
   * it stays even and at least 4: 28 → 7, 14, 28; 32 → 4, 8, 16, 32.
   */
  readonly imageShape: readonly [number, number, number];
  /** Filters of the blocks, one number for every resolution or one per resolution from low to high (default 64). */
  readonly filters?: number | readonly number[] | undefined;
  /** Equalized learning rate in every dense and conv layer (default `true`, Karras et al. §4.1). */
  readonly equalizedLearningRate?: boolean | undefined;
  /** The stage (index into the resolutions) the network starts at (default 0, the lowest). */
  readonly stage?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
}

/** Configuration of {@link progressiveGenerator}. */
export interface ProgressiveGeneratorConfig extends ProgressiveCommonConfig {
  /** Length of the latent vector z (default 128). */
  readonly latentDim?: number | undefined;
  /** Pixel-wise feature normalization of z and after every conv (default `true`, §4.2). */
  readonly pixelNorm?: boolean | undefined;
  /** Activation of the images after the fade (default `'linear'`, as the paper; `'tanh'` bounds them to (-1, 1)). */
  readonly outputActivation?: 'linear' | 'tanh' | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link progressiveDiscriminator}. */
export interface ProgressiveDiscriminatorConfig extends ProgressiveCommonConfig {
  /** Group size of the minibatch standard-deviation layer before the last block (default 4; 0 leaves it out). */
  readonly minibatchStddevGroupSize?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

/**
 * A network of a progressive GAN (Karras et al. 2018): one block per resolution, all built (and
 * listed in `trainableVariables`, lowest resolution first) from the start, of which the first
 * `stage + 1` run. Its input or output is always the final image size, so the trainer, the data and
 * the checkpoints see one shape throughout the growth; {@link ProgressiveNetwork.setGrowth} moves
 * it between stages and fades.
 */
export interface ProgressiveNetwork extends Network {
  /** The resolutions from low to high, e.g. `[7, 14, 28]`. */
  readonly resolutions: readonly number[];
  /** The index of the highest resolution that runs now. */
  readonly stage: number;
  /** The fade-in α of the newest block (1 when it runs alone; meaningless at stage 0). */
  readonly alpha: number;
  /** `resolutions[stage]`. */
  readonly resolution: number;
  /** Every layer the network owns, in the order they were built (lowest resolution first). */
  readonly layers: readonly Layer[];
  /**
   * Sets the stage and the fade-in α ∈ [0, 1] of its block: α = 0 is exactly the network of the
   * stage before, α = 1 the new block alone (§3, Fig. 2).
   */
  setGrowth(stage: number, alpha: number): void;
  /** One line per layer: name, output shape and parameter count. */
  summary(): string;
}

/** The resolutions, filters and layer makers of a progressive network. */
function plan(config: ProgressiveCommonConfig, what: string) {
  const { start, steps, channels } = dcganLayout(config.imageShape, what);
  const resolutions = Array.from({ length: steps + 1 }, (_, i) => start * 2 ** i);
  const f = config.filters ?? 64;
  const filters = typeof f === 'number' ? resolutions.map(() => f) : [...f];
  if (filters.length !== resolutions.length) {
    throw new GankitError(
      'config',
      `${what}: filters must be one number or ${resolutions.length} numbers (one per resolution ${resolutions.join(', ')}), got ${filters.length}`,
    );
  }
  filters.forEach((n, i) => checkPositiveInt(n, `${what}: filters[${i}]`));
  const eq = config.equalizedLearningRate ?? true;
  const conv = (n: number, kernelSize: number, gain = Math.SQRT2): LayerSpec =>
    eq ? equalizedConv2d({ filters: n, kernelSize, gain }) : conv2d({ filters: n, kernelSize, kernelInitializer: heNormal() });
  const fc = (units: number, gain = Math.SQRT2): LayerSpec =>
    eq ? equalizedDense({ units, gain }) : dense({ units, kernelInitializer: heNormal() });
  return { resolutions, filters, channels, conv, fc };
}

/** Growth state shared by a network's forward function and its `setGrowth`. */
class Growth {
  stage = 0;
  alpha = 1;

  constructor(
    readonly owner: string,
    readonly resolutions: readonly number[],
  ) {}

  set(stage: number, alpha: number): void {
    if (!Number.isInteger(stage) || stage < 0 || stage >= this.resolutions.length) {
      throw new GankitError(
        'config',
        `${this.owner}: stage must be an integer in [0, ${this.resolutions.length - 1}] (resolutions ${this.resolutions.join(', ')}), got ${stage}`,
      );
    }
    if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
      throw new GankitError('config', `${this.owner}: alpha must be a number in [0, 1], got ${String(alpha)}`);
    }
    this.stage = stage;
    this.alpha = alpha;
  }

  /** Whether the newest block is fading in (and the previous resolution's path still counts). */
  get fading(): boolean {
    return this.stage > 0 && this.alpha < 1;
  }
}

/** `old + α·(new − old)`: exactly `old` at α = 0. */
function lerp(old: tf.Tensor, next: tf.Tensor, alpha: number): tf.Tensor {
  return tf.add(old, tf.mul(tf.sub(next, old), alpha));
}

/** Nearest-neighbour upsampling and average-pooling layers by factor, built once each. */
function resamplers(b: GraphBuilder, resolutions: readonly number[], channels: number, kind: 'up' | 'down') {
  const top = resolutions[resolutions.length - 1];
  const byFactor = new Map<number, Layer>();
  for (let factor = 2; factor <= top / resolutions[0]; factor *= 2) {
    const layer =
      kind === 'up'
        ? b.layer(nearestUpsampling(factor), [top / factor, top / factor, channels], `upsample_x${factor}`)
        : b.layer(avgPool2d({ poolSize: factor }), [top, top, channels], `downsample_x${factor}`);
    byFactor.set(factor, layer);
  }
  return (x: tf.Tensor, factor: number, options: ApplyOptions): tf.Tensor =>
    factor === 1 ? x : (byFactor.get(factor) as Layer).apply(x, options);
}

/**
 * The generator of a progressive GAN (Karras et al. 2018, Table 2, scaled to small images). z is
 * pixel-normalized, a dense layer makes the lowest resolution's `r₀ × r₀ × filters[0]` map,
 * then a 3×3 conv; each further resolution's block is nearest-neighbour upsampling ×2 and two 3×3
 * convs; every conv is followed by leaky ReLU 0.2 and pixel norm (§4.2), and every layer uses the
 * equalized learning rate (§4.1). Each resolution has its own toRGB (a 1×1 conv, gain 1).
 *
 * At stage s with fade-in α (§3, Fig. 2), the image is
 * `lerp(upsample₂(toRGB_{s−1}(h_{s−1})), toRGB_s(h_s), α)` (only `toRGB_s(h_s)` once α = 1),
 * then the output activation, then nearest-neighbour upsampling to the final size: the output is
 * always `[n, size, size, channels]`, blocky at low stages. At α = 0 the output equals the previous
 * stage's exactly. Start with {@link ProgressiveNetwork.setGrowth} or the `stage` option; a growth
 * schedule plugin (`progressiveGrowth` in `@gankit/trainer`) moves it during training.
 *
 * Layers are named by resolution (`generator/block_14/...`, `generator/to_rgb_14`), so a generator
 * for 14×14 images with the same seed has the same weights as the first two stages of one for
 * 28×28.
 */
export function progressiveGenerator(config: ProgressiveGeneratorConfig): ProgressiveNetwork {
  const what = 'progressiveGenerator';
  const { resolutions, filters, channels, conv, fc } = plan(config, what);
  const latentDim = checkPositiveInt(config.latentDim ?? 128, `${what}: latentDim`);
  const usePixelNorm = config.pixelNorm ?? true;
  const outputActivation = config.outputActivation ?? 'linear';
  if (outputActivation !== 'linear' && outputActivation !== 'tanh') {
    throw new GankitError('config', `${what}: outputActivation must be 'linear' or 'tanh', got ${JSON.stringify(outputActivation)}`);
  }
  const name = config.name ?? 'generator';
  const growth = new Growth(`${what} '${name}'`, resolutions);
  const top = resolutions[resolutions.length - 1];
  const act = (): LayerSpec[] => (usePixelNorm ? [leakyRelu({ alpha: 0.2 }), pixelNorm()] : [leakyRelu({ alpha: 0.2 })]);
  const graph = graphNetwork({
    name,
    inputShape: [latentDim],
    seed: config.seed,
    build: (b) => {
      const blocks: LayerChain[] = [];
      const toRgb: Layer[] = [];
      resolutions.forEach((r, i) => {
        const n = filters[i];
        const specs =
          i === 0
            ? [...(usePixelNorm ? [pixelNorm()] : []), fc(r * r * n), ...act(), reshape({ targetShape: [r, r, n] }), conv(n, 3), ...act()]
            : [nearestUpsampling(2), conv(n, 3), ...act(), conv(n, 3), ...act()];
        blocks.push(b.chain(specs, i === 0 ? [latentDim] : [r / 2, r / 2, filters[i - 1]], `block_${r}`));
        toRgb.push(b.layer(conv(channels, 1, 1), [r, r, n], `to_rgb_${r}`));
      });
      const output = outputActivation === 'tanh' ? b.layer(tanh(), [top, top, channels], 'output') : null;
      const up = resamplers(b, resolutions, channels, 'up');
      return {
        outputShape: [top, top, channels],
        forward: (z, options) => {
          const s = growth.stage;
          let h = blocks[0].apply(z, options);
          let previous = h;
          for (let i = 1; i <= s; i++) {
            previous = h;
            h = blocks[i].apply(h, options);
          }
          let img = toRgb[s].apply(h, options);
          if (growth.fading) img = lerp(up(toRgb[s - 1].apply(previous, options), 2, options), img, growth.alpha);
          const full = up(img, top / resolutions[s], options);
          return output ? output.apply(full, options) : full;
        },
      };
    },
  });
  return withGrowth(graph, growth, config.stage);
}

/**
 * The discriminator of a progressive GAN (Karras et al. 2018, Table 2, scaled to small images).
 * Each resolution has a fromRGB (1×1 conv + leaky ReLU) and, above the lowest, a block of two 3×3
 * convs (leaky ReLU 0.2) and 2×2 average pooling; the lowest resolution ends with the minibatch
 * standard-deviation layer (§3), a 3×3 conv, a dense layer and a linear dense output (gain 1);
 * equalized learning rate everywhere (§4.1), no normalization.
 *
 * It always takes final-size images `[n, size, size, channels]` and average-pools them to the
 * current resolution. At stage s with fade-in α (§3, Fig. 2) the features entering block s−1 are
 * `lerp(fromRGB_{s−1}(pool(x)), block_s(fromRGB_s(x_s)), α)`: at α = 0 exactly the previous stage's
 * network, at α = 1 the new block alone. The real images should be faded the same way (the growth
 * plugin does this), since at low stages the fakes carry no finer detail.
 *
 * Layers are named by resolution (`discriminator/from_rgb_14/...`, `discriminator/block_14/...`,
 * `discriminator/head/...`), so a discriminator for 14×14 images with the same seed has the same
 * weights as the first two stages of one for 28×28.
 */
export function progressiveDiscriminator(config: ProgressiveDiscriminatorConfig): ProgressiveNetwork {
  const what = 'progressiveDiscriminator';
  const { resolutions, filters, channels, conv, fc } = plan(config, what);
  const group = config.minibatchStddevGroupSize ?? 4;
  if (group !== 0) checkPositiveInt(group, `${what}: minibatchStddevGroupSize`);
  const name = config.name ?? 'discriminator';
  const growth = new Growth(`${what} '${name}'`, resolutions);
  const top = resolutions[resolutions.length - 1];
  const act = () => leakyRelu({ alpha: 0.2 });
  const graph = graphNetwork({
    name,
    inputShape: [top, top, channels],
    seed: config.seed,
    build: (b) => {
      const fromRgb: LayerChain[] = [];
      const blocks: (LayerChain | null)[] = [];
      const r0 = resolutions[0];
      const head = b.chain(
        [
          ...(group > 0 ? [minibatchStddev({ groupSize: group })] : []),
          conv(filters[0], 3),
          act(),
          flatten(),
          fc(filters[0]),
          act(),
          fc(1, 1),
        ],
        [r0, r0, filters[0]],
        'head',
      );
      resolutions.forEach((r, i) => {
        fromRgb.push(b.chain([conv(filters[i], 1), act()], [r, r, channels], `from_rgb_${r}`));
        blocks.push(
          i === 0
            ? null
            : b.chain([conv(filters[i], 3), act(), conv(filters[i - 1], 3), act(), avgPool2d()], [r, r, filters[i]], `block_${r}`),
        );
      });
      const down = resamplers(b, resolutions, channels, 'down');
      return {
        outputShape: [1],
        forward: (x, options) => {
          const s = growth.stage;
          const factor = top / resolutions[s];
          let h = fromRgb[s].apply(down(x, factor, options), options);
          if (s > 0) {
            h = (blocks[s] as LayerChain).apply(h, options);
            if (growth.fading) h = lerp(fromRgb[s - 1].apply(down(x, 2 * factor, options), options), h, growth.alpha);
          }
          for (let i = s - 1; i >= 1; i--) h = (blocks[i] as LayerChain).apply(h, options);
          return head.apply(h, options);
        },
      };
    },
  });
  return withGrowth(graph, growth, config.stage);
}

/** A graph network with the growth state's accessors. */
function withGrowth(graph: GraphNetwork, growth: Growth, stage: number | undefined): ProgressiveNetwork {
  try {
    growth.set(stage ?? 0, 1);
  } catch (e) {
    graph.dispose();
    throw e;
  }
  return {
    get name() {
      return graph.name;
    },
    get inputShape() {
      return graph.inputShape;
    },
    get outputShape() {
      return graph.outputShape;
    },
    get trainableVariables() {
      return graph.trainableVariables;
    },
    get nonTrainableVariables() {
      return graph.nonTrainableVariables;
    },
    get layers() {
      return graph.layers;
    },
    resolutions: growth.resolutions,
    get stage() {
      return growth.stage;
    },
    get alpha() {
      return growth.alpha;
    },
    get resolution() {
      return growth.resolutions[growth.stage];
    },
    setGrowth: (s, alpha) => growth.set(s, alpha),
    apply: (x, options) => graph.apply(x, options),
    summary: () =>
      `${graph.summary()}\n  stage ${growth.stage} (${growth.resolutions[growth.stage]}×${growth.resolutions[growth.stage]}), alpha ${growth.alpha}; resolutions ${formatShape(growth.resolutions)}`,
    dispose: () => graph.dispose(),
  };
}
