import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { normal } from '../initializers';
import type { Initializer } from '../initializers';
import { checkPositiveInt, createVariable, requireLabels } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link concatLabel}. */
export interface ConcatLabelConfig {
  /** Number of classes; labels are integers in `[0, numClasses)`. */
  readonly numClasses: number;
  /**
   * Length of a learned label embedding to concatenate instead of the one-hot vector
   * (default: none, one-hot).
   */
  readonly embeddingDim?: number | undefined;
  /** Initialiser of the embedding table (default `normal(0, 0.05)`); only with `embeddingDim`. */
  readonly embeddingInitializer?: Initializer | undefined;
  /** An explicit short name instead of `concat_label_<i>`. */
  readonly name?: string | undefined;
}

/**
 * Concatenates float32 one-hot vectors of `labels` (int32 `[batch]`, values in `[0, numClasses)`) to
 * the last axis of `x`: `[batch, d]` gives `[batch, d + numClasses]`; images `[batch, h, w, c]` give
 * `[batch, h, w, c + numClasses]` with the one-hot vector repeated at every position (as in
 * conditional GANs, Mirza & Osindero, 2014).
 */
export function concatOneHot(x: tf.Tensor, labels: tf.Tensor, numClasses: number): tf.Tensor {
  checkPositiveInt(numClasses, 'concatOneHot: numClasses');
  requireLabels('concatOneHot', { training: false, labels }, x.shape[0]);
  return tf.tidy(() => concatVectors(x, tf.cast(tf.oneHot(labels as tf.Tensor1D, numClasses), 'float32')));
}

/** Concatenates `[batch, k]` vectors to the last axis of `x`, repeating them over any spatial axes. */
function concatVectors(x: tf.Tensor, vectors: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return tf.concat([x, vectors], 1);
  const k = vectors.shape[1] as number;
  const spatial = x.shape.slice(1, -1);
  const expanded = tf.reshape(vectors, [x.shape[0], ...spatial.map(() => 1), k]);
  const tiled = tf.broadcastTo(expanded, [x.shape[0], ...spatial, k]);
  return tf.concat([x, tiled], x.rank - 1);
}

/**
 * A conditional-model helper layer: concatenates each example's class label, one-hot (default) or
 * as a learned embedding (`embeddingDim`), to the last axis of the input. Takes vectors `[batch, d]`
 * or images `[batch, h, w, c]`; needs `options.labels` (int32 `[batch]`).
 * With `embeddingDim`, its variable is `<name>/embeddings`.
 */
export function concatLabel(config: ConcatLabelConfig): LayerSpec {
  const numClasses = checkPositiveInt(config.numClasses, 'concatLabel: numClasses');
  const embeddingDim = config.embeddingDim === undefined ? undefined : checkPositiveInt(config.embeddingDim, 'concatLabel: embeddingDim');
  return {
    kind: 'concat_label',
    name: config.name,
    build: (ctx) => new ConcatLabel(ctx, numClasses, embeddingDim, config.embeddingInitializer),
  };
}

class ConcatLabel implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = true;
  readonly trainableVariables: tf.Variable[] = [];
  readonly nonTrainableVariables: tf.Variable[] = [];
  private readonly table: tf.Variable | null = null;

  constructor(
    ctx: LayerBuildContext,
    private readonly numClasses: number,
    private readonly embeddingDim: number | undefined,
    init?: Initializer,
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    if (embeddingDim !== undefined) {
      const initializer = init ?? normal(0, 0.05);
      this.table = createVariable(`${this.name}/embeddings`, () => initializer([numClasses, embeddingDim], ctx.random), true);
      this.trainableVariables.push(this.table);
    }
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 && inputShape.length !== 3) {
      throw new GankitError(
        'shape',
        `layer '${this.name}' expects vectors [?, d] or images [?, h, w, c], got ${formatShape([null, ...inputShape])}`,
      );
    }
    const k = this.embeddingDim ?? this.numClasses;
    return [...inputShape.slice(0, -1), inputShape[inputShape.length - 1] + k];
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    const labels = requireLabels(this.name, options, x.shape[0]);
    return tf.tidy(() => {
      const vectors = this.table ? tf.gather(this.table, labels) : tf.cast(tf.oneHot(labels as tf.Tensor1D, this.numClasses), 'float32');
      return concatVectors(x, vectors);
    });
  }

  dispose(): void {
    if (this.table && !this.table.isDisposed) this.table.dispose();
  }
}
