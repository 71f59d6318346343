// The trainer's state: capture (cheap clones), naming for checkpoints, validation and restore.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { GanPlugin, JsonValue, Network, PluginState, RandomState } from '@gankit/core';
import { networkVariables } from '@gankit/core';

import { captureOptimizer, restoreOptimizer, type OptimizerSnapshot } from './optimizer-state';
import {
  TRAINER_STATE_FORMAT,
  TRAINER_STATE_VERSION,
  type LoadStateOptions,
  type NetworkMeta,
  type OptimizerMeta,
  type PluginMeta,
  type Role,
  type TrainerState,
  type TrainerStateMeta,
} from './state-format';

export { TRAINER_STATE_FORMAT, TRAINER_STATE_VERSION } from './state-format';
export type {
  LoadStateOptions,
  NetworkMeta,
  OptimizerMeta,
  PluginMeta,
  TrainerState,
  TrainerStateMeta,
  VariableSpec,
} from './state-format';
export type { OptimizerSnapshot } from './optimizer-state';
export { parseTrainerState } from './state-parse';
import { parseTrainerState } from './state-parse';

/** The trainer's state in memory: tensors by role and position. */
export interface Snapshot {
  networks: Record<Role, tf.Tensor[]>;
  optimizers: Record<Role, OptimizerSnapshot>;
  plugins: Map<string, PluginState>;
  data: JsonValue;
  random: RandomState;
  step: number;
  skippedSteps: number;
}

/** What the state functions need to see of a trainer. */
export interface StateParts {
  /** The state's format name (default {@link TRAINER_STATE_FORMAT}). */
  readonly format?: string | undefined;
  /** Every network by role, in a fixed key order. */
  readonly networks: Record<Role, Network>;
  /** Every optimizer by role, in a fixed key order. */
  readonly optimizers: Record<Role, tf.Optimizer>;
  /**
   * The variables each optimizer updates, in the order its gradients are applied (default: the
   * trainable variables of the network of the same role).
   */
  readonly optimizerVariables?: Record<Role, readonly tf.Variable[]> | undefined;
  readonly plugins: readonly GanPlugin[];
  readonly data: { readonly name: string; state?(): JsonValue; loadState?(s: JsonValue): void };
  readonly random: { state(): RandomState; loadState(s: RandomState): void };
  readonly info: { readonly batchSize: number; readonly discriminatorSteps: number; readonly loss: string };
}

/** @internal */
export function networkRoles(parts: StateParts): Role[] {
  return Object.keys(parts.networks);
}

/** @internal */
export function optimizerRoles(parts: StateParts): Role[] {
  return Object.keys(parts.optimizers);
}

/** @internal */
export function optimizedVariables(parts: StateParts, role: Role): readonly tf.Variable[] {
  return parts.optimizerVariables?.[role] ?? parts.networks[role].trainableVariables;
}

/** Copies the plugin state's tensors (plugins hand out their own variables). */
function clonePluginState(s: PluginState): PluginState {
  const tensors: tf.NamedTensorMap = {};
  for (const [k, t] of Object.entries(s.tensors ?? {})) tensors[k] = tf.clone(t);
  return { tensors, meta: s.meta ?? null };
}

/**
 * Clones everything the trainer needs to go on (cheap: clones share data with the originals).
 * With `strict` false, plugins whose `state()` throws (e.g. before their setup) are left out.
 */
export async function capture(parts: StateParts, step: number, skippedSteps: number, strict: boolean): Promise<Snapshot> {
  const snap: Snapshot = {
    networks: {},
    optimizers: {},
    plugins: new Map(),
    data: null,
    random: parts.random.state(),
    step,
    skippedSteps,
  };
  try {
    for (const role of networkRoles(parts)) snap.networks[role] = networkVariables(parts.networks[role]).map((v) => tf.clone(v));
    for (const role of optimizerRoles(parts)) snap.optimizers[role] = await captureOptimizer(parts.optimizers[role], role);
    for (const p of parts.plugins) {
      if (!p.state) continue;
      let s: PluginState;
      try {
        s = p.state();
      } catch (e) {
        if (strict) throw new GankitError('checkpoint', `plugin '${p.name}' could not report its state: ${(e as Error).message}`);
        continue;
      }
      snap.plugins.set(p.name, clonePluginState(s));
    }
    snap.data = parts.data.state ? JSON.parse(JSON.stringify(parts.data.state() ?? null)) : null;
  } catch (e) {
    disposeSnapshot(snap);
    throw e;
  }
  return snap;
}

