import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { normal } from '../initializers';
import type { Initializer } from '../initializers';
import { checkPositiveInt } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { NormLayer, batchNormSettings } from './batch-norm';

/** Configuration of {@link linearConditionalBatchNorm}. */
export interface LinearConditionalBatchNormConfig {
  /** Length d of the conditioning vector c `[batch, d]`. */
  readonly conditionDim: number;
  /** Weight of the old value in the moving statistics' update (default 0.9; see {@link batchNorm}). */
  readonly momentum?: number | undefined;
  /** Added to the variance before the square root (default 1e-5). */
  readonly epsilon?: number | undefined;
  /** Initialiser of the projections W_γ and W_β `[d, channels]` (default `normal(0, 0.02)`). */
  readonly kernelInitializer?: Initializer | undefined;
  /** An explicit short name instead of `linear_conditional_batch_norm_<i>`. */
  readonly name?: string | undefined;
}

/** A built {@link linearConditionalBatchNorm}: it is applied with its conditioning vector. */
export interface LinearConditionalBatchNormLayer extends Layer {
  /** Length d of the conditioning vector. */
  readonly conditionDim: number;
  /**
   * Normalizes `x` `[batch, ..., channels]` and scales and shifts it by `γ = 1 + c·W_γ`,
   * `β = c·W_β` computed from `condition` c `[batch, conditionDim]`.
   */
  applyConditioned(x: tf.Tensor, condition: tf.Tensor, options: ApplyOptions): tf.Tensor;
}

/**
 * Conditional batch normalization with gains and biases that are linear functions of a
 * conditioning vector (de Vries et al. 2017; Brock et al. 2019, BigGAN §3 and appendix B, where c
 * is the shared class embedding concatenated with the block's chunk of z):
 *
 * `y = (1 + c·W_γ) ⊙ (x − μ)/√(σ² + ε) + c·W_β`
 *
 * with one gain and one bias per channel and per example. The moving statistics are shared and
 * follow the same rule as {@link batchNorm} (batch statistics in training, moving ones in
 * inference). Where {@link conditionalBatchNorm} looks a gain up per class label, this one takes
 * any vector, so a latent chunk can steer it too.
 *
 * It takes two inputs, so it is applied through
 * {@link LinearConditionalBatchNormLayer.applyConditioned} (e.g. inside a {@link graphNetwork}, as
 * {@link bigganGenerator} does); plain `apply` throws. Trainable variables:
 * `<name>/gamma_kernel`, `<name>/beta_kernel` (`[d, channels]`); non-trainable:
 * `<name>/moving_mean`, `<name>/moving_variance`.
 */
export function linearConditionalBatchNorm(config: LinearConditionalBatchNormConfig): LayerSpec {
  const conditionDim = checkPositiveInt(config.conditionDim, 'linearConditionalBatchNorm: conditionDim');
  const settings = batchNormSettings(config, 'linearConditionalBatchNorm');
  return {
    kind: 'linear_conditional_batch_norm',
    name: config.name,
    build: (ctx) => new LinearConditionalBatchNorm(ctx, conditionDim, settings.momentum, settings.epsilon, config.kernelInitializer),
  };
}

/** The layer as a {@link LinearConditionalBatchNormLayer}, or a clear error when it is another kind. */
export function asLinearConditionalBatchNorm(layer: Layer): LinearConditionalBatchNormLayer {
  if (!(layer instanceof LinearConditionalBatchNorm)) {
    throw new GankitError('argument', `layer '${layer.name}' is not a linearConditionalBatchNorm layer`);
  }
  return layer;
}

class LinearConditionalBatchNorm extends NormLayer implements LinearConditionalBatchNormLayer {
  readonly usesLabels = false;

  constructor(
    ctx: LayerBuildContext,
    readonly conditionDim: number,
    momentum: number,
    epsilon: number,
    initializer: Initializer | undefined,
  ) {
    const init = initializer ?? normal(0, 0.02);
    super(
      ctx,
      momentum,
      epsilon,
      { name: 'gamma_kernel', rows: [conditionDim], init },
      { name: 'beta_kernel', rows: [conditionDim], init },
    );
  }

  apply(_x: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    throw new GankitError(
      'argument',
      `layer '${this.name}' is conditioned on a vector: call applyConditioned(x, condition, options) (e.g. in a graphNetwork)`,
    );
  }

  applyConditioned(x: tf.Tensor, condition: tf.Tensor, options: ApplyOptions): tf.Tensor {
    const batch = x.shape[0];
    if (
      !(condition instanceof tf.Tensor) ||
      condition.rank !== 2 ||
      condition.shape[0] !== batch ||
      condition.shape[1] !== this.conditionDim
    ) {
      const got = condition instanceof tf.Tensor ? formatShape(condition.shape) : String(condition);
      throw new GankitError('shape', `layer '${this.name}': the condition must have shape [${batch}, ${this.conditionDim}], got ${got}`);
    }
    if (condition.dtype !== 'float32')
      throw new GankitError('dtype', `layer '${this.name}': the condition must be float32, got ${condition.dtype}`);
    return tf.tidy(() => {
      const normalized = this.stats.normalize(x, options.training);
      // [batch, channels] -> [batch, 1, ..., 1, channels] so that it broadcasts over the spatial axes
      const perExample = [batch, ...new Array(x.rank - 2).fill(1), x.shape[x.rank - 1]];
      const gamma = tf.reshape(tf.add(tf.matMul(condition, this.scale), 1), perExample);
      const beta = tf.reshape(tf.matMul(condition, this.shift), perExample);
      return tf.add(tf.mul(normalized, gamma), beta);
    });
  }
}
