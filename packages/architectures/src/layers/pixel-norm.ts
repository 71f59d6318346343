import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import { StatelessLayer } from '../layer';
import type { LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link pixelNorm}. */
export interface PixelNormConfig {
  /** ε under the square root (default 1e-8, as Karras et al.). */
  readonly epsilon?: number | undefined;
  /** An explicit short name instead of `pixel_norm_<i>`. */
  readonly name?: string | undefined;
}

/**
 * Pixel-wise feature vector normalization (Karras et al. 2018, §4.2): at every pixel (x, y) the
 * feature vector is scaled to unit mean square over its N channels,
 * `b_{x,y} = a_{x,y} / sqrt((1/N) Σ_j (a^j_{x,y})² + ε)`, ε = 1e-8. It normalizes the last axis of
 * any input (NHWC feature maps, or `[batch, features]` vectors such as the latent z, which the
 * progressive generator normalizes first); no variables, the same in training and inference.
 * Progressive GANs use it after every convolution of the generator instead of batch norm.
 */
export function pixelNorm(config: PixelNormConfig = {}): LayerSpec {
  const epsilon = config.epsilon ?? 1e-8;
  if (!Number.isFinite(epsilon) || epsilon <= 0) throw new GankitError('config', `pixelNorm: epsilon must be > 0, got ${epsilon}`);
  return { kind: 'pixel_norm', name: config.name, build: (ctx) => new PixelNorm(ctx, epsilon) };
}

class PixelNorm extends StatelessLayer {
  constructor(
    ctx: LayerBuildContext,
    private readonly epsilon: number,
  ) {
    super(ctx);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), this.epsilon))));
  }
}
