import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { StatelessLayer, checkPositiveInt, expectRank } from '../layer';
import type { LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link avgPool2d}. */
export interface AvgPool2dConfig {
  /** Size of the square pooling window (default 2). */
  readonly poolSize?: number | undefined;
  /** Stride (default: the pool size, i.e. non-overlapping windows). */
  readonly strides?: number | undefined;
  /** An explicit short name instead of `avg_pool2d_<i>`. */
  readonly name?: string | undefined;
}

/**
 * Average pooling over non-padded (`'valid'`) square windows of NHWC images; with the defaults it
 * halves height and width (`floor((in - poolSize) / strides) + 1`), the downsampling of SNGAN's
 * ResNet discriminator blocks.
 */
export function avgPool2d(config: AvgPool2dConfig = {}): LayerSpec {
  const poolSize = checkPositiveInt(config.poolSize ?? 2, 'avgPool2d: poolSize');
  const strides = checkPositiveInt(config.strides ?? poolSize, 'avgPool2d: strides');
  return {
    kind: 'avg_pool2d',
    name: config.name,
    build: (ctx) => {
      const layer = new AvgPool2d(ctx, poolSize, strides);
      layer.outputShape(ctx.inputShape);
      return layer;
    },
  };
}

class AvgPool2d extends StatelessLayer {
  constructor(
    ctx: LayerBuildContext,
    private readonly poolSize: number,
    private readonly strides: number,
  ) {
    super(ctx);
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'avgPool2d takes NHWC images [batch, height, width, channels]');
    const [h, w, c] = inputShape;
    if (h < this.poolSize || w < this.poolSize) {
      throw new GankitError(
        'shape',
        `layer '${this.name}': a ${this.poolSize}x${this.poolSize} pool does not fit input ${formatShape([null, ...inputShape])}`,
      );
    }
    return [Math.floor((h - this.poolSize) / this.strides) + 1, Math.floor((w - this.poolSize) / this.strides) + 1, c];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.avgPool(x as tf.Tensor4D, this.poolSize, this.strides, 'valid');
  }
}

/** Configuration of {@link globalSumPool2d}. */
export interface GlobalSumPool2dConfig {
  /** An explicit short name instead of `global_sum_pool2d_<i>`. */
  readonly name?: string | undefined;
}

/**
 * Global sum pooling: sums NHWC images over height and width, `[batch, h, w, c]` to `[batch, c]`
 * (SNGAN's ResNet discriminator and the projection discriminator use the sum, not the mean).
 */
export function globalSumPool2d(config: GlobalSumPool2dConfig = {}): LayerSpec {
  return {
    kind: 'global_sum_pool2d',
    name: config.name,
    build: (ctx) => {
      const layer = new GlobalSumPool2d(ctx);
      layer.outputShape(ctx.inputShape);
      return layer;
    },
  };
}

class GlobalSumPool2d extends StatelessLayer {
  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'globalSumPool2d takes NHWC images [batch, height, width, channels]');
    return [inputShape[2]];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.sum(x, [1, 2]);
  }
}

/** How {@link pad2d} fills the border: `'reflect'` mirrors the image without repeating the edge, `'zero'` fills zeros. */
export type PadMode = 'reflect' | 'zero';

/** Configuration of {@link pad2d}. */
export interface Pad2dConfig {
  /** Rows/columns added on every side (the same on all four sides). */
  readonly padding: number;
  /** `'reflect'` (default) or `'zero'`. */
  readonly mode?: PadMode | undefined;
  /** An explicit short name instead of `pad2d_<i>`. */
  readonly name?: string | undefined;
}

/**
 * Pads NHWC images by `padding` pixels on every side: `[batch, h, w, c]` to
 * `[batch, h + 2p, w + 2p, c]`. `'reflect'` mirrors the image about its edge pixels without
 * repeating them (`[a b c d]` padded by 2 gives `[c b a b c d c b]`; needs `padding < h, w`), as
 * CycleGAN's ResNet generator does before its unpadded convolutions.
 *
 * Reflection is written with `slice`, `reverse` and `concat` rather than `tf.mirrorPad`: tfjs's
 * `MirrorPad` gradient (4.22) only slices the incoming gradient and drops the part that flowed into
 * the reflected border, so its input gradient is wrong; this form differentiates correctly.
 */
export function pad2d(config: Pad2dConfig): LayerSpec {
  const padding = config.padding;
  if (!Number.isInteger(padding) || padding < 0)
    throw new GankitError('config', `pad2d: padding must be a non-negative integer, got ${String(padding)}`);
  const mode = config.mode ?? 'reflect';
  if (mode !== 'reflect' && mode !== 'zero')
    throw new GankitError('config', `pad2d: mode must be 'reflect' or 'zero', got ${JSON.stringify(mode)}`);
  return {
    kind: 'pad2d',
    name: config.name,
    build: (ctx) => {
      const layer = new Pad2d(ctx, padding, mode);
      layer.outputShape(ctx.inputShape);
      return layer;
    },
  };
}

/** Reflects `x` by `p` along `axis` on both sides (without repeating the edge). */
function reflectAxis(x: tf.Tensor, axis: number, p: number): tf.Tensor {
  const n = x.shape[axis];
  const begin = x.shape.map(() => 0);
  const size = x.shape.map((d) => d);
  const part = (start: number): tf.Tensor => {
    const b = [...begin];
    const s = [...size];
    b[axis] = start;
    s[axis] = p;
    return tf.reverse(tf.slice(x, b, s), axis);
  };
  return tf.concat([part(1), x, part(n - 1 - p)], axis);
}

class Pad2d extends StatelessLayer {
  constructor(
    ctx: LayerBuildContext,
    private readonly padding: number,
    private readonly mode: PadMode,
  ) {
    super(ctx);
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'pad2d takes NHWC images [batch, height, width, channels]');
    const [h, w, c] = inputShape;
    if (this.mode === 'reflect' && (this.padding >= h || this.padding >= w)) {
      throw new GankitError(
        'shape',
        `layer '${this.name}': reflection padding ${this.padding} needs height and width > ${this.padding}, got ${formatShape([null, ...inputShape])}`,
      );
    }
    return [h + 2 * this.padding, w + 2 * this.padding, c];
  }

  apply(x: tf.Tensor): tf.Tensor {
    const p = this.padding;
    if (p === 0) return tf.clone(x);
    if (this.mode === 'zero')
      return tf.pad(x, [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ]);
    return tf.tidy(() => reflectAxis(reflectAxis(x, 1, p), 2, p));
  }
}
