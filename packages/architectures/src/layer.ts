import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';

/**
 * A built layer: a function of a batch plus the variables it owns. Layers are built eagerly for a
 * known input shape (no lazy build), so their variables exist, with their final names and values,
 * as soon as the layer does.
 */
export interface Layer {
  /** The layer's full name, e.g. `generator/dense_0`; its variables are named `<name>/<variable>`. */
  readonly name: string;
  /** Shape of one input example (no batch dimension) the layer was built for. */
  readonly inputShape: readonly number[];
  /** `true` when {@link Layer.apply} needs `options.labels` (conditional layers). */
  readonly usesLabels: boolean;
  /**
   * Shape of one output example for a given input example shape (no batch dimension).
   * Throws a `GankitError` when the layer cannot take that input shape.
   */
  outputShape(inputShape: readonly number[]): number[];
  /** Runs the layer on a batch `[batch, ...inputShape]`. */
  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor;
  /** Variables the optimizer updates, in a fixed order (kernel before bias, gamma before beta). */
  readonly trainableVariables: readonly tf.Variable[];
  /** State that is saved but not trained (batch-norm moving statistics, spectral-norm vectors). */
  readonly nonTrainableVariables: readonly tf.Variable[];
  /** Frees every variable the layer owns. */
  dispose(): void;
}

/** What a {@link LayerSpec} is given to build its {@link Layer}. */
export interface LayerBuildContext {
  /** The layer's full, unique name, e.g. `generator/dense_0`. */
  readonly name: string;
  /** Shape of one input example, without the batch dimension. */
  readonly inputShape: readonly number[];
  /** A seeded source for the layer's initial weights (its own stream: other layers do not shift it). */
  readonly random: RandomSource;
}

/**
 * A recipe for a layer: what `dense({ units: 128 })` returns. {@link sequential} builds each spec
 * with the shape the previous layer puts out, so shapes are checked layer by layer at build time.
 * Implement this interface to plug your own layer into {@link sequential}.
 */
export interface LayerSpec {
  /** The kind of layer, used for automatic names (`dense` gives `dense_0`, `dense_1`, ...). */
  readonly kind: string;
  /** An explicit short name that replaces the automatic `<kind>_<i>` name. */
  readonly name?: string | undefined;
  /** Builds the layer for the context's input shape, or throws a `GankitError` if it cannot take it. */
  build(context: LayerBuildContext): Layer;
}

/** Options of {@link buildLayer}. */
export interface BuildLayerOptions {
  /** The layer's full name (default: the spec's name or `<kind>_0`). */
  readonly name?: string | undefined;
  /** Seed for the initial weights (default 0). */
  readonly seed?: number | undefined;
}

/**
 * Builds a single layer outside a {@link sequential} network, e.g. to test it or compose it by hand.
 *
 * @example
 * ```ts
 * const layer = buildLayer(dense({ units: 3 }), [4], { name: 'probe', seed: 1 });
 * const y = layer.apply(tf.ones([2, 4]), { training: false }); // [2, 3]
 * layer.dispose();
 * ```
 */
export function buildLayer(spec: LayerSpec, inputShape: readonly number[], options: BuildLayerOptions = {}): Layer {
  checkExampleShape(inputShape, 'buildLayer: inputShape');
  const name = options.name ?? spec.name ?? `${spec.kind}_0`;
  const random = new RandomSource(options.seed ?? 0).fork(name);
  return spec.build({ name, inputShape: [...inputShape], random });
}

/** Throws unless `shape` is a list of positive integers. */
export function checkExampleShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('shape', `${what} must be a list of positive integers, got ${JSON.stringify(shape)}`);
  }
}

/** Throws unless `value` is a positive integer. */
export function checkPositiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new GankitError('config', `${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Throws unless the input example shape has the given rank; names the layer and both shapes. */
export function expectRank(layer: string, inputShape: readonly number[], rank: number, hint = ''): void {
  if (inputShape.length !== rank) {
    const want = formatShape(new Array(rank + 1).fill(null));
    throw new GankitError(
      'shape',
      `layer '${layer}' expects input of shape ${want} (rank ${rank + 1} with the batch), got ${formatShape([null, ...inputShape])}${hint ? `; ${hint}` : ''}`,
    );
  }
}

/**
 * Creates a named variable from an initial value (the initial tensor is freed). A name that is
 * already registered with tfjs (another live network with the same name) gives a clear error.
 */
export function createVariable(name: string, initialValue: () => tf.Tensor, trainable: boolean): tf.Variable {
  if (tf.engine().registeredVariables[name] != null) {
    throw new GankitError(
      'name',
      `a variable named '${name}' already exists (another network with the same name is alive); dispose it or give this network another name`,
    );
  }
  return tf.tidy(() => tf.variable(initialValue(), trainable, name));
}

/** Disposes variables, skipping ones already disposed. */
export function disposeVariables(variables: readonly tf.Variable[]): void {
  for (const v of variables) if (!v.isDisposed) v.dispose();
}

/**
 * Checks that `options.labels` holds int32 class labels `[batch]` and returns them.
 * Used by conditional layers.
 */
export function requireLabels(layer: string, options: ApplyOptions, batch: number): tf.Tensor {
  const labels = options.labels;
  if (labels == null) {
    throw new GankitError('argument', `layer '${layer}' is conditional: pass int32 class labels [${batch}] as options.labels`);
  }
  if (labels.dtype !== 'int32') {
    throw new GankitError('dtype', `layer '${layer}': labels must be int32, got ${labels.dtype}`);
  }
  if (labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new GankitError(
      'shape',
      `layer '${layer}': labels must have shape [${batch}] (one per example), got ${formatShape(labels.shape)}`,
    );
  }
  return labels;
}

/** Product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Base of the layers that own no variables (activations, reshapes, pooling, padding): name and
 * input shape from the build context, empty variable lists, nothing to dispose.
 *
 * @internal
 */
export abstract class StatelessLayer implements Layer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  readonly trainableVariables: readonly tf.Variable[] = [];
  readonly nonTrainableVariables: readonly tf.Variable[] = [];

  constructor(ctx: LayerBuildContext) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
  }

  abstract outputShape(inputShape: readonly number[]): number[];
  abstract apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor;

  dispose(): void {
    // nothing to free
  }
}
