import * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions } from '@gankit/core';
import { checkPositiveInt, expectRank } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { KernelWeights } from './weights';
import type { KernelLayerConfig } from './weights';

/** Configuration of {@link dense}. */
export interface DenseConfig extends KernelLayerConfig {
  /** Number of output units. */
  readonly units: number;
}

/**
 * A fully connected layer: `y = x·W + b` on inputs `[batch, in]`, with kernel `W` `[in, units]`.
 * Variables: `<name>/kernel`, then `<name>/bias` (when `useBias`, the default).
 */
export function dense(config: DenseConfig): LayerSpec {
  const units = checkPositiveInt(config.units, 'dense: units');
  return { kind: 'dense', name: config.name, build: (ctx) => new Dense(ctx, units, config) };
}

class Dense implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  private readonly weights: KernelWeights;

  constructor(
    ctx: LayerBuildContext,
    private readonly units: number,
    config: DenseConfig,
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    this.weights = new KernelWeights(ctx, [ctx.inputShape[0], units], units, config);
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.weights.trainable;
  }

  get nonTrainableVariables(): readonly tf.Variable[] {
    return this.weights.nonTrainable;
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 1, 'put a flatten() layer before a dense layer on images');
    return [this.units];
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => {
      const y = tf.matMul(x as tf.Tensor2D, this.weights.effectiveKernel(options) as tf.Tensor2D);
      return this.weights.bias ? tf.add(y, this.weights.bias) : y;
    });
  }

  dispose(): void {
    this.weights.dispose();
  }
}
