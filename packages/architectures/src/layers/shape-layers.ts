import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { StatelessLayer, checkPositiveInt, expectRank, sizeOf } from '../layer';
import type { LayerBuildContext, LayerSpec } from '../layer';

/** Makes a spec for a stateless layer and checks the input shape at build time. */
function statelessSpec(kind: string, name: string | undefined, make: (ctx: LayerBuildContext) => StatelessLayer): LayerSpec {
  return {
    kind,
    name,
    build: (ctx) => {
      const layer = make(ctx);
      layer.outputShape(ctx.inputShape);
      return layer;
    },
  };
}

/** Configuration of {@link reshape}. */
export interface ReshapeConfig {
  /** Shape of one output example (no batch dimension); one entry may be -1 (inferred). */
  readonly targetShape: readonly number[];
  /** An explicit short name instead of `reshape_<i>`. */
  readonly name?: string | undefined;
}

/** Reshapes each example to `targetShape` (e.g. `[6272]` to `[7, 7, 128]`); sizes must match. */
export function reshape(config: ReshapeConfig): LayerSpec {
  const target = [...config.targetShape];
  if (target.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1)) || target.filter((d) => d === -1).length > 1) {
    throw new GankitError(
      'config',
      `reshape: targetShape must be positive integers with at most one -1, got ${JSON.stringify(config.targetShape)}`,
    );
  }
  return statelessSpec('reshape', config.name, (ctx) => new Reshape(ctx, target));
}

class Reshape extends StatelessLayer {
  constructor(
    ctx: LayerBuildContext,
    private readonly target: number[],
  ) {
    super(ctx);
  }

  outputShape(inputShape: readonly number[]): number[] {
    const size = sizeOf(inputShape);
    const known = sizeOf(this.target.filter((d) => d !== -1));
    const out = this.target.map((d) => (d === -1 ? size / known : d));
    if (sizeOf(out) !== size || out.some((d) => !Number.isInteger(d))) {
      throw new GankitError(
        'shape',
        `layer '${this.name}' cannot reshape input ${formatShape([null, ...inputShape])} (${size} values per example) to ${formatShape([null, ...this.target])}`,
      );
    }
    return out;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0], ...this.outputShape(x.shape.slice(1))]);
  }
}

/** Configuration of {@link flatten}. */
export interface FlattenConfig {
  /** An explicit short name instead of `flatten_<i>`. */
  readonly name?: string | undefined;
}

/** Flattens each example to a vector: `[batch, h, w, c]` to `[batch, h·w·c]`. */
export function flatten(config: FlattenConfig = {}): LayerSpec {
  return statelessSpec('flatten', config.name, (ctx) => new Flatten(ctx));
}

class Flatten extends StatelessLayer {
  outputShape(inputShape: readonly number[]): number[] {
    return [sizeOf(inputShape)];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0], sizeOf(x.shape.slice(1))]);
  }
}

/** Configuration of {@link upsampling2d}. */
export interface Upsampling2dConfig {
  /** Upsampling factor for height and width (default 2). */
  readonly size?: number | undefined;
  /** An explicit short name instead of `upsampling2d_<i>`. */
  readonly name?: string | undefined;
}

/**
 * Nearest-neighbour upsampling of NHWC images by an integer factor (default 2): every pixel becomes
 * a `size × size` block, `[batch, h, w, c]` to `[batch, h·size, w·size, c]`.
 */
export function upsampling2d(config: Upsampling2dConfig = {}): LayerSpec {
  const size = checkPositiveInt(config.size ?? 2, 'upsampling2d: size');
  return statelessSpec('upsampling2d', config.name, (ctx) => new Upsampling2d(ctx, size));
}

class Upsampling2d extends StatelessLayer {
  constructor(
    ctx: LayerBuildContext,
    private readonly size: number,
  ) {
    super(ctx);
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'upsampling2d takes NHWC images [batch, height, width, channels]');
    return [inputShape[0] * this.size, inputShape[1] * this.size, inputShape[2]];
  }

  apply(x: tf.Tensor): tf.Tensor {
    const [n, h, w, c] = x.shape;
    const s = this.size;
    return tf.tidy(() => {
      // Two rank-4 broadcasts (tfjs differentiates tile/broadcastTo only up to rank 4):
      // repeat each pixel s times along the width, then each row s times along the height.
      const wide = tf.broadcastTo(tf.reshape(x, [n * h, w, 1, c]), [n * h, w, s, c]);
      const tall = tf.broadcastTo(tf.reshape(wide, [n, h, 1, w * s * c]), [n, h, s, w * s * c]);
      return tf.reshape(tall, [n, h * s, w * s, c]);
    });
  }
}
