import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions, Network } from '@gankit/core';

/** Options of {@link fromLayersModel}. */
export interface FromLayersModelOptions {
  /** The network's name in logs and checkpoints (default: the model's own name). */
  readonly name?: string | undefined;
  /** Dispose the model when the network is disposed (default `true`: the network owns it). */
  readonly disposeModel?: boolean | undefined;
}

/**
 * The part of a tfjs-layers `LayersModel` that {@link fromLayersModel} uses, written out here so
 * that this package's published types never name `@tensorflow/tfjs-layers` (an optional peer
 * dependency: users who do not use the adapter need not install it). Any `tf.LayersModel`
 * (`tf.sequential(...)`, `tf.model(...)`, `tf.loadLayersModel(...)`) matches it.
 */
export interface LayersModelLike {
  /** The model's name. */
  readonly name: string;
  /** The model's symbolic inputs; only their shapes are read (`null` for the batch). */
  readonly inputs: readonly { readonly shape: readonly (number | null)[] }[];
  /** The model's symbolic outputs; only their shapes are read. */
  readonly outputs: readonly { readonly shape: readonly (number | null)[] }[];
  /** The trainable weights, in the model's order; `read()` gives the `tf.Variable` behind each. */
  readonly trainableWeights: readonly LayersWeightLike[];
  /** The non-trainable weights (batch-norm moving statistics, ...), in the model's order. */
  readonly nonTrainableWeights: readonly LayersWeightLike[];
  /** Runs the model on a tensor: `model.apply(x, { training })`. */
  apply(inputs: tf.Tensor, kwargs: { training: boolean }): unknown;
  /** Frees the model's weights. */
  dispose(): unknown;
}

/** A weight of a {@link LayersModelLike} (tfjs-layers' `LayerVariable`). */
export interface LayersWeightLike {
  /** The weight's name. */
  readonly name: string;
  /** The tensor that holds the weight's value (a `tf.Variable` in tfjs-layers). */
  read(): tf.Tensor;
}

/** A tfjs-layers model seen as a `Network`; what {@link fromLayersModel} returns. */
export interface LayersModelNetwork<M extends LayersModelLike = LayersModelLike> extends Network {
  /** The wrapped model (typed as the model you passed). */
  readonly model: M;
}

function exampleShape(shape: readonly (number | null)[], what: string, name: string): number[] {
  const rest = shape.slice(1);
  if (rest.some((d) => d == null || !Number.isInteger(d) || d <= 0)) {
    throw new GankitError(
      'shape',
      `fromLayersModel '${name}': the model's ${what} shape ${formatShape(shape)} must be fully known apart from the batch`,
    );
  }
  return rest as number[];
}

function variablesOf(weights: readonly LayersWeightLike[], name: string): tf.Variable[] {
  return weights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) {
      throw new GankitError(
        'argument',
        `fromLayersModel '${name}': weight '${w.name}' is not a tf.Variable of this tfjs-core; is a second copy of @tensorflow/tfjs-core installed?`,
      );
    }
    return v;
  });
}

/**
 * Wraps a tfjs-layers model (`tf.sequential(...)`, `tf.model(...)`, or one loaded with
 * `tf.loadLayersModel`) as a gankit `Network`, so it can be trained by gankit's trainer beside
 * gankit's own builders.
 *
 * - `trainableVariables` / `nonTrainableVariables`: the tfjs `Variable`s behind
 *   `model.trainableWeights` / `model.nonTrainableWeights`, in the model's fixed order (layer by
 *   layer, as `model.getWeights()` lists them).
 * - `apply(x, { training })` calls `model.apply(x, { training })`: in inference it equals
 *   `model.predict(x)`; gradients flow to the model's weights. `options.labels` is ignored (a
 *   single-input model).
 * - The model must have one input and one output, with every dimension but the batch known.
 *
 * This package never loads or names `@tensorflow/tfjs-layers` (an optional peer dependency; the
 * model is typed structurally as {@link LayersModelLike}): build the model with your own copy,
 * which must share gankit's `@tensorflow/tfjs-core`.
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
 * const critic = fromLayersModel(model, { name: 'critic' });
 * ```
 */
export function fromLayersModel<M extends LayersModelLike>(model: M, options: FromLayersModelOptions = {}): LayersModelNetwork<M> {
  if (model == null || typeof model.apply !== 'function' || !Array.isArray(model.inputs)) {
    throw new GankitError('argument', `fromLayersModel expects a tfjs-layers LayersModel, got ${String(model)}`);
  }
  const name = options.name ?? model.name;
  if (typeof name !== 'string' || name.length === 0) throw new GankitError('config', 'fromLayersModel: name must be a non-empty string');
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new GankitError(
      'config',
      `fromLayersModel '${name}': the model must have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const inputShape = exampleShape(model.inputs[0].shape, 'input', name);
  const outputShape = exampleShape(model.outputs[0].shape, 'output', name);
  const trainable = variablesOf(model.trainableWeights, name);
  const nonTrainable = variablesOf(model.nonTrainableWeights, name);
  return new LayersModelAdapter(name, model, inputShape, outputShape, trainable, nonTrainable, options.disposeModel ?? true);
}

class LayersModelAdapter<M extends LayersModelLike> implements LayersModelNetwork<M> {
  private disposed = false;

  constructor(
    readonly name: string,
    readonly model: M,
    readonly inputShape: readonly number[],
    readonly outputShape: readonly number[],
    readonly trainableVariables: readonly tf.Variable[],
    readonly nonTrainableVariables: readonly tf.Variable[],
    private readonly disposeModel: boolean,
  ) {}

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    if (this.disposed) throw new GankitError('state', `network '${this.name}' has been disposed`);
    if (x == null || !(x instanceof tf.Tensor))
      throw new GankitError('argument', `network '${this.name}': apply expects a tf.Tensor, got ${String(x)}`);
    const expected = [null, ...this.inputShape];
    if (x.rank !== expected.length || this.inputShape.some((d, i) => x.shape[i + 1] !== d) || x.shape[0] < 1) {
      throw new GankitError(
        'shape',
        `network '${this.name}': expected input of shape ${formatShape(expected)}, got ${formatShape(x.shape)}`,
      );
    }
    if (options == null || typeof options.training !== 'boolean') {
      throw new GankitError('config', `network '${this.name}': apply needs options { training: boolean }`);
    }
    const y = this.model.apply(x, { training: options.training });
    if (!(y instanceof tf.Tensor)) {
      if (Array.isArray(y)) tf.dispose(y.filter((t): t is tf.Tensor => t instanceof tf.Tensor));
      throw new GankitError('argument', `network '${this.name}': model.apply did not return one tensor`);
    }
    return y;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.disposeModel) this.model.dispose();
  }
}
