// The trainer's state: capture (cheap clones), naming for checkpoints, validation and restore.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, canonicalJson, formatShape } from '@gankit/core';
import type { GanPlugin, JsonValue, Network, PluginState, RandomState } from '@gankit/core';
import { networkVariables } from '@gankit/core';

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
  /** `'gankit-trainer-state'` for a `Trainer`, `'gankit-cyclegan-state'` for a `CycleGanTrainer`. */
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
   * `generatorAB`, `generatorBA`, `discriminatorA`, `discriminatorB` for a `CycleGanTrainer`.
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
/** A network's or optimizer's role in a state (`generator`, `discriminatorA`, ...). */
type Role = string;
/** Private running values of tfjs optimizers that `setWeights` does not restore exactly. */
const OPTIMIZER_EXTRA = ['accBeta1', 'accBeta2'] as const;

/** An optimizer's state; the tensors are owned by whoever made the snapshot. */
export interface OptimizerSnapshot {
  className: string;
  config: JsonValue;
  iterations: number;
  slots: tf.Tensor[];
  extra: Record<string, tf.Tensor>;
}

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

function networkRoles(parts: StateParts): Role[] {
  return Object.keys(parts.networks);
}

function optimizerRoles(parts: StateParts): Role[] {
  return Object.keys(parts.optimizers);
}

function optimizedVariables(parts: StateParts, role: Role): readonly tf.Variable[] {
  return parts.optimizerVariables?.[role] ?? parts.networks[role].trainableVariables;
}

function className(opt: tf.Optimizer): string {
  return (opt.constructor as unknown as { className?: string | undefined }).className ?? opt.getClassName?.() ?? 'unknown';
}

function extraVariable(opt: tf.Optimizer, key: string): tf.Variable | null {
  const v = (opt as unknown as Record<string, unknown>)[key];
  return v instanceof tf.Variable && !v.isDisposed ? v : null;
}

function jsonConfig(opt: tf.Optimizer): JsonValue {
  try {
    return JSON.parse(JSON.stringify(opt.getConfig())) as JsonValue;
  } catch {
    return null;
  }
}

async function optimizerWeights(opt: tf.Optimizer, role: Role): Promise<Awaited<ReturnType<tf.Optimizer['getWeights']>>> {
  try {
    return await opt.getWeights();
  } catch (e) {
    throw new GankitError(
      'checkpoint',
      `the ${role} optimizer (${className(opt)}) cannot report its state for a checkpoint: ${(e as Error).message}`,
    );
  }
}

/** Clones an optimizer's state (its iteration counter, slot variables and Adam's running products). */
export async function captureOptimizer(opt: tf.Optimizer, role: Role): Promise<OptimizerSnapshot> {
  const weights = await optimizerWeights(opt, role);
  // The counter is also a number on the optimizer: no device read needed.
  const counter = (opt as unknown as { iterations?: number | undefined }).iterations;
  const iterations = Number.isInteger(counter) ? (counter as number) : (weights[0].tensor.dataSync() as Int32Array)[0];
  weights[0].tensor.dispose();
  const extra: Record<string, tf.Tensor> = {};
  for (const key of OPTIMIZER_EXTRA) {
    const v = extraVariable(opt, key);
    if (v) extra[key] = tf.clone(v);
  }
  return { className: className(opt), config: jsonConfig(opt), iterations, slots: weights.slice(1).map((w) => tf.clone(w.tensor)), extra };
}

/**
 * Sets an optimizer's state. The given tensors are copied (the caller keeps them); the optimizer's
 * previous slot variables are freed (tfjs's `setWeights` would leak them).
 */
