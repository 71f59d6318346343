import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { ones, zeros } from '../initializers';
import type { Initializer } from '../initializers';
import { createVariable, disposeVariables } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link instanceNorm} and {@link layerNorm}. */
export interface InstanceNormConfig {
  /** Added to the variance before the square root (default 1e-5). */
  readonly epsilon?: number | undefined;
  /** Learn a per-channel scale gamma and shift beta (default `true`). */
  readonly affine?: boolean | undefined;
  /** Initialiser of gamma (default {@link ones}). */
  readonly gammaInitializer?: Initializer | undefined;
  /** Initialiser of beta (default {@link zeros}). */
  readonly betaInitializer?: Initializer | undefined;
  /** An explicit short name instead of `instance_norm_<i>` (`layer_norm_<i>`). */
  readonly name?: string | undefined;
}

/**
 * Instance normalization (Ulyanov et al., 2016), as in CycleGAN and pix2pix: each example's each
 * channel is normalized by its own mean and (biased) variance over the spatial axes,
 * `gamma · (x - mean) / sqrt(variance + epsilon) + beta`. It has no moving statistics: training and
 * inference compute the same thing. Takes `[batch, ...spatial, channels]` with at least one spatial
 * axis (images `[batch, h, w, c]`). Trainable variables (with `affine`, the default):
 * `<name>/gamma`, `<name>/beta` (`[channels]`).
 */
export function instanceNorm(config: InstanceNormConfig = {}): LayerSpec {
  const epsilon = config.epsilon ?? 1e-5;
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new GankitError('config', `instanceNorm: epsilon must be > 0, got ${epsilon}`);
  return { kind: 'instance_norm', name: config.name, build: (ctx) => new PerExampleNorm(ctx, epsilon, config, 'instance') };
}

/** Configuration of {@link layerNorm}: that of {@link instanceNorm}. */
export type LayerNormConfig = InstanceNormConfig;

/**
 * Layer normalization (Ba et al., 2016) as WGAN-GP's critics use it in place of batch norm
 * (Gulrajani et al. 2017): each example is normalized by the mean and (biased) variance of all its
 * features, `gamma · (x - mean) / sqrt(variance + epsilon) + beta`, with a scale and shift per
 * channel (the last axis). Unlike batch norm, an example's output does not depend on the other
 * examples of the batch, so a gradient penalty per example stays well defined; there are no moving
 * statistics. Takes `[batch, ...features]` (images `[batch, h, w, c]`, dense outputs
 * `[batch, units]`). Trainable variables (with `affine`, the default): `<name>/gamma`,
 * `<name>/beta` (`[channels]`).
 */
export function layerNorm(config: LayerNormConfig = {}): LayerSpec {
  const epsilon = config.epsilon ?? 1e-5;
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new GankitError('config', `layerNorm: epsilon must be > 0, got ${epsilon}`);
  return { kind: 'layer_norm', name: config.name, build: (ctx) => new PerExampleNorm(ctx, epsilon, config, 'layer') };
}

/** Instance norm (over the spatial axes) or layer norm (over all axes but the batch), per example. */
class PerExampleNorm implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  readonly trainableVariables: tf.Variable[] = [];
  readonly nonTrainableVariables: tf.Variable[] = [];
  private readonly gamma: tf.Variable | null = null;
  private readonly beta: tf.Variable | null = null;

  constructor(
    ctx: LayerBuildContext,
    private readonly epsilon: number,
    config: InstanceNormConfig,
    private readonly over: 'instance' | 'layer',
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    if (config.affine ?? true) {
      const channels = ctx.inputShape[ctx.inputShape.length - 1];
      const gammaInit = config.gammaInitializer ?? ones();
      const betaInit = config.betaInitializer ?? zeros();
      this.gamma = createVariable(`${this.name}/gamma`, () => gammaInit([channels], ctx.random), true);
      this.trainableVariables.push(this.gamma);
      try {
        this.beta = createVariable(`${this.name}/beta`, () => betaInit([channels], ctx.random), true);
        this.trainableVariables.push(this.beta);
      } catch (e) {
        disposeVariables(this.trainableVariables);
        throw e;
      }
    }
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (this.over === 'layer') {
      if (inputShape.length < 1)
        throw new GankitError('shape', `layer '${this.name}': layer norm needs features per example, got ${formatShape([null])}`);
      return [...inputShape];
    }
    if (inputShape.length < 2) {
      throw new GankitError(
        'shape',
        `layer '${this.name}': instance norm needs at least one spatial axis before the channels (e.g. [?, h, w, c]), got ${formatShape([null, ...inputShape])}`,
      );
    }
    return [...inputShape];
  }

  apply(x: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => {
      const axes = (this.over === 'layer' ? x.shape.slice(1) : x.shape.slice(1, -1)).map((_, i) => i + 1);
      const { mean, variance } = tf.moments(x, axes, true);
      const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      if (this.gamma == null || this.beta == null) return normalized;
      return tf.add(tf.mul(normalized, this.gamma), this.beta);
    });
  }

  dispose(): void {
    disposeVariables(this.trainableVariables);
  }
}
