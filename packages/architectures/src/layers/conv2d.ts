import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { checkPositiveInt, expectRank } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { checkPadding, convOutputLength, pair } from './conv-utils';
import type { Padding } from './conv-utils';
import { KernelWeights } from './weights';
import type { KernelLayerConfig } from './weights';

/** Configuration of {@link conv2d}. */
export interface Conv2dConfig extends KernelLayerConfig {
  /** Number of output channels. */
  readonly filters: number;
  /** Kernel height and width (one number for a square kernel). */
  readonly kernelSize: number | readonly [number, number];
  /** Strides (default 1). tfjs cannot combine strides > 1 with dilation > 1. */
  readonly strides?: number | readonly [number, number] | undefined;
  /** `'same'` (default) or `'valid'`. */
  readonly padding?: Padding | undefined;
  /** Dilation rate (default 1). */
  readonly dilation?: number | readonly [number, number] | undefined;
}

/**
 * A 2-D convolution on NHWC images `[batch, height, width, channels]`, kernel
 * `[kh, kw, inChannels, filters]`. Output size per axis: `ceil(in / stride)` for `'same'`,
 * `floor((in - (k - 1)·dilation - 1) / stride) + 1` for `'valid'`.
 * Variables: `<name>/kernel`, then `<name>/bias` (when `useBias`, the default).
 */
export function conv2d(config: Conv2dConfig): LayerSpec {
  const filters = checkPositiveInt(config.filters, 'conv2d: filters');
  const kernelSize = pair(config.kernelSize, 0, 'conv2d: kernelSize');
  const strides = pair(config.strides, 1, 'conv2d: strides');
  const dilation = pair(config.dilation, 1, 'conv2d: dilation');
  const padding = checkPadding(config.padding ?? 'same', 'conv2d: padding');
  if (Math.max(...strides) > 1 && Math.max(...dilation) > 1) {
    throw new GankitError(
      'config',
      `conv2d: strides ${JSON.stringify(strides)} and dilation ${JSON.stringify(dilation)} cannot both exceed 1`,
    );
  }
  return {
    kind: 'conv2d',
    name: config.name,
    build: (ctx) => new Conv2d(ctx, filters, kernelSize, strides, dilation, padding, config),
  };
}

class Conv2d implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  private readonly weights: KernelWeights;

  constructor(
    ctx: LayerBuildContext,
    private readonly filters: number,
    private readonly kernelSize: [number, number],
    private readonly strides: [number, number],
    private readonly dilation: [number, number],
    private readonly padding: Padding,
    config: Conv2dConfig,
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    this.weights = new KernelWeights(ctx, [kernelSize[0], kernelSize[1], ctx.inputShape[2], filters], filters, config);
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.weights.trainable;
  }

  get nonTrainableVariables(): readonly tf.Variable[] {
    return this.weights.nonTrainable;
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'conv2d takes NHWC images [batch, height, width, channels]');
    const h = convOutputLength(inputShape[0], this.kernelSize[0], this.strides[0], this.padding, this.dilation[0]);
    const w = convOutputLength(inputShape[1], this.kernelSize[1], this.strides[1], this.padding, this.dilation[1]);
    if (h <= 0 || w <= 0) {
      throw new GankitError(
        'shape',
        `layer '${this.name}': a ${this.kernelSize.join('x')} kernel (dilation ${this.dilation.join('x')}) with 'valid' padding does not fit input ${formatShape([null, ...inputShape])}`,
      );
    }
    return [h, w, this.filters];
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => {
      const kernel = this.weights.effectiveKernel(options) as tf.Tensor4D;
      const y = tf.conv2d(x as tf.Tensor4D, kernel, this.strides, this.padding, 'NHWC', this.dilation);
      return this.weights.bias ? tf.add(y, this.weights.bias) : y;
    });
  }

  dispose(): void {
    this.weights.dispose();
  }
}
