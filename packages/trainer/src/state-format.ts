// The layout of a trainer's state: named tensors plus JSON metadata, and the options of loading one.
import type * as tf from '@tensorflow/tfjs-core';
import type { JsonValue } from '@gankit/core';

/**
 * Everything a {@link Trainer} needs to go on exactly where it stood: named tensors plus JSON
 * metadata. Tensors are named by position, never by tfjs variable name (those depend on the process):
 *
 * - `networks/generator/<i>`, `networks/discriminator/<i>`: every variable of each network in
 *   `networkVariables` order (trainable first, then batch-norm statistics, spectral-norm vectors, ...);
 * - `optimizers/<generator|discriminator>/slots/<j>`: the optimizer's state (`getWeights()` minus
 *   the iteration counter, which is in the metadata), plus `optimizers/<...>/accBeta1` and
 *   `accBeta2` for Adam (its running products β^t, which `setWeights` would recompute inexactly);
 * - `plugins/<plugin name>/<key>`: each plugin's `state()` tensors.
 *
 * `meta` holds the format version, the step, the random source, the data position, the recorded
 * shapes and dtypes, each optimizer's class, config and iteration count, and each plugin's metadata
 * (see {@link TrainerStateMeta}).
 *
 * The tensors of a state returned by {@link Trainer.state} belong to the caller, who disposes them
 * (`tf.dispose(Object.values(state.tensors))`); they are copies-on-write, so taking a state is cheap
 * and later training does not change it.
 */
/** Options of `Trainer.loadState` and `parseTrainerState`. */
export interface LoadStateOptions {
  /**
   * Pass over the state of plugins the trainer does not have, instead of refusing the state (for
   * example a data-parallel replica without replica 0's file-writing plugins). Default false: a
   * state must fit the trainer exactly.
   */
  readonly skipUnknownPlugins?: boolean | undefined;
}

export interface TrainerState {
  /** The tensors, named as described above. */
  readonly tensors: tf.NamedTensorMap;
  /** JSON metadata; its layout is {@link TrainerStateMeta}. */
  readonly meta: JsonValue;
}

/** One variable recorded in the state metadata. */
export type VariableSpec = {
  /** The variable's shape. */
  shape: number[];
  /** The variable's dtype. */
  dtype: string;
  /** `true` for trainable variables (they come first). */
  trainable: boolean;
};

/** The metadata of one network in a {@link TrainerState}. */
export type NetworkMeta = {
  /** The network's name when the state was taken (informational; not checked). */
  name: string;
  /** One entry per tensor `networks/<role>/<i>`. */
  variables: VariableSpec[];
};

/** The metadata of one optimizer in a {@link TrainerState}. */
export type OptimizerMeta = {
  /** tfjs class name (`Adam`, `SGD`, ...); a different optimizer class cannot load the state. */
  className: string;
  /**
   * The optimizer's `getConfig()` when the state was taken. Loading checks it against the
   * optimizer's, all but `learningRate` (which a schedule changes as training goes on).
   */
  config: JsonValue;
  /** The optimizer's iteration counter. */
  iterations: number;
  /** Number of tensors `optimizers/<role>/slots/<j>`. */
  slots: number;
  /** Names of private running values saved beside the slots (`accBeta1`, `accBeta2` for Adam). */
  extra: string[];
};

/** The metadata of one plugin in a {@link TrainerState}. */
export type PluginMeta = {
  /** The plugin's own metadata (`PluginState.meta`), or null. */
  meta: JsonValue;
  /** The plugin's tensor keys; each is stored as `plugins/<name>/<key>`. */
  tensors: string[];
};

/** The layout of {@link TrainerState.meta}. */
export type TrainerStateMeta = {
  /** `'gankit-trainer-state'` for a `Trainer`, `'gankit-cyclegan-state'` for a CycleGAN trainer (`cycleGan`). */
  format: string;
  /** Layout version (currently 1). */
  version: number;
  /** Iterations completed. */
  step: number;
  /** Iterations whose updates the numerical-fault guard skipped so far. */
  skippedSteps: number;
  /** The random source's seed and draw counter. */
  random: { seed: number; counter: number };
  /** The data source's name and its `state()` (null when it has none). */
  data: { name: string; state: JsonValue };
  /**
   * Variables of every network by role: `generator` and `discriminator` for a `Trainer`;
   * `generatorAB`, `generatorBA`, `discriminatorA`, `discriminatorB` for a CycleGAN trainer (`cycleGan`).
   */
  networks: Record<string, NetworkMeta>;
  /** State of every optimizer by role (`generator` and `discriminator`). */
  optimizers: Record<string, OptimizerMeta>;
  /** Each stateful plugin by name. */
  plugins: Record<string, PluginMeta>;
  /** Run settings when the state was taken; loading checks them against the trainer's. */
  info: { batchSize: number; discriminatorSteps: number; loss: string };
};

/** The current layout version of {@link TrainerStateMeta}. */
export const TRAINER_STATE_VERSION = 1;
/** The state format of a `Trainer`. */
export const TRAINER_STATE_FORMAT = 'gankit-trainer-state';
/** A network's or optimizer's role in a state (`generator`, `discriminatorA`, ...). @internal */
export type Role = string;
