// An optimizer's state: capture (clones of its slots and Adam's running products) and exact restore.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type JsonValue } from '@gankit/core';
import type { Role } from './state-format';

/** Private running values of tfjs optimizers that `setWeights` does not restore exactly. @internal */
export const OPTIMIZER_EXTRA = ['accBeta1', 'accBeta2'] as const;

/** An optimizer's state; the tensors are owned by whoever made the snapshot. */
export interface OptimizerSnapshot {
  className: string;
  config: JsonValue;
  iterations: number;
  slots: tf.Tensor[];
  extra: Record<string, tf.Tensor>;
}

/** The tfjs class name of an optimizer. @internal */
export function className(opt: tf.Optimizer): string {
  return (opt.constructor as unknown as { className?: string | undefined }).className ?? opt.getClassName?.() ?? 'unknown';
}

/** An optimizer's private running value of that name, when it has a live one. @internal */
export function extraVariable(opt: tf.Optimizer, key: string): tf.Variable | null {
  const v = (opt as unknown as Record<string, unknown>)[key];
  return v instanceof tf.Variable && !v.isDisposed ? v : null;
}

/** An optimizer's config as JSON (null when it cannot be serialised). @internal */
export function jsonConfig(opt: tf.Optimizer): JsonValue {
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
