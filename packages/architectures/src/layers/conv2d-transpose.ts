import * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions } from '@gankit/core';
import { checkPositiveInt, expectRank } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { checkPadding, convTransposeOutputLength, pair } from './conv-utils';
import type { Padding } from './conv-utils';
import { KernelWeights } from './weights';
import type { KernelLayerConfig } from './weights';

/** Configuration of {@link conv2dTranspose}. */
export interface Conv2dTransposeConfig extends KernelLayerConfig {
  /** Number of output channels. */
  readonly filters: number;
  /** Kernel height and width (one number for a square kernel). */
  readonly kernelSize: number | readonly [number, number];
  /** Strides, the upsampling factor (default 1). */
  readonly strides?: number | readonly [number, number] | undefined;
  /** `'same'` (default) or `'valid'`. */
  readonly padding?: Padding | undefined;
}

/**
 * A transposed 2-D convolution ("deconvolution") on NHWC images. The kernel has tfjs's layout
 * `[kh, kw, filters, inChannels]`. Output size per axis as Keras computes it: `in·stride` for
 * `'same'`, `in·stride + max(k - stride, 0)` for `'valid'`.
 * Variables: `<name>/kernel`, then `<name>/bias` (when `useBias`, the default).
 */
export function conv2dTranspose(config: Conv2dTransposeConfig): LayerSpec {
  const filters = checkPositiveInt(config.filters, 'conv2dTranspose: filters');
  const kernelSize = pair(config.kernelSize, 0, 'conv2dTranspose: kernelSize');
  const strides = pair(config.strides, 1, 'conv2dTranspose: strides');
  const padding = checkPadding(config.padding ?? 'same', 'conv2dTranspose: padding');
  return {
    kind: 'conv2d_transpose',
    name: config.name,
    build: (ctx) => new Conv2dTranspose(ctx, filters, kernelSize, strides, padding, config),
  };
}

class Conv2dTranspose implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  private readonly weights: KernelWeights;

  constructor(
    ctx: LayerBuildContext,
    private readonly filters: number,
    private readonly kernelSize: [number, number],
    private readonly strides: [number, number],
    private readonly padding: Padding,
    config: Conv2dTransposeConfig,
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    this.weights = new KernelWeights(ctx, [kernelSize[0], kernelSize[1], filters, ctx.inputShape[2]], filters, config);
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.weights.trainable;
  }

  get nonTrainableVariables(): readonly tf.Variable[] {
    return this.weights.nonTrainable;
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'conv2dTranspose takes NHWC images [batch, height, width, channels]');
    return [
      convTransposeOutputLength(inputShape[0], this.kernelSize[0], this.strides[0], this.padding),
      convTransposeOutputLength(inputShape[1], this.kernelSize[1], this.strides[1], this.padding),
      this.filters,
    ];
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => {
      const [h, w, c] = this.outputShape(x.shape.slice(1));
      const kernel = this.weights.effectiveKernel(options) as tf.Tensor4D;
      const y = tf.conv2dTranspose(x as tf.Tensor4D, kernel, [x.shape[0], h, w, c], this.strides, this.padding);
      return this.weights.bias ? tf.add(y, this.weights.bias) : y;
    });
  }

  dispose(): void {
    this.weights.dispose();
  }
}