export async function restoreOptimizer(
  opt: tf.Optimizer,
  snap: OptimizerSnapshot,
  trainable: readonly tf.Variable[],
  role: Role,
): Promise<void> {
  const old = await optimizerWeights(opt, role);
  old[0].tensor.dispose();
  const oldSlots = old.slice(1).map((w) => w.tensor);
  const n = Math.max(1, trainable.length);
  const iter = tf.scalar(snap.iterations, 'int32');
  try {
    await opt.setWeights([
      { name: 'iter', tensor: iter },
      ...snap.slots.map((t, j) => ({ name: `${trainable[j % n]?.name ?? 'slot'}/${Math.floor(j / n)}`, tensor: t })),
    ]);
  } finally {
    iter.dispose();
  }
  const kept = new Set(
    (await opt.getWeights()).map((w, i) => {
      if (i !== 0) return w.tensor;
      w.tensor.dispose();
      return null;
    }),
  );
  for (const t of oldSlots) if (!kept.has(t) && !t.isDisposed) t.dispose();
  for (const [key, t] of Object.entries(snap.extra)) extraVariable(opt, key)?.assign(t);
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

function fail(message: string): never {
  throw new GankitError('checkpoint', `cannot load trainer state: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isNonNegInt(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks the settings a state was saved under against the trainer's: the seed of the random
 * source, the data's name, the batch size, discriminator steps and loss, and each optimizer's
 * configuration but its learning rate. Loading a state under other settings would go on silently
 * as another run.
 */
function checkSettings(parts: StateParts, meta: Record<string, unknown>): void {
  const seed = (meta.random as { seed: number }).seed;
  const own = parts.random.state().seed;
  if (seed !== own) fail(`the state was saved by a run with seed ${seed}, but this trainer's seed is ${own}`);
  const data = meta.data as Record<string, unknown> | undefined;
  if (isRecord(data) && typeof data.name === 'string' && data.name !== parts.data.name) {
    fail(`the state was saved training on data '${data.name}', but this trainer's data is '${parts.data.name}'`);
  }
  const info = meta.info;
  if (isRecord(info)) {
    for (const key of ['batchSize', 'discriminatorSteps', 'loss'] as const) {
      if (key in info && info[key] !== parts.info[key]) {
        fail(`the state was saved with ${key} ${JSON.stringify(info[key])}, but this trainer has ${JSON.stringify(parts.info[key])}`);
      }
    }
  }
  const optimizers = meta.optimizers as Record<string, unknown>;
  for (const role of optimizerRoles(parts)) {
    const saved = (optimizers[role] as Record<string, unknown> | undefined)?.config;
    const current = jsonConfig(parts.optimizers[role]);
    if (!isRecord(saved) || !isRecord(current)) continue;
    for (const key of new Set([...Object.keys(saved), ...Object.keys(current)])) {
      if (key === 'learningRate' || canonicalJson(saved[key]) === canonicalJson(current[key])) continue;
      fail(
        `the ${role} optimizer's ${key} is ${canonicalJson(current[key])}, but the state was saved with ${canonicalJson(saved[key])} (optimizers/${role})`,
      );
    }
  }
}

/**
 * Checks a {@link TrainerState} against a trainer without changing anything, and returns it as a
 * snapshot whose tensors are the state's own (not copies). Every problem is a
 * `GankitError('checkpoint')` naming the entry: a missing or unexpected tensor, a shape or dtype
 * that does not match the trainer's variable, an unknown or missing plugin, a different optimizer,
 * or other settings (seed, data, batch size, discriminator steps, loss, optimizer configuration but
 * the learning rate).
 * With `skipUnknownPlugins`, the state of plugins the trainer does not have is passed over instead.
 */
export function parseTrainerState(parts: StateParts, state: TrainerState, options: LoadStateOptions = {}): Snapshot {
  if (!state || !isRecord(state.tensors) || !isRecord(state.meta)) fail('expected { tensors, meta } objects');
  const tensors = state.tensors;
  const meta = state.meta as Record<string, unknown>;
  const format = parts.format ?? TRAINER_STATE_FORMAT;
  if (meta.format !== format) fail(`meta.format is ${JSON.stringify(meta.format)}, expected '${format}'`);
  if (meta.version !== TRAINER_STATE_VERSION)
    fail(`meta.version is ${JSON.stringify(meta.version)}; this @gankit/trainer reads version ${TRAINER_STATE_VERSION}`);
  if (!isNonNegInt(meta.step)) fail(`meta.step must be a non-negative integer, got ${JSON.stringify(meta.step)}`);
  const skippedSteps = meta.skippedSteps ?? 0;
  if (!isNonNegInt(skippedSteps)) fail(`meta.skippedSteps must be a non-negative integer, got ${JSON.stringify(meta.skippedSteps)}`);
  const random = meta.random as Record<string, unknown> | undefined;
  if (!isRecord(random) || !isNonNegInt(random.seed) || !isNonNegInt(random.counter)) {
    fail(`meta.random must be { seed, counter } non-negative integers, got ${JSON.stringify(meta.random)}`);
  }
  if (!isRecord(meta.networks) || !isRecord(meta.optimizers)) fail('meta.networks and meta.optimizers are required');
  checkSettings(parts, meta);
  const used = new Set<string>();
  const take = (name: string, shape: readonly number[] | null, dtype: string | null): tf.Tensor => {
    const t = tensors[name];
    if (!(t instanceof tf.Tensor)) fail(`tensor '${name}' is missing`);
    if (t.isDisposed) fail(`tensor '${name}' was disposed`);
    if (shape && !sameShape(t.shape, shape))
      fail(`tensor '${name}' has shape ${formatShape(t.shape)}, the trainer expects ${formatShape(shape)}`);
    if (dtype && t.dtype !== dtype) fail(`tensor '${name}' has dtype ${t.dtype}, the trainer expects ${dtype}`);
    used.add(name);
    return t;
  };
  const snap: Snapshot = {
    networks: {},
    optimizers: {},
    plugins: new Map(),
    data: null,
    random: { seed: random!.seed as number, counter: random!.counter as number },
    step: meta.step as number,
    skippedSteps: skippedSteps as number,
  };
  const networksMeta = meta.networks as Record<string, unknown> | undefined;
  const optimizersMeta = meta.optimizers as Record<string, unknown> | undefined;
  if (!isRecord(networksMeta) || !isRecord(optimizersMeta)) fail('meta.networks and meta.optimizers are required');
  for (const role of Object.keys(networksMeta!)) {
    if (!(role in parts.networks))
      fail(`the state holds network '${role}' (networks/${role}), but the trainer has no network of that role`);
  }
  for (const role of networkRoles(parts)) {
    const net = parts.networks[role];
    const vars = networkVariables(net);
    const nm = networksMeta![role] as Record<string, unknown> | undefined;
    if (!isRecord(nm) || !Array.isArray(nm.variables)) fail(`meta.networks.${role}.variables is missing`);
    const specs = nm!.variables as unknown[];
    if (specs.length !== vars.length) {
      fail(`the ${role} has ${vars.length} variables (trainable and non-trainable), the state holds ${specs.length} (networks/${role}/*)`);
    }
    snap.networks[role] = vars.map((v, i) => take(`networks/${role}/${i}`, v.shape, v.dtype));
  }
  for (const role of optimizerRoles(parts)) {
    const om = optimizersMeta![role] as Record<string, unknown> | undefined;
    if (!isRecord(om)) fail(`meta.optimizers.${role} is missing`);
    const opt = parts.optimizers[role];
    if (om!.className !== className(opt)) {
      fail(`the ${role} optimizer is ${className(opt)} but the state was saved from ${JSON.stringify(om!.className)} (optimizers/${role})`);
    }
    if (!isNonNegInt(om!.iterations) || !isNonNegInt(om!.slots) || !Array.isArray(om!.extra)) {
      fail(`meta.optimizers.${role} needs integer 'iterations' and 'slots' and an 'extra' list, got ${JSON.stringify(om)}`);
    }
    const trainable = optimizedVariables(parts, role);
    const nSlots = om!.slots as number;
    if (nSlots > 0 && (trainable.length === 0 || nSlots % trainable.length !== 0)) {
      fail(`the ${role} optimizer state has ${nSlots} slots, not a multiple of the ${trainable.length} trainable variables it updates`);
    }
    const slots: tf.Tensor[] = [];
    for (let j = 0; j < nSlots; j++) {
      const v = trainable[j % trainable.length];
      slots.push(take(`optimizers/${role}/slots/${j}`, v.shape, v.dtype));
    }
    const extra: Record<string, tf.Tensor> = {};
    const savedExtra = om!.extra as unknown[];
    for (const key of OPTIMIZER_EXTRA) {
      const v = extraVariable(opt, key);
      if (v && !savedExtra.includes(key)) fail(`tensor 'optimizers/${role}/${key}' is missing (the ${role} optimizer keeps ${key})`);
      if (v) extra[key] = take(`optimizers/${role}/${key}`, v.shape, v.dtype);
    }
    for (const key of savedExtra) {
      if (!(OPTIMIZER_EXTRA as readonly unknown[]).includes(key) || !extraVariable(opt, key as string)) {
        fail(`entry 'optimizers/${role}/${String(key)}' is not a value this ${className(opt)} optimizer keeps`);
      }
    }
    snap.optimizers[role] = { className: om!.className as string, config: null, iterations: om!.iterations as number, slots, extra };
  }
  const pluginsMeta = (meta.plugins ?? {}) as Record<string, unknown>;
  if (!isRecord(pluginsMeta)) fail('meta.plugins must be an object');
  const byName = new Map(parts.plugins.map((p) => [p.name, p]));
  for (const [name, pm] of Object.entries(pluginsMeta)) {
    const p = byName.get(name);
    if (!p && options.skipUnknownPlugins && isRecord(pm) && Array.isArray(pm.tensors)) {
      for (const key of pm.tensors) used.add(`plugins/${name}/${String(key)}`);
      continue;
    }
    if (!p) fail(`the state holds plugin '${name}' (plugins/${name}), but the trainer has no plugin of that name`);
    if (!p.loadState) fail(`the state holds plugin '${name}', but that plugin has no loadState()`);
    if (!isRecord(pm) || !Array.isArray(pm.tensors) || pm.tensors.some((k) => typeof k !== 'string')) {
      fail(`meta.plugins.${name} needs a 'tensors' list of keys, got ${JSON.stringify(pm)}`);
    }
    let current: tf.NamedTensorMap | null = null;
    try {
      current = p.state?.().tensors ?? null;
    } catch {
      current = null; // e.g. averaging before setup: nothing to compare with yet
    }
    const ts: tf.NamedTensorMap = {};
    for (const key of pm.tensors as string[]) {
      const cur = current?.[key];
      ts[key] = take(`plugins/${name}/${key}`, cur ? cur.shape : null, cur ? cur.dtype : null);
    }
    snap.plugins.set(name, { tensors: ts, meta: (pm.meta ?? null) as JsonValue });
  }
  for (const p of parts.plugins) {
    if (p.state && !(p.name in pluginsMeta)) fail(`plugin '${p.name}' keeps state, but the state has none for it (plugins/${p.name})`);
  }
  const dataMeta = meta.data as Record<string, unknown> | undefined;
  if (!isRecord(dataMeta) || !('state' in dataMeta)) fail('meta.data must be { name, state }');
  snap.data = (dataMeta!.state ?? null) as JsonValue;
  if (snap.data !== null && !parts.data.loadState) {
    fail(`the state holds a position of data '${String(dataMeta!.name)}', but data '${parts.data.name}' has no loadState()`);
  }
  for (const name of Object.keys(tensors)) {
    if (!used.has(name)) fail(`unexpected tensor '${name}' (not described by the state's metadata)`);
  }
  return snap;
}
