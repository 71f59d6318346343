import type * as tf from '@tensorflow/tfjs-core';
import { GankitError } from './errors';
import type { Awaitable, Batch, JsonValue, StepContext, StepLogs, TrainContext } from './types';

/**
 * The version of the plugin contract this release implements.
 *
 * - 1: `setup`, loss hooks, after-step hooks, `onStepEnd`, `onTrainEnd`, state, `dispose`.
 * - 2: adds the optional hooks {@link GanPlugin.transformFakes} and
 *   {@link GanPlugin.beforeGeneratorStep}, and the optional `StepContext` fields `fakeLabels`,
 *   `loss` and `adversarial`. A plugin that needs them declares `apiVersion: 2`, so that an older
 *   `@gankit/core` refuses it instead of silently skipping the hooks.
 */
export const PLUGIN_API_VERSION = 2;

/** A plugin's checkpointable state: named tensors plus any JSON metadata. */
export interface PluginState {
  /** Tensors to save (the trainer writes them in the tfjs weights format). */
  readonly tensors: tf.NamedTensorMap;
  /** Small JSON metadata (counters, settings) saved beside the tensors. */
  readonly meta?: JsonValue | undefined;
}

/**
 * A piece of training behaviour: a regularizer, weight averaging, a metric, a logger.
 *
 * Every hook is optional. Synchronous hooks (`transformFakes`, `discriminatorLoss`,
 * `beforeGeneratorStep`, `generatorLoss`, `after*Step`) run inside `tf.tidy` (the loss hooks inside
 * the gradient scope too), so they must not be `async`; loss terms they return are added to the
 * player's loss. Asynchronous hooks run between iterations. Plugins run in ascending
 * {@link GanPlugin.order} (default 0), ties in the order given.
 *
 * One iteration of the `Trainer` calls, for each of its k discriminator updates,
 * `transformFakes` → `discriminatorLoss` → (update) → `afterDiscriminatorStep`; then
 * `beforeGeneratorStep` → `generatorLoss` → (update) → `afterGeneratorStep`; then `onStepEnd`.
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
  readonly apiVersion?: number | undefined;
  /** Position in the hook sequence: lower runs first (regularizers ~0, averaging ~100, loggers ~200). */
  readonly order?: number | undefined;
  /** Called once before training (and after a checkpoint is restored). */
  setup?(ctx: TrainContext): Awaitable<void>;
  /** Extra discriminator loss terms, each a scalar added to D's loss (gradient penalty, R1, ...). */
  discriminatorLoss?(s: StepContext): Record<string, tf.Scalar> | void;
  /** Extra generator loss terms, each a scalar added to G's loss. */
  generatorLoss?(s: StepContext): Record<string, tf.Scalar> | void;
  /**
   * Discriminator phase only: replaces the fake batch that D is about to see (its examples and, in
   * conditional runs, their labels), e.g. with samples of earlier generators (experience replay).
   * Runs after G has made the fakes and before any `discriminatorLoss`, outside the gradient scope
   * and inside `tf.tidy`; plugins chain in their order, each receiving the previous one's result.
   * Return the given batch unchanged or new tensors of the same shapes and dtypes (the trainer
   * frees them); do not call `s.fake()` or `s.fakeOutput()` here. The generator phase never calls
   * it: G is trained on its own fakes. (Since plugin API version 2.)
   */
  transformFakes?(fakes: Batch, s: StepContext): Batch;
  /** Runs after each discriminator update (weight clipping, ...). */
  afterDiscriminatorStep?(s: StepContext): void;
  /**
   * Runs before each generator update, after the discriminator phase, outside the gradient scope
   * and inside `tf.tidy`. It may change the discriminator temporarily (unrolled GAN's look-ahead
   * steps) as long as it restores it in `afterGeneratorStep`; the generator's loss is then computed
   * against the changed discriminator. Do not call `s.fake()` or `s.fakeOutput()` here: the
   * generator's forward pass must happen inside the gradient scope. If the update fails (a
   * numerical fault, an exception), `afterGeneratorStep` does not run: keep such a plugin's saved
   * copy until its next call or `dispose`. (Since plugin API version 2.)
   */
  beforeGeneratorStep?(s: StepContext): void;
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
      throw new GankitError(
        'plugin',
        `plugin '${p.name}' needs plugin API version ${v}, but this @gankit/core supports up to ${PLUGIN_API_VERSION}; upgrade @gankit/core`,
      );
    }
  }
  return plugins
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.order ?? 0) - (b.p.order ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}
