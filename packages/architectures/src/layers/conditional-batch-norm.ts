import * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions } from '@gankit/core';
import { ones, zeros } from '../initializers';
import type { Initializer } from '../initializers';
import { checkPositiveInt, requireLabels } from '../layer';
import type { LayerBuildContext, LayerSpec } from '../layer';
import { NormLayer, batchNormSettings } from './batch-norm';

/** Configuration of {@link conditionalBatchNorm}. */
export interface ConditionalBatchNormConfig {
  /** Number of classes; labels are integers in `[0, numClasses)`. */
  readonly numClasses: number;
  /** Weight of the old value in the moving statistics' update (default 0.9; see {@link batchNorm}). */
  readonly momentum?: number | undefined;
  /** Added to the variance before the square root (default 1e-5). */
  readonly epsilon?: number | undefined;
  /** Initialiser of the per-class gammas `[numClasses, channels]` (default {@link ones}). */
  readonly gammaInitializer?: Initializer | undefined;
  /** Initialiser of the per-class betas `[numClasses, channels]` (default {@link zeros}). */
  readonly betaInitializer?: Initializer | undefined;
  /** An explicit short name instead of `conditional_batch_norm_<i>`. */
  readonly name?: string | undefined;
}

/**
 * Conditional batch normalization (de Vries et al., 2017; used in cGANs with projection and BigGAN):
 * batch normalization whose scale and shift are chosen per example by its class label,
 * `gamma[label] · normalized(x) + beta[label]`. The moving statistics are shared by all classes and
 * follow the same rule as {@link batchNorm}. Needs `options.labels` (int32 `[batch]`).
 * Trainable variables: `<name>/gamma`, `<name>/beta` (`[numClasses, channels]`); non-trainable:
 * `<name>/moving_mean`, `<name>/moving_variance`.
 */
export function conditionalBatchNorm(config: ConditionalBatchNormConfig): LayerSpec {
  const numClasses = checkPositiveInt(config.numClasses, 'conditionalBatchNorm: numClasses');
  const settings = batchNormSettings(config, 'conditionalBatchNorm');
  return {
    kind: 'conditional_batch_norm',
    name: config.name,
    build: (ctx) => new ConditionalBatchNorm(ctx, numClasses, settings.momentum, settings.epsilon, config),
  };
}

class ConditionalBatchNorm extends NormLayer {
  readonly usesLabels = true;

  constructor(ctx: LayerBuildContext, numClasses: number, momentum: number, epsilon: number, config: ConditionalBatchNormConfig) {
    super(
      ctx,
      momentum,
      epsilon,
      { name: 'gamma', rows: [numClasses], init: config.gammaInitializer ?? ones() },
      { name: 'beta', rows: [numClasses], init: config.betaInitializer ?? zeros() },
    );
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    const labels = requireLabels(this.name, options, x.shape[0]);
    return tf.tidy(() => {
      const normalized = this.stats.normalize(x, options.training);
      // [batch, channels] -> [batch, 1, ..., 1, channels] so that it broadcasts over the spatial axes
      const perExample = [x.shape[0], ...new Array(x.rank - 2).fill(1), x.shape[x.rank - 1]];
      const gamma = tf.reshape(tf.gather(this.scale, labels), perExample);
      const beta = tf.reshape(tf.gather(this.shift, labels), perExample);
      return tf.add(tf.mul(normalized, gamma), beta);
    });
  }
}
