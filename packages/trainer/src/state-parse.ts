// Reading a TrainerState back: every entry checked against the trainer before anything changes.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, canonicalJson, formatShape } from '@gankit/core';
import type { JsonValue } from '@gankit/core';
import { networkVariables } from '@gankit/core';

import { OPTIMIZER_EXTRA, className, extraVariable, jsonConfig } from './optimizer-state';
import { TRAINER_STATE_FORMAT, TRAINER_STATE_VERSION, type LoadStateOptions, type TrainerState } from './state-format';

import { type Snapshot, type StateParts, networkRoles, optimizedVariables, optimizerRoles } from './state';

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
