import type * as tf from '@tensorflow/tfjs-core';
import { GankitError } from './errors';
import type { Awaitable, Batch, JsonValue, StepContext, StepLogs, TrainContext } from './types';

/**
 * The version of the plugin contract this release implements.
 *
 * - 1: `setup`, `discriminatorLoss`, `generatorLoss`, `afterDiscriminatorStep`,
 *   `afterGeneratorStep`, `onStepEnd`, `onTrainEnd`, `state`, `loadState`, `dispose`; the
 *   `StepContext` fields `step`, `phase`, `discriminatorStep`, `batch`, `z`, `generator`,
 *   `discriminator`, `networks`, `random`, `fake`, `realOutput`, `fakeOutput`, `discriminate`.
 * - 2: the hooks {@link GanPlugin.transformFakes} and {@link GanPlugin.beforeGeneratorStep}; the
 *   fields `fakeLabels`, `loss` and `adversarial`.
 * - 3: the hook {@link GanPlugin.transformDiscriminatorInput}; the fields `player`, `pair` and
 *   `pairs` (games with several generator/discriminator pairs, such as CycleGAN).
 *
 * A plugin's version is its {@link GanPlugin.apiVersion} or, when it declares none, the newest
 * version among the hooks it implements ({@link pluginApiVersion}). A core older than that version
 * refuses the plugin instead of skipping hooks it does not know, and a step context hands a plugin
 * only the fields of its version: reading a newer one throws a `GankitError` that says which
 * version to declare.
 */
export const PLUGIN_API_VERSION = 3;

/** The plugin contract version that introduced each hook of {@link GanPlugin}. */
export const PLUGIN_HOOK_VERSIONS: Readonly<Record<PluginHook, number>> = Object.freeze({
  setup: 1,
  discriminatorLoss: 1,
  generatorLoss: 1,
  afterDiscriminatorStep: 1,
  afterGeneratorStep: 1,
  onStepEnd: 1,
  onTrainEnd: 1,
  state: 1,
  loadState: 1,
  dispose: 1,
  transformFakes: 2,
  beforeGeneratorStep: 2,
  transformDiscriminatorInput: 3,
});

/** The plugin contract version that introduced each {@link StepContext} field newer than version 1. */
export const STEP_CONTEXT_FIELD_VERSIONS: Readonly<Record<string, number>> = Object.freeze({
  fakeLabels: 2,
  loss: 2,
  adversarial: 2,
  player: 3,
  pair: 3,
  pairs: 3,
});