/** Frees the tensors of a snapshot made by {@link capture}. */
export function disposeSnapshot(snap: Snapshot): void {
  for (const t of Object.values(snap.networks)) tf.dispose(t);
  for (const o of Object.values(snap.optimizers)) if (o) tf.dispose([...o.slots, ...Object.values(o.extra)]);
  for (const s of snap.plugins.values()) tf.dispose(Object.values(s.tensors));
}

/**
 * Puts a snapshot back: variables are assigned, optimizers and plugins restored, and (unless
 * `keepPosition`) the data position, the random source and the step. The snapshot's tensors stay
 * the caller's. Assumes the snapshot was validated (or taken from this trainer).
 */
export async function restore(parts: StateParts, snap: Snapshot, keepPosition = false): Promise<void> {
  for (const p of parts.plugins) {
    const s = snap.plugins.get(p.name);
    if (s && p.loadState) p.loadState(s);
  }
  for (const role of networkRoles(parts)) {
    const vars = networkVariables(parts.networks[role]);
    vars.forEach((v, i) => v.assign(snap.networks[role][i]));
  }
  for (const role of optimizerRoles(parts)) {
    await restoreOptimizer(parts.optimizers[role], snap.optimizers[role], optimizedVariables(parts, role), role);
  }
  if (!keepPosition) {
    if (parts.data.loadState && snap.data !== null) parts.data.loadState(snap.data);
    parts.random.loadState(snap.random);
  }
}

/**
 * Loads a state into a trainer's parts, all or nothing: checks it ({@link parseTrainerState}),
 * restores it, and on any failure puts the parts back as they were (`step` and `skippedSteps` are
 * the trainer's current counts, for that rollback) and throws a `GankitError('checkpoint')`
 * (`what` names the trainer in the message). Returns the loaded step and skipped-step count.
 */
export async function loadTrainerState(
  parts: StateParts,
  state: TrainerState,
  options: LoadStateOptions,
  current: { step: number; skippedSteps: number },
  what: string,
): Promise<{ step: number; skippedSteps: number }> {
  const snap = parseTrainerState(parts, state, options);
  const rollback = await capture(parts, current.step, current.skippedSteps, false);
  try {
    await restore(parts, snap);
    return { step: snap.step, skippedSteps: snap.skippedSteps };
  } catch (e) {
    try {
      await restore(parts, rollback);
    } catch {
      // best effort: the original error says what went wrong
    }
    if (e instanceof GankitError && e.code === 'checkpoint') throw e;
    throw new GankitError('checkpoint', `cannot load ${what} state: ${(e as Error).message}`);
  } finally {
    disposeSnapshot(rollback);
  }
}

/** Names a snapshot's tensors and describes them in JSON: the public {@link TrainerState}. */
export function toTrainerState(parts: StateParts, snap: Snapshot): TrainerState {
  const tensors: tf.NamedTensorMap = {};
  const networks = {} as Record<Role, NetworkMeta>;
  const optimizers = {} as Record<Role, OptimizerMeta>;
  for (const role of networkRoles(parts)) {
    const net = parts.networks[role];
    const nTrainable = net.trainableVariables.length;
    networks[role] = {
      name: net.name,
      variables: snap.networks[role].map((t, i) => {
        tensors[`networks/${role}/${i}`] = t;
        return { shape: [...t.shape], dtype: t.dtype, trainable: i < nTrainable };
      }),
    };
  }
  for (const role of optimizerRoles(parts)) {
    const o = snap.optimizers[role];
    o.slots.forEach((t, j) => {
      tensors[`optimizers/${role}/slots/${j}`] = t;
    });
    for (const [k, t] of Object.entries(o.extra)) tensors[`optimizers/${role}/${k}`] = t;
    optimizers[role] = {
      className: o.className,
      config: o.config,
      iterations: o.iterations,
      slots: o.slots.length,
      extra: Object.keys(o.extra),
    };
  }
  const plugins: Record<string, PluginMeta> = {};
  for (const [name, s] of snap.plugins) {
    const keys = Object.keys(s.tensors);
    for (const k of keys) tensors[`plugins/${name}/${k}`] = s.tensors[k];
    plugins[name] = { meta: s.meta ?? null, tensors: keys };
  }
  const meta: TrainerStateMeta = {
    format: parts.format ?? TRAINER_STATE_FORMAT,
    version: TRAINER_STATE_VERSION,
    step: snap.step,
    skippedSteps: snap.skippedSteps,
    random: { seed: snap.random.seed, counter: snap.random.counter },
    data: { name: parts.data.name, state: snap.data },
    networks,
    optimizers,
    plugins,
    info: { batchSize: parts.info.batchSize, discriminatorSteps: parts.info.discriminatorSteps, loss: parts.info.loss },
  };
  return { tensors, meta: meta as unknown as JsonValue };
}
