import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, formatShape } from '@gankit/core';
import type { ApplyOptions, Network } from '@gankit/core';
import { buildChain, LayerNamer, summaryLines } from './chain';
import type { LayerChain } from './chain';
import { checkExampleShape, checkPositiveInt, requireLabels } from './layer';
import type { Layer, LayerSpec } from './layer';
import { checkLabels, checkNetworkInput } from './network-utils';

/**
 * What {@link GraphNetworkConfig.build} receives: builds layers and chains of layers that become
 * part of the network. Every layer built here is owned by the network (its variables are listed in
 * the order the layers were built, and `dispose` frees them).
 */
export interface GraphBuilder {
  /** The network's name; layers are named `<network>/<layer>`. */
  readonly name: string;
  /**
   * Builds one layer for `inputShape` (one example, no batch dimension). Named `<network>/<name>`
   * when `name` (or the spec's own name) is given, `<network>/<kind>_<i>` otherwise.
   */
  layer(spec: LayerSpec, inputShape: readonly number[], name?: string): Layer;
  /**
   * Builds a list of layers applied in order, each for the shape the previous one puts out. With
   * a `scope`, the layers are named `<network>/<scope>/<kind>_<i>`.
   */
  chain(specs: readonly LayerSpec[], inputShape: readonly number[], scope?: string): LayerChain;
}

/** A forward function with the shape of one of its output examples. */
export interface GraphEndpoint {
  /** Shape of one output example, without the batch dimension. */
  readonly outputShape: readonly number[];
  /**
   * Computes the output from a checked input batch. It runs inside `tf.tidy`: intermediates are
   * freed, and it may read `options.labels` (already checked when the network is conditional).
   */
  forward(x: tf.Tensor, options: ApplyOptions): tf.Tensor;
}

/** What {@link GraphNetworkConfig.build} returns: the main output plus optional named side outputs. */
export interface GraphDefinition extends GraphEndpoint {
  /**
   * Extra named outputs that {@link GraphNetwork.applyEndpoint} computes, e.g. a discriminator's
   * `features` (its penultimate activations, for feature matching or for checking a projection).
   */
  readonly endpoints?: Readonly<Record<string, GraphEndpoint>> | undefined;
}

/** Configuration of {@link graphNetwork}. */
export interface GraphNetworkConfig {
  /** The network's name; it prefixes every variable name, so two live networks need different names. */
  readonly name: string;
  /** Shape of one input example, without the batch dimension. */
  readonly inputShape: readonly number[];
  /** Dtype of the input (default `'float32'`). */
  readonly inputDtype?: 'float32' | 'int32' | undefined;
  /** Seed of the initial weights (default 0); each layer draws from its own stream (seed, layer name). */
  readonly seed?: number | undefined;
  /**
   * Number of classes of a conditional network: `apply` then requires `options.labels` (int32
   * `[batch]`) with every value in `[0, numClasses)`, and throws a `GankitError` otherwise.
   */
  readonly numClasses?: number | undefined;
  /** Builds the layers and returns the forward function (see {@link GraphBuilder}). */
  build(builder: GraphBuilder): GraphDefinition;
}

/** A `Network` with an arbitrary forward function over its own layers; what {@link graphNetwork} returns. */
export interface GraphNetwork extends Network {
  /** Every layer the network owns, in the order they were built. */
  readonly layers: readonly Layer[];
  /** `true` when `apply` needs `options.labels`. */
  readonly usesLabels: boolean;
  /** Number of classes of a conditional network (labels are checked against it), else `undefined`. */
  readonly numClasses: number | undefined;
  /** Names of the extra endpoints (see {@link GraphDefinition.endpoints}). */
  readonly endpointNames: readonly string[];
  /** Output shape of one example at a named endpoint. */
  endpointShape(endpoint: string): readonly number[];
  /** Computes a named endpoint with the same input checks as `apply`. */
  applyEndpoint(endpoint: string, x: tf.Tensor, options: ApplyOptions): tf.Tensor;
  /** One line per layer: name, output shape and parameter count. */
  summary(): string;
}

/**
 * Builds a `Network` whose forward pass is any function of its layers: branches, skip connections,
 * several heads, label-dependent terms, where {@link sequential} can only apply layers in a line.
 * The `build` callback creates the layers through a {@link GraphBuilder} (so they are named,
 * seeded and owned by the network) and returns the forward function and the output shape.
 *
 * `apply` checks the input's shape and dtype, the `training` flag and, for conditional networks
 * (`numClasses`), the labels; runs the forward function inside `tf.tidy`; and checks that the
 * result has the declared output shape. Variables are listed layer by layer in build order.
 *
 * @example
 * ```ts
 * // y = dense2(relu(dense1(x))) + x: a residual MLP
 * const net = graphNetwork({
 *   name: 'critic',
 *   inputShape: [4],
 *   seed: 1,
 *   build: (b) => {
 *     const body = b.chain([dense({ units: 16 }), relu(), dense({ units: 4 })], [4]);
 *     return { outputShape: [4], forward: (x, options) => tf.add(body.apply(x, options), x) };
 *   },
 * });
 * ```
 */
