import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { normal } from '../initializers';
import type { Initializer } from '../initializers';
import { checkPositiveInt, createVariable } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link embedding}. */
export interface EmbeddingConfig {
  /** Number of distinct indices (e.g. classes); inputs are integers in `[0, inputDim)`. */
  readonly inputDim: number;
  /** Length of each vector. */
  readonly outputDim: number;
  /** Initialiser of the table `[inputDim, outputDim]` (default `normal(0, 0.05)`). */
  readonly initializer?: Initializer | undefined;
  /** An explicit short name instead of `embedding_<i>`. */
  readonly name?: string | undefined;
}

/**
 * A lookup table: maps int32 indices `[batch, ...shape]` to vectors `[batch, ...shape, outputDim]`.
 * Use it as a network's first layer (with `inputDtype: 'int32'`), or through {@link concatLabel}
 * to embed class labels beside other features. Variable: `<name>/embeddings`.
 */
export function embedding(config: EmbeddingConfig): LayerSpec {
  const inputDim = checkPositiveInt(config.inputDim, 'embedding: inputDim');
  const outputDim = checkPositiveInt(config.outputDim, 'embedding: outputDim');
  return { kind: 'embedding', name: config.name, build: (ctx) => new Embedding(ctx, inputDim, outputDim, config.initializer) };
}

class Embedding implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  readonly trainableVariables: tf.Variable[];
  readonly nonTrainableVariables: tf.Variable[] = [];
  private readonly table: tf.Variable;

  constructor(
    ctx: LayerBuildContext,
    inputDim: number,
    private readonly outputDim: number,
    initializer?: Initializer,
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    const init = initializer ?? normal(0, 0.05);
    this.table = createVariable(`${this.name}/embeddings`, () => init([inputDim, outputDim], ctx.random), true);
    this.trainableVariables = [this.table];
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape, this.outputDim];
  }

  apply(x: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    if (x.dtype !== 'int32') throw new GankitError('dtype', `layer '${this.name}': embedding indices must be int32, got ${x.dtype}`);
    return tf.tidy(() => tf.reshape(tf.gather(this.table, tf.reshape(x, [-1])), [...x.shape, this.outputDim]));
  }

  dispose(): void {
    if (!this.table.isDisposed) this.table.dispose();
  }
}
