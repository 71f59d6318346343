import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, formatShape } from '@gankit/core';
import type { ApplyOptions, Network } from '@gankit/core';
import { buildChain, chainOutputShape, LayerNamer, summaryLines } from './chain';
import { checkExampleShape, requireLabels } from './layer';
import type { Layer, LayerSpec } from './layer';
import { checkNetworkInput } from './network-utils';

/** Configuration of {@link sequential}. */
export interface SequentialConfig {
  /**
   * The network's name (`generator`, `discriminator`, ...). It prefixes every variable name
   * (`generator/dense_0/kernel`), so two live networks need different names.
   */
  readonly name: string;
  /** Shape of one input example, without the batch dimension (e.g. `[100]` or `[28, 28, 1]`). */
  readonly inputShape: readonly number[];
  /** The layers, applied in order. */
  readonly layers: readonly LayerSpec[];
  /** Seed of the initial weights (default 0): the same seed gives bit-identical weights. */
  readonly seed?: number | undefined;
  /** Dtype of the input (default `'float32'`; `'int32'` for a network that starts with an embedding). */
  readonly inputDtype?: 'float32' | 'int32' | undefined;
}

/** A `Network` made of layers applied in sequence; what {@link sequential} returns. */
export interface SequentialNetwork extends Network {
  /** The built layers, in order. */
  readonly layers: readonly Layer[];
  /** `true` when some layer needs `options.labels` (a conditional network). */
  readonly usesLabels: boolean;
  /** One line per layer: name, output shape and parameter count. */
  summary(): string;
}

/**
 * Builds a `Network` from layer specs, applied in order. Each layer is built eagerly for the
 * shape the previous one puts out, so a mismatch fails here, naming the layer and both shapes.
 *
 * Layers are named `<kind>_<i>` (counted per kind) unless a spec names itself, and variables
 * `<network>/<layer>/<variable>`; `trainableVariables` lists them layer by layer in a fixed order
 * (kernel before bias, gamma before beta), which checkpoints and optimizer state rely on. Each
 * layer's initial weights come from its own seeded stream (network seed, layer name), so the same
 * seed gives bit-identical weights.
 *
 * `apply` checks the input's shape and dtype (and, for conditional networks, the labels) and frees
 * every intermediate tensor.
 *
 * @example
 * ```ts
 * const g = sequential({
 *   name: 'generator',
 *   inputShape: [2],
 *   layers: [dense({ units: 16 }), relu(), dense({ units: 2 })],
 *   seed: 1,
 * });
 * const x = g.apply(tf.randomNormal([8, 2]), { training: false }); // [8, 2]
 * g.dispose();
 * ```
 */
export function sequential(config: SequentialConfig): SequentialNetwork {
  if (typeof config.name !== 'string' || config.name.length === 0) {
    throw new GankitError('config', 'sequential: name must be a non-empty string');
  }
  checkExampleShape(config.inputShape, `sequential '${config.name}': inputShape`);
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    throw new GankitError('config', `sequential '${config.name}': layers must be a non-empty list`);
  }
  const inputDtype = config.inputDtype ?? 'float32';
  if (inputDtype !== 'float32' && inputDtype !== 'int32') {
    throw new GankitError('config', `sequential '${config.name}': inputDtype must be 'float32' or 'int32', got ${String(inputDtype)}`);
  }
  const chain = buildChain(config.layers, {
    scope: config.name,
    inputShape: config.inputShape,
    random: new RandomSource(config.seed ?? 0),
    namer: new LayerNamer(),
    owner: `sequential '${config.name}'`,
  });
  return new Sequential(config.name, [...config.inputShape], chain.outputShape, inputDtype, chain.layers);
}

class Sequential implements SequentialNetwork {
  readonly trainableVariables: readonly tf.Variable[];
  readonly nonTrainableVariables: readonly tf.Variable[];
  readonly usesLabels: boolean;
  private disposed = false;

  constructor(
    readonly name: string,
    readonly inputShape: readonly number[],
    readonly outputShape: readonly number[],
    private readonly inputDtype: 'float32' | 'int32',
    readonly layers: readonly Layer[],
  ) {
    this.trainableVariables = layers.flatMap((l) => [...l.trainableVariables]);
    this.nonTrainableVariables = layers.flatMap((l) => [...l.nonTrainableVariables]);
    this.usesLabels = layers.some((l) => l.usesLabels);
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    if (this.disposed) throw new GankitError('state', `network '${this.name}' has been disposed`);
    checkNetworkInput(this.name, this.inputShape, this.inputDtype, x, options);
    if (this.usesLabels) requireLabels(this.name, options, x.shape[0]);
    return tf.tidy(() => {
      let y = x;
      for (const layer of this.layers) y = layer.apply(y, options);
      return y === x ? tf.clone(x) : y;
    });
  }

  summary(): string {
    const entries = this.layers.map((layer, i) => ({ layer, outputShape: chainOutputShape(this.layers.slice(0, i + 1), this.inputShape) }));
    const { lines, total } = summaryLines(entries);
    return [`${this.name}: input ${formatShape([null, ...this.inputShape])}`, ...lines, `  trainable parameters: ${total}`].join('\n');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const layer of this.layers) layer.dispose();
  }
}
