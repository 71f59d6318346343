import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions, RandomSource } from '@gankit/core';
import type { Layer, LayerSpec } from './layer';

/** A list of built layers applied in order, with the shapes they were built for. */
export interface LayerChain {
  /** The built layers, in order. */
  readonly layers: readonly Layer[];
  /** Shape of one input example the chain was built for. */
  readonly inputShape: readonly number[];
  /** Shape of one output example. */
  readonly outputShape: readonly number[];
  /** `true` when some layer needs `options.labels`. */
  readonly usesLabels: boolean;
  /** Applies the layers in order (an empty chain returns a clone of `x`). */
  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor;
}

/** Naming state shared by every chain built into one network: used names and per-kind counters. */
export class LayerNamer {
  private readonly counters = new Map<string, number>();
  private readonly names = new Set<string>();

  /**
   * The full name of the next layer built from `spec` under `scope`: `<scope>/<spec.name>` or
   * `<scope>/<kind>_<i>` with `i` counted per (scope, kind). Throws on a duplicate name.
   */
  next(scope: string, spec: LayerSpec, owner: string): string {
    let short = spec.name;
    if (short === undefined) {
      const key = `${scope}\u0000${spec.kind}`;
      const i = this.counters.get(key) ?? 0;
      this.counters.set(key, i + 1);
      short = `${spec.kind}_${i}`;
    }
    const name = `${scope}/${short}`;
    if (this.names.has(name)) throw new GankitError('name', `${owner}: two layers are named '${short}' in '${scope}'`);
    this.names.add(name);
    return name;
  }
}

/** Options of {@link buildChain}. */
export interface BuildChainOptions {
  /** Prefix of the layers' names (`generator`, `generator/res_block_0`, ...). */
  readonly scope: string;
  /** Shape of one input example. */
  readonly inputShape: readonly number[];
  /** Each layer's weights come from `random.fork(fullLayerName)`. */
  readonly random: RandomSource;
  /** Shared naming state (so names stay unique across several chains of one network). */
  readonly namer: LayerNamer;
  /** Who is building, for error messages (e.g. `sequential 'generator'`). */
  readonly owner: string;
}

/**
 * Builds layer specs in order, each for the shape the previous one puts out. On failure the layers
 * built so far are disposed and the error is rethrown.
 */
export function buildChain(specs: readonly LayerSpec[], options: BuildChainOptions): LayerChain {
  const layers: Layer[] = [];
  let shape: number[] = [...options.inputShape];
  try {
    for (const spec of specs) {
      if (spec == null || typeof spec.build !== 'function') {
        throw new GankitError(
          'config',
          `${options.owner}: layer ${layers.length} is not a layer spec (did you call the factory, e.g. relu()?)`,
        );
      }
      const name = options.namer.next(options.scope, spec, options.owner);
      const layer = spec.build({ name, inputShape: shape, random: options.random.fork(name) });
      layers.push(layer);
      shape = layer.outputShape(shape);
    }
  } catch (e) {
    for (const layer of layers) layer.dispose();
    throw e;
  }
  return new Chain([...options.inputShape], shape, layers);
}

class Chain implements LayerChain {
  readonly usesLabels: boolean;

  constructor(
    readonly inputShape: readonly number[],
    readonly outputShape: readonly number[],
    readonly layers: readonly Layer[],
  ) {
    this.usesLabels = layers.some((l) => l.usesLabels);
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const layer of this.layers) y = layer.apply(y, options);
      return y === x ? tf.clone(x) : y;
    });
  }
}

/** Shape of one output example after `layers`, starting from `inputShape`. */
export function chainOutputShape(layers: readonly Layer[], inputShape: readonly number[]): number[] {
  let shape = [...inputShape];
  for (const layer of layers) shape = layer.outputShape(shape);
  return shape;
}

/** Formats a list of layers as summary lines (name, output shape, parameters); returns the total. */
export function summaryLines(
  entries: readonly { layer: Layer; outputShape: readonly number[] }[],
  indent = '  ',
): { lines: string[]; total: number } {
  const lines: string[] = [];
  let total = 0;
  for (const { layer, outputShape } of entries) {
    const params = layer.trainableVariables.reduce((n, v) => n + v.size, 0);
    total += params;
    lines.push(`${indent}${layer.name.padEnd(40)} ${formatShape([null, ...outputShape]).padEnd(20)} ${params}`);
  }
  return { lines, total };
}
