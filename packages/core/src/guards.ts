// Type guards for the contract's shapes, so packages that receive a part from a user (a plugin list,
// a network, a data source, a loss) ask one question in one place instead of duck-typing it inline.
import type * as tf from '@tensorflow/tfjs-core';
import type { Network } from './network';
import { type GanPlugin, PLUGIN_HOOK_VERSIONS } from './plugin';
import type { DataSource, LossPair } from './types';

/**
 * What the trainer and the CLI use of a weight-averaging plugin (`ema` and `uniformAverage` from
 * `@gankit/averaging` meet it): the averaged copy of one network's variables, and a way to run code
 * with those weights swapped in. Found among a run's plugins by {@link isWeightAverager}.
 */
export interface WeightAverager extends GanPlugin {
  /** Name of the averaged network; absent means `'generator'`. */
  readonly network?: string | undefined;
  /** `false` while the averaged copy does not exist yet (before `setup`); absent means it does. */
  readonly initialized?: boolean | undefined;
  /** The averaged variables, in the network's variable order (trainable first); they belong to the plugin. */
  averagedWeights(): tf.Variable[];
  /** Runs `fn` with the averaged values in `net`'s variables, then puts the training values back exactly. */
  withAveragedWeights<T>(net: Network, fn: () => T): T;
}

type Loose = Record<string, unknown>;

const isObject = (x: unknown): x is Loose => (typeof x === 'object' || typeof x === 'function') && x !== null;
const isFunction = (x: unknown): boolean => typeof x === 'function';
const isOptionalNumber = (x: unknown): boolean => x === undefined || typeof x === 'number';
const isShape = (x: unknown): boolean => Array.isArray(x) && x.every((d) => Number.isInteger(d) && d >= 0);

/**
 * Whether `p` is a {@link GanPlugin}: an object with a non-empty string `name`, every hook it has
 * (see {@link PLUGIN_HOOK_VERSIONS}) a function, and `order` and `apiVersion` numbers when present.
 * It checks the shape, not the version: `sortPlugins` refuses a plugin whose version is too new.
 */
export function isGanPlugin(p: unknown): p is GanPlugin {
  if (!isObject(p) || typeof p.name !== 'string' || p.name === '') return false;
  if (!isOptionalNumber(p.order) || !isOptionalNumber(p.apiVersion)) return false;
  return Object.keys(PLUGIN_HOOK_VERSIONS).every((hook) => p[hook] === undefined || isFunction(p[hook]));
}

/**
 * Whether `p` is a {@link WeightAverager}: a {@link isGanPlugin | plugin} with `averagedWeights()`
 * and `withAveragedWeights()`, and a string `network` when it names one. Which network it averages
 * is the caller's question (`(p.network ?? 'generator') === 'generator'`).
 */
export function isWeightAverager(p: unknown): p is WeightAverager {
  if (!isGanPlugin(p)) return false;
  const a = p as unknown as Loose;
  return isFunction(a.averagedWeights) && isFunction(a.withAveragedWeights) && (a.network === undefined || typeof a.network === 'string');
}

/**
 * Whether `x` is a {@link Network}: a string `name`, `inputShape` and `outputShape` arrays of
 * non-negative integers, `trainableVariables` and `nonTrainableVariables` arrays, and `apply` and
 * `dispose` functions. The variables' contents are not inspected.
 */
export function isNetwork(x: unknown): x is Network {
  return (
    isObject(x) &&
    typeof x.name === 'string' &&
    isShape(x.inputShape) &&
    isShape(x.outputShape) &&
    Array.isArray(x.trainableVariables) &&
    Array.isArray(x.nonTrainableVariables) &&
    isFunction(x.apply) &&
    isFunction(x.dispose)
  );
}

/**
 * Whether `x` is a {@link DataSource}: a string `name`, a `sampleShape` array of non-negative
 * integers, a `nextBatch` function, numbers for `size` and `numClasses` when present, and functions
 * for `state` and `loadState` when present.
 */
export function isDataSource(x: unknown): x is DataSource {
  return (
    isObject(x) &&
    typeof x.name === 'string' &&
    isShape(x.sampleShape) &&
    isFunction(x.nextBatch) &&
    isOptionalNumber(x.size) &&
    isOptionalNumber(x.numClasses) &&
    (x.state === undefined || isFunction(x.state)) &&
    (x.loadState === undefined || isFunction(x.loadState))
  );
}

/**
 * Whether `x` is a {@link LossPair}: a string `name`, a boolean `probabilistic`, `discriminator`
 * and `generator` functions, and a boolean `generatorUsesReal` when present.
 */
export function isLossPair(x: unknown): x is LossPair {
  return (
    isObject(x) &&
    typeof x.name === 'string' &&
    typeof x.probabilistic === 'boolean' &&
    isFunction(x.discriminator) &&
    isFunction(x.generator) &&
    (x.generatorUsesReal === undefined || typeof x.generatorUsesReal === 'boolean')
  );
}
