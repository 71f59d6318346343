import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { StatelessLayer, checkPositiveInt } from '../layer';
import type { LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link minibatchStddev}. */
export interface MinibatchStddevConfig {
  /**
   * Examples per group (default 4, as Karras et al.): each group gets its own statistic. The
   * batch must be a multiple of `min(groupSize, batch)`.
   */
  readonly groupSize?: number | undefined;
  /** ε under the square root (default 1e-8). */
  readonly epsilon?: number | undefined;
  /** An explicit short name instead of `minibatch_stddev_<i>`. */
  readonly name?: string | undefined;
}

/**
 * The minibatch standard-deviation layer (Karras et al. 2018, §3): a discriminator sees how varied
 * a batch is, so a generator that collapses to few modes is easy to tell from data. The batch is
 * split into groups of G = `min(groupSize, batch)` examples (example n joins group `n mod (batch/G)`,
 * as the reference code's reshape to `[G, M, ...]` does); for each group,
 *
 *   `s = mean_{features, pixels} sqrt(Var_group(x) + ε)`  (the variance over the G examples,
 *   dividing by G),
 *
 * one number, which is appended to every example of the group as one constant feature: a feature
 * map `[h, w, c]` becomes `[h, w, c + 1]`, a vector `[f]` becomes `[f + 1]`. No variables; the same
 * in training and inference (a batch of one gets `sqrt(ε)`). It mixes the examples of a batch, so
 * it does not suit per-example penalties (the WGAN gradient penalty).
 */
export function minibatchStddev(config: MinibatchStddevConfig = {}): LayerSpec {
  const groupSize = checkPositiveInt(config.groupSize ?? 4, 'minibatchStddev: groupSize');
  const epsilon = config.epsilon ?? 1e-8;
  if (!Number.isFinite(epsilon) || epsilon <= 0) throw new GankitError('config', `minibatchStddev: epsilon must be > 0, got ${epsilon}`);
  return {
    kind: 'minibatch_stddev',
    name: config.name,
    build: (ctx) => {
      const layer = new MinibatchStddev(ctx, groupSize, epsilon);
      layer.outputShape(ctx.inputShape);
      return layer;
    },
  };
}

class MinibatchStddev extends StatelessLayer {
  constructor(
    ctx: LayerBuildContext,
    private readonly groupSize: number,
    private readonly epsilon: number,
  ) {
    super(ctx);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 && inputShape.length !== 3) {
      throw new GankitError(
        'shape',
        `layer '${this.name}' takes vectors [batch, features] or feature maps [batch, h, w, c], got ${formatShape([null, ...inputShape])}`,
      );
    }
    const out = [...inputShape];
    out[out.length - 1] += 1;
    return out;
  }

  apply(x: tf.Tensor): tf.Tensor {
    const n = x.shape[0];
    const g = Math.min(this.groupSize, n);
    if (n % g !== 0) {
      throw new GankitError('shape', `layer '${this.name}': the batch (${n}) must be a multiple of the group size (${g})`);
    }
    const m = n / g;
    const rest = x.shape.slice(1);
    return tf.tidy(() => {
      const grouped = tf.reshape(x, [g, m, -1]);
      const centred = tf.sub(grouped, tf.mean(grouped, 0, true));
      const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), this.epsilon)); // [m, features]
      const s = tf.mean(std, 1); // [m]
      const perExample = tf.reshape(tf.tile(tf.reshape(s, [1, m]), [g, 1]), [n, ...rest.slice(0, -1).map(() => 1), 1]);
      const feature = tf.mul(perExample, tf.ones([n, ...rest.slice(0, -1), 1]));
      return tf.concat([x, feature], -1);
    });
  }
}