export function graphNetwork(config: GraphNetworkConfig): GraphNetwork {
  if (typeof config.name !== 'string' || config.name.length === 0) {
    throw new GankitError('config', 'graphNetwork: name must be a non-empty string');
  }
  const owner = `graphNetwork '${config.name}'`;
  checkExampleShape(config.inputShape, `${owner}: inputShape`);
  const inputDtype = config.inputDtype ?? 'float32';
  if (inputDtype !== 'float32' && inputDtype !== 'int32') {
    throw new GankitError('config', `${owner}: inputDtype must be 'float32' or 'int32', got ${String(inputDtype)}`);
  }
  const numClasses = config.numClasses === undefined ? undefined : checkPositiveInt(config.numClasses, `${owner}: numClasses`);
  if (typeof config.build !== 'function') throw new GankitError('config', `${owner}: build must be a function`);
  const root = new RandomSource(config.seed ?? 0);
  const namer = new LayerNamer();
  const entries: { layer: Layer; outputShape: number[] }[] = [];
  let closed = false;
  const open = (): void => {
    if (closed) throw new GankitError('config', `${owner}: the builder can only be used inside build()`);
  };
  const builder: GraphBuilder = {
    name: config.name,
    layer(spec, inputShape, name) {
      open();
      checkExampleShape(inputShape, `${owner}: inputShape of a layer`);
      const named = name === undefined ? spec : { kind: spec.kind, name, build: spec.build.bind(spec) };
      const chain = buildChain([named], { scope: config.name, inputShape, random: root, namer, owner });
      entries.push({ layer: chain.layers[0], outputShape: [...chain.outputShape] });
      return chain.layers[0];
    },
    chain(specs, inputShape, scope) {
      open();
      checkExampleShape(inputShape, `${owner}: inputShape of a chain`);
      const chain = buildChain(specs, {
        scope: scope === undefined ? config.name : `${config.name}/${scope}`,
        inputShape,
        random: root,
        namer,
        owner,
      });
      let shape = [...inputShape];
      for (const layer of chain.layers) {
        shape = layer.outputShape(shape);
        entries.push({ layer, outputShape: shape });
      }
      return chain;
    },
  };
  let definition: GraphDefinition;
  try {
    definition = config.build(builder);
    if (definition == null || typeof definition.forward !== 'function') {
      throw new GankitError('config', `${owner}: build must return { outputShape, forward }`);
    }
    checkExampleShape(definition.outputShape, `${owner}: outputShape`);
    for (const [key, endpoint] of Object.entries(definition.endpoints ?? {})) {
      if (endpoint == null || typeof endpoint.forward !== 'function')
        throw new GankitError('config', `${owner}: endpoint '${key}' must be { outputShape, forward }`);
      checkExampleShape(endpoint.outputShape, `${owner}: outputShape of endpoint '${key}'`);
    }
  } catch (e) {
    for (const { layer } of entries) layer.dispose();
    throw e;
  } finally {
    closed = true;
  }
  return new Graph(config.name, [...config.inputShape], inputDtype, numClasses, entries, definition);
}

class Graph implements GraphNetwork {
  readonly outputShape: readonly number[];
  readonly layers: readonly Layer[];
  readonly trainableVariables: readonly tf.Variable[];
  readonly nonTrainableVariables: readonly tf.Variable[];
  readonly usesLabels: boolean;
  readonly endpointNames: readonly string[];
  private disposed = false;

  constructor(
    readonly name: string,
    readonly inputShape: readonly number[],
    private readonly inputDtype: 'float32' | 'int32',
    readonly numClasses: number | undefined,
    private readonly entries: readonly { layer: Layer; outputShape: readonly number[] }[],
    private readonly definition: GraphDefinition,
  ) {
    this.outputShape = [...definition.outputShape];
    this.layers = entries.map((e) => e.layer);
    this.trainableVariables = this.layers.flatMap((l) => [...l.trainableVariables]);
    this.nonTrainableVariables = this.layers.flatMap((l) => [...l.nonTrainableVariables]);
    this.usesLabels = numClasses !== undefined || this.layers.some((l) => l.usesLabels);
    this.endpointNames = Object.keys(definition.endpoints ?? {});
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return this.run('output', this.definition, x, options);
  }

  endpointShape(endpoint: string): readonly number[] {
    return this.endpoint(endpoint).outputShape;
  }

  applyEndpoint(endpoint: string, x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return this.run(`endpoint '${endpoint}'`, this.endpoint(endpoint), x, options);
  }

  private endpoint(endpoint: string): GraphEndpoint {
    const found = this.definition.endpoints?.[endpoint];
    if (found == null) {
      throw new GankitError('config', `network '${this.name}' has no endpoint '${endpoint}'; it has ${JSON.stringify(this.endpointNames)}`);
    }
    return found;
  }

  private run(what: string, endpoint: GraphEndpoint, x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    if (this.disposed) throw new GankitError('state', `network '${this.name}' has been disposed`);
    checkNetworkInput(this.name, this.inputShape, this.inputDtype, x, options);
    if (this.numClasses !== undefined) checkLabels(this.name, options, x.shape[0], this.numClasses);
    else if (this.usesLabels) requireLabels(this.name, options, x.shape[0]);
    const y = tf.tidy(() => {
      const out = endpoint.forward(x, options);
      return out === x ? tf.clone(x) : out;
    });
    const want = [x.shape[0], ...endpoint.outputShape];
    if (y.rank !== want.length || want.some((d, i) => y.shape[i] !== d)) {
      y.dispose();
      throw new GankitError(
        'shape',
        `network '${this.name}': ${what} has shape ${formatShape(y.shape)}, but ${formatShape(want)} was declared`,
      );
    }
    return y;
  }

  summary(): string {
    const { lines, total } = summaryLines(this.entries);
    return [
      `${this.name}: input ${formatShape([null, ...this.inputShape])}, output ${formatShape([null, ...this.outputShape])}`,
      ...lines,
      `  trainable parameters: ${total}`,
    ].join('\n');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const layer of this.layers) layer.dispose();
  }
}