/** The names of the hooks of {@link GanPlugin}. */
export type PluginHook =
  | 'setup'
  | 'discriminatorLoss'
  | 'generatorLoss'
  | 'transformFakes'
  | 'transformDiscriminatorInput'
  | 'afterDiscriminatorStep'
  | 'beforeGeneratorStep'
  | 'afterGeneratorStep'
  | 'onStepEnd'
  | 'onTrainEnd'
  | 'state'
  | 'loadState'
  | 'dispose';

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
 * One iteration runs the players of the trainer's game in order (the classic game: the
 * discriminator k times, then the generator). An update of a discriminator-side player calls, for
 * each adversarial pair it trains, `transformFakes`; then, inside the gradient scope,
 * `transformDiscriminatorInput` (as D's outputs are made) and `discriminatorLoss`; after the update,
 * `afterDiscriminatorStep` once. An update of a generator-side player calls `beforeGeneratorStep`
 * once; inside the scope `transformDiscriminatorInput` and `generatorLoss` for each pair; after it
 * `afterGeneratorStep` once. Then `onStepEnd`. `setup` runs once before the first update, `state`
 * or `loadState`. The plugins guide (docs/guides/plugins.md) lists the order on a fresh start and
 * on a resume, and who owns the tensors passed in and out.
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
  /**
   * The plugin contract version the plugin was written for. Default: the newest version among the
   * hooks it implements (see `PLUGIN_HOOK_VERSIONS`), so a plugin that reads a newer
   * `StepContext` field (`fakeLabels`, `loss`, `adversarial`: 2; `player`, `pair`, `pairs`: 3) must
   * declare it.
   */
  readonly apiVersion?: number | undefined;
  /** Position in the hook sequence: lower runs first (regularizers ~0, averaging ~100, loggers ~200). */
  readonly order?: number | undefined;
  /** Called once, before the first update and before the first `state()` or `loadState()`. */
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
  /**
   * Transforms what the discriminator sees in the adversarial terms: `x` is the real batch
   * (`source` `'real'`) or the fake batch (`'fake'`) about to go through D in
   * `StepContext.realOutput()` / `fakeOutput()`, in every update of every
   * player (the discriminator's and the generator's), inside the gradient scope, so the transform
   * must be differentiable where the fakes flow back to G (DiffAugment, instance noise). Return a
   * tensor of the same shape and dtype (the trainer frees it); plugins chain in their order. It does
   * not apply to `StepContext.discriminate`, which runs D on exactly the batch given (what
   * R1 and the gradient penalty differentiate). Must not call `s.realOutput()` / `s.fakeOutput()`.
   * (Since plugin API version 3.)
   */
  transformDiscriminatorInput?(x: tf.Tensor, s: StepContext, source: 'real' | 'fake'): tf.Tensor;
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

/** The hooks a plugin implements, each with the contract version that introduced it. */
function implementedHooks(p: GanPlugin): [PluginHook, number][] {
  const out: [PluginHook, number][] = [];
  for (const [hook, version] of Object.entries(PLUGIN_HOOK_VERSIONS) as [PluginHook, number][]) {
    if (typeof (p as unknown as Record<string, unknown>)[hook] === 'function') out.push([hook, version]);
  }
  return out;
}

/**
 * The contract version of a plugin: its declared {@link GanPlugin.apiVersion}, or else the newest
 * version among the hooks it implements (1 for a plugin with only version-1 hooks).
 *
 * @throws GankitError (`'plugin'`) when the declared version is not a positive integer, or is older
 * than a hook the plugin implements (the message names the hook and the version to declare)
 */
export function pluginApiVersion(p: GanPlugin): number {
  const hooks = implementedHooks(p);
  const needed = hooks.reduce((m, [, v]) => Math.max(m, v), 1);
  if (p.apiVersion === undefined) return needed;
  if (!Number.isInteger(p.apiVersion) || p.apiVersion < 1) {
    throw new GankitError('plugin', `plugin '${p.name}' declares apiVersion ${String(p.apiVersion)}; it must be a positive integer`);
  }
  const newer = hooks.find(([, v]) => v > (p.apiVersion as number));
  if (newer) {
    throw new GankitError(
      'plugin',
      `plugin '${p.name}' implements ${newer[0]}, a hook of plugin API version ${newer[1]}, but declares apiVersion ${p.apiVersion}; declare apiVersion: ${needed}`,
    );
  }
  return p.apiVersion;
}

/**
 * Checks a list of plugins (unique names, a supported contract version, declared versions that
 * cover the hooks implemented) and returns them in the order their hooks run: ascending `order`,
 * ties kept in the given order.
 *
 * @throws GankitError (`'plugin'`) naming the plugin and the problem
 */
export function sortPlugins(plugins: readonly GanPlugin[]): GanPlugin[] {
  const seen = new Set<string>();
  for (const p of plugins) {
    if (!p || typeof p.name !== 'string' || p.name.length === 0) {
      throw new GankitError('plugin', 'every plugin needs a non-empty string `name`');
    }
    if (seen.has(p.name)) throw new GankitError('plugin', `two plugins are named '${p.name}'; plugin names must be unique`);
    seen.add(p.name);
    const v = pluginApiVersion(p);
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

/**
 * The step context a plugin of an older contract version sees: the same object, except that
 * reading a field newer than the plugin's version throws a `GankitError` (`'plugin'`) naming the
 * field and the version to declare. For a plugin of the current version it is `s` itself.
 *
 * @param s - the trainer's step context
 * @param plugin - the plugin about to receive it
 * @param version - the plugin's version ({@link pluginApiVersion})
 */
export function stepContextFor(s: StepContext, plugin: GanPlugin, version: number): StepContext {
  if (version >= PLUGIN_API_VERSION) return s;
  const guarded: PropertyDescriptorMap = {};
  for (const [field, since] of Object.entries(STEP_CONTEXT_FIELD_VERSIONS)) {
    if (since <= version) continue;
    guarded[field] = {
      get() {
        throw new GankitError(
          'plugin',
          `plugin '${plugin.name}' reads StepContext.${field}, a field of plugin API version ${since}, but its version is ${version}; declare apiVersion: ${since} (or newer) in the plugin`,
        );
      },
    };
  }
  return Object.create(s, guarded) as StepContext;
}
