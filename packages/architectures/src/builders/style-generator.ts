// A small style-based generator (StyleGAN, Karras et al. 2019; optionally StyleGAN2's modulated
// convolutions, Karras et al. 2020): mapping network z → w, per-layer styles, noise inputs.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, deriveSeed, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { graphNetwork } from '../graph';
import type { GraphNetwork } from '../graph';
import { normal, ones, zeros } from '../initializers';
import { checkPositiveInt, createVariable } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { leakyRelu } from '../layers/activations';
import { adain, asAdain } from '../layers/adain';
import type { AdainLayer } from '../layers/adain';
import { conv2d } from '../layers/conv2d';
import { dense } from '../layers/dense';
import { equalizedLearningRate } from '../layers/equalized';
import { nearestUpsampling } from './unet';
import { asModulatedConv2d, modulatedConv2d } from '../layers/modulated-conv';
import type { ModulatedConv2dLayer } from '../layers/modulated-conv';
import { asNoiseInput, exampleSeeds, noiseInput, styleNoise } from '../layers/style-noise';
import type { NoiseInputLayer } from '../layers/style-noise';
import { dcganLayout } from './dcgan';

/** How a {@link styleGenerator} applies its styles. */
export type StyleMode = 'adain' | 'modulated';

/** Configuration of {@link styleGenerator}. */
export interface StyleGeneratorConfig {
  /** Length of each z (default 32). */
  readonly latentDim?: number | undefined;
  /** Length of w, the mapping network's output and width (default 64). */
  readonly styleDim?: number | undefined;
  /** Dense layers of the mapping network f (default 4; the paper uses 8 of 512 units). */
  readonly mappingLayers?: number | undefined;
  /**
   * `'adain'` (default): StyleGAN, conv → noise → leaky ReLU → {@link adain} per layer;
   * `'modulated'`: StyleGAN2, {@link modulatedConv2d} with demodulation → noise → leaky ReLU.
   */
  readonly mode?: StyleMode | undefined;
  /** Add per-layer noise inputs (default `true`). */
  readonly noise?: boolean | undefined;
  /** Generated image shape (default `[28, 28, 1]`: 7 → 14 → 28; any shape {@link dcganLayout} accepts). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters at the last resolution, doubled per earlier one (default 32: 128, 64, 32 for 28×28). */
  readonly baseFilters?: number | undefined;
  /**
   * StyleGAN's learning-rate multiplier λ of the mapping network (Karras et al. 2019, appendix C:
   * λ = 0.01, so that f learns 100× slower than the synthesis network). When given, every mapping
   * layer uses the equalized learning rate with λ folded in: the kernel is stored as N(0, 1/λ²) and
   * scaled by `λ·√2/√in` at every forward pass, and the bias is stored from 0 and added as `λ·b`, so
   * an optimizer such as Adam moves f's effective weights and biases λ times as fast as the rest
   * (its initial kernel is He's N(0, 2/in)). Default: none (plain dense layers, learning at the
   * optimizer's rate).
   */
  readonly mappingLrMultiplier?: number | undefined;
  /** Seed of the initial weights and of the noise (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Options of {@link StyleGenerator.synthesize}. */
export interface SynthesizeOptions extends ApplyOptions {
  /**
   * One seed per example for the noise inputs (default: hashed from each example's styles). The
   * generator's own `apply` hashes them from each example's z's, so a z always gives the same image.
   */
  readonly noiseSeeds?: readonly number[] | undefined;
}

/**
 * A style-based generator: a `Network` from per-layer latents `[batch, numStyles, latentDim]` to
 * images, with its mapping network and synthesis network reachable on their own.
 */
export interface StyleGenerator extends GraphNetwork {
  /** L, the number of style layers (two per resolution); the input has one z per layer. */
  readonly numStyles: number;
  /** Length of each z. */
  readonly latentDim: number;
  /** Length of each w. */
  readonly styleDim: number;
  /** How styles are applied. */
  readonly mode: StyleMode;
  /**
   * The mapping network f: z `[batch, latentDim]` → w `[batch, styleDim]`, or per-layer
   * `[batch, L, latentDim]` → `[batch, L, styleDim]`. The caller disposes the result.
   */
  map(z: tf.Tensor, options?: ApplyOptions): tf.Tensor;
  /**
   * The synthesis network g: per-layer styles `[batch, L, styleDim]` → images; layer i takes row i.
   * Use it for style mixing ({@link mixStyles}) and truncation ({@link truncateStyles}) in W.
   */
  synthesize(ws: tf.Tensor, options: SynthesizeOptions): tf.Tensor;
}

/** A learned constant `[h, w, c]` repeated over the batch: StyleGAN's synthesis input. */
function learnedConstant(shape: number[]): LayerSpec {
  return {
    kind: 'constant_input',
    build: (ctx: LayerBuildContext): Layer => {
      const value = createVariable(`${ctx.name}/const`, () => ones()(shape, ctx.random), true);
      return {
        name: ctx.name,
        inputShape: ctx.inputShape,
        usesLabels: false,
        trainableVariables: [value],
        nonTrainableVariables: [],
        outputShape: () => [...shape],
        apply: (x) => tf.tidy(() => tf.tile(tf.expandDims(value, 0), [x.shape[0], 1, 1, 1])),
        dispose: () => value.dispose(),
      };
    },
  };
}

/** A bias added as `multiplier · b` (b starts at 0): the mapping network's bias under {@link StyleGeneratorConfig.mappingLrMultiplier}. */
function scaledBias(multiplier: number): LayerSpec {
  return {
    kind: 'scaled_bias',
    build: (ctx: LayerBuildContext): Layer => {
      const units = ctx.inputShape[ctx.inputShape.length - 1];
      const bias = createVariable(`${ctx.name}/bias`, () => zeros()([units], ctx.random), true);
      return {
        name: ctx.name,
        inputShape: ctx.inputShape,
        usesLabels: false,
        trainableVariables: [bias],
        nonTrainableVariables: [],
        outputShape: (shape) => [...shape],
        apply: (x) => tf.tidy(() => tf.add(x, tf.mul(bias, multiplier))),
        dispose: () => bias.dispose(),
      };
    },
  };
}

/** The mapping network's layers: dense + leaky ReLU, with the equalized, λ-scaled weights when `lrMul` is set. */
function mappingLayerSpecs(count: number, units: number, lrMul: number | undefined): LayerSpec[] {
  const layer = (): LayerSpec[] =>
    lrMul === undefined
      ? [dense({ units }), leakyRelu({ alpha: 0.2 })]
      : [
          dense({
            units,
            useBias: false,
            kernelInitializer: normal(0, 1 / lrMul),
            weightParametrization: equalizedLearningRate({ gain: Math.SQRT2 * lrMul }),
          }),
          scaledBias(lrMul),
          leakyRelu({ alpha: 0.2 }),
        ];
  return Array.from({ length: count }, layer).flat();
}

/** Pixelwise normalisation of z (Karras et al. 2018, eq. 2, applied to the latent as StyleGAN does). */
function normalizeLatent(z: tf.Tensor): tf.Tensor {
  return tf.mul(z, tf.rsqrt(tf.add(tf.mean(tf.square(z), -1, true), 1e-8)));
}

/**
 * A small style-based generator (Karras et al. 2019, figure 1b), sized for 28×28 by default
 * (7 → 14 → 28). A mapping network f (pixel-normalised z, then `mappingLayers` dense layers with
 * leaky ReLU 0.2) turns each z into an intermediate latent w. The synthesis network g starts from a
 * learned constant and has two style layers per resolution; layer i:
 *
 * - `'adain'`: (upsample ×2 at a new resolution →) conv 3×3 → noise `x + B ⊙ n` → leaky ReLU →
 *   `AdaIN(x, A_i(w_i))` (eq. 1; the first layer skips the conv);
 * - `'modulated'` (StyleGAN2, Karras et al. 2020, eqs. 1–3): (upsample →) modulated conv 3×3 with
 *   demodulation and style `A_i(w_i)` → noise → leaky ReLU;
 *
 * then a 1×1 conv to the image channels (modulated by the last w, without demodulation, in
 * `'modulated'` mode) and tanh. The input is **one z per style layer**, `[batch, L, latentDim]`:
 * the same z in every row is the plain generator, and {@link styleMixingLatent} or
 * {@link mixStyles} switch to another z at a crossover layer. The noise images of an example are
 * drawn from a seed hashed from its z's (and the config's seed), so a z always gives the same
 * image (the hash reads the latent values from the device once per forward pass: a sync on GPU
 * backends; `noise: false` avoids it). {@link StyleGenerator.map} and {@link StyleGenerator.synthesize} run f and g on their own,
 * e.g. for the truncation trick in W ({@link truncateStyles}).
 *
 * Layers: `mapping/dense_<i>` (and `mapping/scaled_bias_<i>` with `mappingLrMultiplier`), `const`, then per style layer `up_<i>` (nearest ×2 at a new resolution), `conv_<i>` (not for layer 0 in
 * `'adain'` mode) or `modconv_<i>`, `noise_<i>`, `adain_<i>`; `to_image`.
 */
export function styleGenerator(config: StyleGeneratorConfig = {}): StyleGenerator {
  const what = 'styleGenerator';
  const latentDim = checkPositiveInt(config.latentDim ?? 32, `${what}: latentDim`);
  const styleDim = checkPositiveInt(config.styleDim ?? 64, `${what}: styleDim`);
  const mappingLayers = checkPositiveInt(config.mappingLayers ?? 4, `${what}: mappingLayers`);
  const mode = config.mode ?? 'adain';
  if (mode !== 'adain' && mode !== 'modulated')
    throw new GankitError('config', `${what}: mode must be 'adain' or 'modulated', got ${JSON.stringify(mode)}`);
  const useNoise = config.noise ?? true;
  if (typeof useNoise !== 'boolean')
    throw new GankitError('config', `${what}: noise must be true or false, got ${JSON.stringify(useNoise)}`);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { start, steps, channels } = dcganLayout(imageShape, what);
  const base = checkPositiveInt(config.baseFilters ?? 32, `${what}: baseFilters`);
  const lrMul = config.mappingLrMultiplier;
  if (lrMul !== undefined && !(typeof lrMul === 'number' && Number.isFinite(lrMul) && lrMul > 0))
    throw new GankitError('config', `${what}: mappingLrMultiplier must be a number > 0, got ${JSON.stringify(lrMul)}`);
  const seed = config.seed ?? 0;
  const resolutions = steps + 1;
  const numStyles = 2 * resolutions;
  const filters = (r: number) => base * 2 ** (steps - r);
  interface StyleLayer {
    size: number;
    upsample?: Layer;
    conv?: Layer;
    modconv?: ModulatedConv2dLayer;
    noise?: NoiseInputLayer;
    adain?: AdainLayer;
  }
  let synth: (ws: tf.Tensor, seeds: readonly number[], options: ApplyOptions) => tf.Tensor = () => {
    throw new GankitError('state', `${what}: not built`);
  };
  let mapRows: (z: tf.Tensor, options: ApplyOptions) => tf.Tensor = () => {
    throw new GankitError('state', `${what}: not built`);
  };
  const net = graphNetwork({
    name: config.name ?? 'generator',
    inputShape: [numStyles, latentDim],
    seed,
    build: (b) => {
      const mapping = b.chain(mappingLayerSpecs(mappingLayers, styleDim, lrMul), [latentDim], 'mapping');
      const constant = b.layer(learnedConstant([start, start, filters(0)]), [latentDim], 'const');
      const layers: StyleLayer[] = [];
      for (let i = 0; i < numStyles; i++) {
        const r = Math.floor(i / 2);
        const size = start * 2 ** r;
        const newResolution = i > 0 && i % 2 === 0;
        const inFilters = newResolution ? filters(r - 1) : filters(r);
        const shape = [size, size, filters(r)];
        const layer: StyleLayer = { size };
        if (newResolution) layer.upsample = b.layer(nearestUpsampling(2), [size / 2, size / 2, inFilters], `up_${i}`);
        if (mode === 'adain') {
          if (i > 0) layer.conv = b.layer(conv2d({ filters: filters(r), kernelSize: 3 }), [size, size, inFilters], `conv_${i}`);
        } else {
          layer.modconv = asModulatedConv2d(
            b.layer(modulatedConv2d({ filters: filters(r), kernelSize: 3, styleDim }), [size, size, inFilters], `modconv_${i}`),
          );
        }
        if (useNoise) layer.noise = asNoiseInput(b.layer(noiseInput(), shape, `noise_${i}`));
        if (mode === 'adain') layer.adain = asAdain(b.layer(adain({ styleDim }), shape, `adain_${i}`));
        layers.push(layer);
      }
      const size = start * 2 ** steps;
      const lastShape = [size, size, filters(steps)];
      const toImage =
        mode === 'adain'
          ? b.layer(conv2d({ filters: channels, kernelSize: 1 }), lastShape, 'to_image')
          : asModulatedConv2d(
              b.layer(modulatedConv2d({ filters: channels, kernelSize: 1, styleDim, demodulate: false }), lastShape, 'to_image'),
            );
      mapRows = (z, options) => {
        const flat = tf.reshape(z, [-1, latentDim]);
        const w = mapping.apply(normalizeLatent(flat), options);
        return z.rank === 3 ? tf.reshape(w, [z.shape[0], z.shape[1] as number, styleDim]) : w;
      };
      synth = (ws, seeds, options) => {
        const perLayer = tf.unstack(ws, 1);
        let h = constant.apply(ws, options);
        layers.forEach((layer, i) => {
          if (layer.upsample) h = layer.upsample.apply(h, options);
          if (layer.conv) h = layer.conv.apply(h, options);
          if (layer.modconv) h = layer.modconv.applyStyled(h, perLayer[i], options);
          if (layer.noise) {
            const noise = styleNoise(
              seeds.map((s) => deriveSeed(s, i, 'noise')),
              layer.size,
              layer.size,
            );
            h = layer.noise.applyNoise(h, noise, options);
          }
          h = tf.leakyRelu(h, 0.2);
          if (layer.adain) h = layer.adain.applyStyled(h, perLayer[i], options);
        });
        const img =
          mode === 'adain' ? toImage.apply(h, options) : (toImage as ModulatedConv2dLayer).applyStyled(h, perLayer[numStyles - 1], options);
        return tf.tanh(img);
      };
      return {
        outputShape: [...imageShape],
        forward: (z, options) => synth(mapRows(z, options), useNoise ? exampleSeeds(z, seed) : [], options),
      };
    },
  });
  const checkWs = (ws: tf.Tensor, options: ApplyOptions) => {
    if (!(ws instanceof tf.Tensor) || ws.rank !== 3 || ws.shape[1] !== numStyles || ws.shape[2] !== styleDim || ws.shape[0] < 1) {
      const got = ws instanceof tf.Tensor ? formatShape(ws.shape) : String(ws);
      throw new GankitError('shape', `network '${net.name}': synthesize expects styles [batch, ${numStyles}, ${styleDim}], got ${got}`);
    }
    if (ws.dtype !== 'float32') throw new GankitError('dtype', `network '${net.name}': styles must be float32, got ${ws.dtype}`);
    if (options == null || typeof options.training !== 'boolean')
      throw new GankitError('config', `network '${net.name}': synthesize needs options { training: boolean }`);
  };
  const extra = {
    numStyles,
    latentDim,
    styleDim,
    mode,
    map(z: tf.Tensor, options: ApplyOptions = { training: false }): tf.Tensor {
      if (!(z instanceof tf.Tensor) || (z.rank !== 2 && z.rank !== 3) || z.shape[z.rank - 1] !== latentDim || z.dtype !== 'float32') {
        const got = z instanceof tf.Tensor ? `${formatShape(z.shape)} ${z.dtype}` : String(z);
        throw new GankitError(
          'shape',
          `network '${net.name}': map expects float32 z [batch, ${latentDim}] or [batch, L, ${latentDim}], got ${got}`,
        );
      }
      return tf.tidy(() => mapRows(z, options));
    },
    synthesize(ws: tf.Tensor, options: SynthesizeOptions): tf.Tensor {
      checkWs(ws, options);
      let seeds: readonly number[] = [];
      if (useNoise) {
        seeds = options.noiseSeeds ?? exampleSeeds(ws, seed);
        if (seeds.length !== ws.shape[0] || seeds.some((s) => !Number.isInteger(s)))
          throw new GankitError('config', `network '${net.name}': noiseSeeds must be ${ws.shape[0]} integers (one per example)`);
      }
      return tf.tidy(() => synth(ws, seeds, options));
    },
  };
  return Object.assign(net, extra);
}
