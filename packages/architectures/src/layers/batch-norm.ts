import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { ones, zeros } from '../initializers';
import type { Initializer } from '../initializers';
import { createVariable, disposeVariables } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link batchNorm}. */
export interface BatchNormConfig {
  /**
   * Weight of the old value in the moving statistics' update,
   * `moving = momentum · moving + (1 - momentum) · batch` (default 0.9, as in Keras;
   * PyTorch's `momentum=0.1` is this 0.9). Must be in [0, 1).
   */
  readonly momentum?: number | undefined;
  /** Added to the variance before the square root (default 1e-5). */
  readonly epsilon?: number | undefined;
  /** Initialiser of gamma (default {@link ones}). */
  readonly gammaInitializer?: Initializer | undefined;
  /** Initialiser of beta (default {@link zeros}). */
  readonly betaInitializer?: Initializer | undefined;
  /** An explicit short name instead of `batch_norm_<i>`. */
  readonly name?: string | undefined;
}

/** Reads and checks momentum and epsilon. */
export function batchNormSettings(config: BatchNormConfig, what: string): { momentum: number; epsilon: number } {
  const momentum = config.momentum ?? 0.9;
  const epsilon = config.epsilon ?? 1e-5;
  if (!(momentum >= 0 && momentum < 1)) throw new GankitError('config', `${what}: momentum must be in [0, 1), got ${momentum}`);
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new GankitError('config', `${what}: epsilon must be > 0, got ${epsilon}`);
  return { momentum, epsilon };
}

/**
 * Batch normalization (Ioffe & Szegedy, 2015) over every axis but the last (the channels).
 *
 * - Training (`options.training === true`): normalizes with the batch's mean and (biased)
 *   variance, then updates the moving statistics:
 *   `moving = momentum · moving + (1 - momentum) · batchStatistic` (momentum 0.9 by default).
 * - Inference: normalizes with the moving statistics and changes nothing.
 *
 * Output: `gamma · (x - mean) / sqrt(variance + epsilon) + beta`.
 * Trainable variables: `<name>/gamma`, `<name>/beta`; non-trainable: `<name>/moving_mean`,
 * `<name>/moving_variance` (initially 0 and 1).
 */
export function batchNorm(config: BatchNormConfig = {}): LayerSpec {
  const settings = batchNormSettings(config, 'batchNorm');
  return { kind: 'batch_norm', name: config.name, build: (ctx) => new BatchNorm(ctx, settings.momentum, settings.epsilon, config) };
}

/** Moving statistics plus the normalization they drive; shared by batch norm and conditional batch norm. */
export class MovingStatistics {
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;

  constructor(
    name: string,
    channels: number,
    private readonly momentum: number,
    private readonly epsilon: number,
  ) {
    this.movingMean = createVariable(`${name}/moving_mean`, () => tf.zeros([channels]), false);
    try {
      this.movingVariance = createVariable(`${name}/moving_variance`, () => tf.ones([channels]), false);
    } catch (e) {
      this.movingMean.dispose();
      throw e;
    }
  }

  /**
   * `(x - mean) / sqrt(variance + epsilon)` with batch statistics in training (updating the moving
   * ones) or the moving statistics in inference.
   */
  normalize(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      if (!training) {
        return tf.mul(tf.sub(x, this.movingMean), tf.rsqrt(tf.add(this.movingVariance, this.epsilon)));
      }
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      const m = this.momentum;
      const newMean = tf.add(tf.mul(this.movingMean, m), tf.mul(mean, 1 - m));
      const newVariance = tf.add(tf.mul(this.movingVariance, m), tf.mul(variance, 1 - m));
      this.movingMean.assign(newMean);
      this.movingVariance.assign(newVariance);
      return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    });
  }

  /** The two variables, mean first. */
  get variables(): tf.Variable[] {
    return [this.movingMean, this.movingVariance];
  }
}

/** One of a norm layer's two trainable variables: its name suffix, leading dimensions (before the channels) and initialiser. */
export interface NormVariable {
  /** The name after `<layer>/`, e.g. `gamma`. */
  readonly name: string;
  /** Dimensions before the channel axis (`[]` for a plain batch norm, `[numClasses]`, `[conditionDim]`). */
  readonly rows: readonly number[];
  /** The initialiser. */
  readonly init: Initializer;
}

/**
 * What the batch-norm layers share: the input check, a scale and a shift variable `[...rows,
 * channels]` (created in that order, then the moving statistics; whatever was made is freed when a
 * later step fails) and dispose.
 *
 * @internal
 */
export abstract class NormLayer implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  abstract readonly usesLabels: boolean;
  readonly trainableVariables: tf.Variable[] = [];
  readonly nonTrainableVariables: tf.Variable[] = [];
  protected readonly scale: tf.Variable;
  protected readonly shift: tf.Variable;
  protected readonly stats: MovingStatistics;

  constructor(ctx: LayerBuildContext, momentum: number, epsilon: number, scale: NormVariable, shift: NormVariable) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    const channels = ctx.inputShape[ctx.inputShape.length - 1];
    const make = (v: NormVariable) => createVariable(`${this.name}/${v.name}`, () => v.init([...v.rows, channels], ctx.random), true);
    this.scale = make(scale);
    this.trainableVariables.push(this.scale);
    try {
      this.shift = make(shift);
      this.trainableVariables.push(this.shift);
      this.stats = new MovingStatistics(this.name, channels, momentum, epsilon);
    } catch (e) {
      disposeVariables(this.trainableVariables);
      throw e;
    }
    this.nonTrainableVariables.push(...this.stats.variables);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length < 1)
      throw new GankitError('shape', `layer '${this.name}': batch norm needs at least one feature axis, got a scalar input`);
    return [...inputShape];
  }

  abstract apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor;

  dispose(): void {
    disposeVariables([...this.trainableVariables, ...this.nonTrainableVariables]);
  }
}

class BatchNorm extends NormLayer {
  readonly usesLabels = false;

  constructor(ctx: LayerBuildContext, momentum: number, epsilon: number, config: BatchNormConfig) {
    super(
      ctx,
      momentum,
      epsilon,
      { name: 'gamma', rows: [], init: config.gammaInitializer ?? ones() },
      { name: 'beta', rows: [], init: config.betaInitializer ?? zeros() },
    );
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(this.stats.normalize(x, options.training), this.scale), this.shift));
  }
}
