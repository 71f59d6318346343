import type * as tf from '@tensorflow/tfjs-core';
import { GankitError } from './errors';
import type { Awaitable, JsonValue, StepContext, StepLogs, TrainContext } from './types';

/** The version of the plugin contract this release implements. */
export const PLUGIN_API_VERSION = 1;

/** A plugin's checkpointable state: named tensors plus any JSON metadata. */
export interface PluginState {
  /** Tensors to save (the trainer writes them in the tfjs weights format). */
  readonly tensors: tf.NamedTensorMap;
  /** Small JSON metadata (counters, settings) saved beside the tensors. */
  readonly meta?: JsonValue;
}

/**
 * A piece of training behaviour: a regularizer, weight averaging, a metric, a logger.
 *
 * Every hook is optional. Synchronous hooks (`discriminatorLoss`, `generatorLoss`, `after*Step`)
 * run inside the gradient scope and inside `tf.tidy`, so they must not be `async`; loss terms they
 * return are added to the player's loss. Asynchronous hooks run between iterations.
 * Plugins run in ascending {@link GanPlugin.order} (default 0), ties in the order given.
 *
 * @example
 * ```ts
 * const l2: GanPlugin = {
 *   name: 'l2',
 *   discriminatorLoss: (s) => ({ l2: tf.mul(1e-4, tf.addN(s.discriminator.trainableVariables.map((v) => tf.sum(tf.square(v))))) }),
 * };
 * ```
 */
export interface GanPlugin {
  /** A unique name; it prefixes the plugin's log terms and names its state in checkpoints. */
  readonly name: string;
  /** The plugin contract version the plugin was written for (default `PLUGIN_API_VERSION`). */
  readonly apiVersion?: number;
  /** Position in the hook sequence: lower runs first (regularizers ~0, averaging ~100, loggers ~200). */
  readonly order?: number;
  /** Called once before training (and after a checkpoint is restored). */
  setup?(ctx: TrainContext): Awaitable<void>;
  /** Extra discriminator loss terms, each a scalar added to D's loss (gradient penalty, R1, ...). */
  discriminatorLoss?(s: StepContext): Record<string, tf.Scalar> | void;
  /** Extra generator loss terms, each a scalar added to G's loss. */
  generatorLoss?(s: StepContext): Record<string, tf.Scalar> | void;
  /** Runs after each discriminator update (weight clipping, ...). */
  afterDiscriminatorStep?(s: StepContext): void;
  /** Runs after each generator update (EMA, ...). */
  afterGeneratorStep?(s: StepContext): void;
  /** Runs after each iteration with its logs; may add to `logs.metrics`. */
  onStepEnd?(ctx: TrainContext, logs: StepLogs): Awaitable<void>;
  /** Runs once when training ends (normally or by a stop request). */
  onTrainEnd?(ctx: TrainContext): Awaitable<void>;
  /** The plugin's state for a checkpoint. */
  state?(): PluginState;
  /** Restores the state saved by {@link GanPlugin.state}. */
  loadState?(state: PluginState): void;
  /** Frees the plugin's tensors and variables. */
  dispose?(): void;
}

/**
 * Checks a list of plugins (unique names, a supported contract version) and returns them in the
 * order their hooks run: ascending `order`, ties kept in the given order.
 */
export function sortPlugins(plugins: readonly GanPlugin[]): GanPlugin[] {
  const seen = new Set<string>();
  for (const p of plugins) {
    if (!p || typeof p.name !== 'string' || p.name.length === 0) {
      throw new GankitError('plugin', 'every plugin needs a non-empty string `name`');
    }
    if (seen.has(p.name)) throw new GankitError('plugin', `two plugins are named '${p.name}'; plugin names must be unique`);
    seen.add(p.name);
    const v = p.apiVersion ?? PLUGIN_API_VERSION;
    if (v > PLUGIN_API_VERSION) {
      throw new GankitError('plugin', `plugin '${p.name}' needs plugin API version ${v}, but this @gankit/core supports up to ${PLUGIN_API_VERSION}; upgrade @gankit/core`);
    }
  }
  return plugins
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.order ?? 0) - (b.p.order ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}
