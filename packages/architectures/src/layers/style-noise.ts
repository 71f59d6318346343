// StyleGAN's per-layer noise inputs (Karras et al. 2019, §2 and §3.2): a single-channel Gaussian
// noise image per example, added to every feature map with a learned per-channel scale.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, deriveSeed, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { zeros } from '../initializers';
import type { Initializer } from '../initializers';
import { createVariable, disposeVariables, expectRank } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';

/**
 * Standard normal noise images `[seeds.length, height, width, 1]`, one per seed, drawn in
 * JavaScript (mulberry32 and Box–Muller), so that the same seed gives the same image on every
 * backend and in every batch. {@link styleGenerator} derives the seeds from each example's latent
 * values: a sample's noise is then a function of its own z.
 */
export function styleNoise(seeds: readonly number[], height: number, width: number): tf.Tensor4D {
  if (!Array.isArray(seeds) || seeds.length === 0 || seeds.some((s) => !Number.isInteger(s)))
    throw new GankitError('argument', `styleNoise: seeds must be a non-empty list of integers, got ${JSON.stringify(seeds)}`);
  if (![height, width].every((d) => Number.isInteger(d) && d > 0))
    throw new GankitError('shape', `styleNoise: height and width must be positive integers, got ${height} and ${width}`);
  const per = height * width;
  const out = new Float32Array(seeds.length * per);
  seeds.forEach((seed, n) => {
    const next = new RandomSource(seed).floats('style-noise');
    for (let i = 0; i < per; i += 2) {
      // Box–Muller: two independent normals from two uniforms in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - next()));
      const t = 2 * Math.PI * next();
      out[n * per + i] = r * Math.cos(t);
      if (i + 1 < per) out[n * per + i + 1] = r * Math.sin(t);
    }
  });
  return tf.tensor4d(out, [seeds.length, height, width, 1]);
}

/**
 * One seed per example of a batch `[batch, ...]`, hashed from the example's float32 bit patterns
 * and `seed`: the same example values give the same seed. Reads the values from the device once.
 */
export function exampleSeeds(x: tf.Tensor, seed = 0): number[] {
  if (!(x instanceof tf.Tensor) || x.rank < 1) throw new GankitError('shape', 'exampleSeeds: x must be a batch [batch, ...]');
  const values = x.dataSync();
  const bits = new Uint32Array(Float32Array.from(values as ArrayLike<number>).buffer);
  const n = x.shape[0];
  const per = bits.length / n;
  const seeds: number[] = [];
  for (let e = 0; e < n; e++) {
    let h = deriveSeed(seed, 0, 'example');
    for (let i = 0; i < per; i++) h = deriveSeed(h, bits[e * per + i]);
    seeds.push(h);
  }
  return seeds;
}

/** Configuration of {@link noiseInput}. */
export interface NoiseInputConfig {
  /** Initialiser of the per-channel scales B (default {@link zeros}, as StyleGAN). */
  readonly scaleInitializer?: Initializer | undefined;
  /** An explicit short name instead of `noise_input_<i>`. */
  readonly name?: string | undefined;
}

/** A built {@link noiseInput} layer: it is applied with a noise image. */
export interface NoiseInputLayer extends Layer {
  /** Adds `B ⊙ noise` to `x` `[batch, h, w, c]`; `noise` is `[batch, h, w, 1]`, broadcast over the channels. */
  applyNoise(x: tf.Tensor, noise: tf.Tensor, options: ApplyOptions): tf.Tensor;
}

/**
 * StyleGAN's noise input (Karras et al. 2019, §2, "B" in figure 1b): `x + B ⊙ n`, where n is a
 * single-channel image of uncorrelated Gaussian noise (one per example, broadcast to every feature
 * map) and B a learned per-channel scale, initialised to zero so that training decides how much
 * stochastic detail (hair, strokes) each layer gets. Applied through
 * {@link NoiseInputLayer.applyNoise} with noise from {@link styleNoise}; plain `apply` throws.
 * Trainable variable: `<name>/scale` `[channels]`.
 */
export function noiseInput(config: NoiseInputConfig = {}): LayerSpec {
  return { kind: 'noise_input', name: config.name, build: (ctx) => new NoiseInput(ctx, config.scaleInitializer ?? zeros()) };
}

/** The layer as a {@link NoiseInputLayer}, or a clear error when it is another kind. */
export function asNoiseInput(layer: Layer): NoiseInputLayer {
  if (!(layer instanceof NoiseInput)) throw new GankitError('argument', `layer '${layer.name}' is not a noiseInput layer`);
  return layer;
}

class NoiseInput implements NoiseInputLayer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  readonly trainableVariables: tf.Variable[];
  readonly nonTrainableVariables: tf.Variable[] = [];
  private readonly scale: tf.Variable;

  constructor(ctx: LayerBuildContext, init: Initializer) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    this.scale = createVariable(`${this.name}/scale`, () => init([ctx.inputShape[2]], ctx.random), true);
    this.trainableVariables = [this.scale];
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'noiseInput takes NHWC images [batch, height, width, channels]');
    return [...inputShape];
  }

  apply(_x: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    throw new GankitError('argument', `layer '${this.name}' is applied with a noise image: call applyNoise(x, noise, options)`);
  }

  applyNoise(x: tf.Tensor, noise: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    const [b, h, w] = x.shape;
    if (
      !(noise instanceof tf.Tensor) ||
      noise.rank !== 4 ||
      noise.shape[0] !== b ||
      noise.shape[1] !== h ||
      noise.shape[2] !== w ||
      noise.shape[3] !== 1
    ) {
      const got = noise instanceof tf.Tensor ? formatShape(noise.shape) : String(noise);
      throw new GankitError('shape', `layer '${this.name}': the noise must have shape [${b}, ${h}, ${w}, 1], got ${got}`);
    }
    return tf.tidy(() => tf.add(x, tf.mul(noise, this.scale)));
  }

  dispose(): void {
    disposeVariables(this.trainableVariables);
  }
}
