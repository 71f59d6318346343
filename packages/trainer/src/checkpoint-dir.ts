// The checkpoint directory of a run: `<run>/checkpoints/step-000001234/` written with
// writeWeights, a `latest` pointer, the newest K kept, and resume from the newest one that
// verifies, passing over damaged ones.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GankitError } from '@gankit/core';
import type { JsonValue } from '@gankit/core';
import { isLeftover, removeDirectory, replaceFile } from './durable-write';
import type { LoadStateOptions, TrainerState } from './state';
import { MANIFEST_FILE, type WeightsManifest, type WriteWeightsOptions, corrupt, readWeights, writeWeights } from './weights-format';

/** Default number of checkpoints {@link saveCheckpoint} keeps. */
export const DEFAULT_KEEP = 3;

/**
 * What {@link saveCheckpoint} and {@link resumeLatest} need of a trainer: a `Trainer` from this
 * package, or anything else with the same three members.
 */
export interface CheckpointableTrainer {
  /** Iterations completed. */
  readonly iteration: number;
  /** The whole training state (the caller disposes its tensors). */
  state(): Promise<TrainerState>;
  /** Restores a state from {@link CheckpointableTrainer.state}. */
  loadState(state: TrainerState, options?: LoadStateOptions): Promise<void>;
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions extends WriteWeightsOptions {
  /**
   * How many checkpoints to keep, newest (highest step) first (default 3). The checkpoint just
   * written is never deleted, even when older than the ones kept.
   */
  readonly keep?: number | undefined;
}

/** A checkpoint on disk. */
export interface CheckpointInfo {
  /** Iterations completed when it was saved. */
  readonly step: number;
  /** Its directory. */
  readonly path: string;
}

/** A checkpoint read by {@link loadCheckpoint}. */
export interface LoadedCheckpoint extends CheckpointInfo {
  /** The trainer state; pass it to `trainer.loadState`, then dispose its tensors. */
  readonly state: TrainerState;
  /** The manifest's layout version: 1 means an older file whose `model.json` has no checksum of its own. */
  readonly formatVersion: number;
}

/** A checkpoint passed over because it could not be read. */
export interface SkippedCheckpoint {
  /** Its directory. */
  readonly path: string;
  /** Why (the error message, naming the file). */
  readonly reason: string;
}

/** Where {@link resumeLatest} resumed from. */
export interface ResumeResult extends CheckpointInfo {
  /** Newer checkpoints that were damaged and passed over (empty in the normal case). */
  readonly skipped: SkippedCheckpoint[];
  /** The checkpoint's manifest layout version (1: written before `model.json` had a checksum of its own). */
  readonly formatVersion: number;
}

/** Options of {@link resumeLatest}: those of `trainer.loadState`, and how damaged checkpoints are reported. */
export interface ResumeOptions extends LoadStateOptions {
  /**
   * Called for each damaged checkpoint passed over (default: a `console.warn` line). The same
   * checkpoints are listed in {@link ResumeResult.skipped}.
   */
  readonly onSkip?: ((skipped: SkippedCheckpoint) => void) | undefined;
}

/** Reads the `gankit` section of a manifest as a checkpoint's. */
function checkpointMeta(dir: string, m: WeightsManifest): { step: number; state: JsonValue } {
  const g = m.gankit as { kind?: unknown; step?: unknown; state?: unknown } | null;
  if (!g || g.kind !== 'checkpoint' || !Number.isInteger(g.step) || g.state == null) {
    throw corrupt(join(dir, MANIFEST_FILE), `is not a trainer checkpoint (gankit.kind ${JSON.stringify(g?.kind)})`);
  }
  return { step: g.step as number, state: g.state as JsonValue };
}

/** The directory name of a checkpoint: `step-` and the step in 9 digits. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}

/** The checkpoints under `<runDir>/checkpoints/`, newest (highest step) first. Does not read them. */
export async function listCheckpoints(runDir: string): Promise<CheckpointInfo[]> {
  const dir = join(runDir, 'checkpoints');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: CheckpointInfo[] = [];
  for (const n of names) {
    const m = /^step-(\d+)$/.exec(n);
    if (m) out.push({ step: Number(m[1]), path: join(dir, n) });
  }
  return out.sort((a, b) => b.step - a.step);
}

/**
 * Saves the trainer's whole state ({@link CheckpointableTrainer.state}) as
 * `<runDir>/checkpoints/step-000001234/{model.json, weights.bin}`, atomically (see
 * {@link writeWeights}), then points `<runDir>/checkpoints/latest` at it (temp file + rename) and
 * deletes all but the newest `keep` checkpoints (never the one just written). Leftover temporary
 * directories of interrupted saves are removed first: one process writes to a run directory.
 * A full disk gives a `GankitError` with code `'disk-full'` and leaves every earlier checkpoint
 * as it was (see {@link writeWeights}); so does a state holding NaN or ±Infinity (code
 * `'numerical'`), so the checkpoints kept are always the newest finite ones.
 */
export async function saveCheckpoint(
  runDir: string,
  trainer: CheckpointableTrainer,
  options: SaveCheckpointOptions = {},
): Promise<CheckpointInfo> {
  const keep = options.keep ?? DEFAULT_KEEP;
  if (!Number.isInteger(keep) || keep < 1) throw new GankitError('config', `saveCheckpoint: keep must be a positive integer, got ${keep}`);
  const dir = join(runDir, 'checkpoints');
  await mkdir(dir, { recursive: true });
  for (const n of await readdir(dir)) {
    if (isLeftover(n)) await rm(join(dir, n), { recursive: true, force: true });
  }
  const state = await trainer.state();
  let path: string;
  const step = trainer.iteration;
  try {
    const names = Object.keys(state.tensors);
    path = await writeWeights(
      dir,
      checkpointName(step),
      names.map((name) => ({ name, tensor: state.tensors[name] })),
      { kind: 'checkpoint', step, state: state.meta },
      { allowNonFinite: options.allowNonFinite },
    );
  } finally {
    tf.dispose(Object.values(state.tensors));
  }
  // If this fails the checkpoint itself is complete; resume finds it by listing step-* directories.
  await replaceFile(dir, 'latest', `${checkpointName(step)}\n`);
  const all = await listCheckpoints(runDir);
  for (const c of all.slice(keep)) {
    if (c.path !== path) await removeDirectory(c.path, dir);
  }
  return { step, path };
}

/**
 * Reads and verifies one checkpoint (its directory or its `model.json`): every file's size and
 * SHA-256, then the trainer state in it. Errors name the damaged file. Pass `state` to
 * `trainer.loadState`, then dispose its tensors (`tf.dispose(Object.values(state.tensors))`).
 */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const dir = basename(path) === MANIFEST_FILE ? join(path, '..') : path;
  const { tensors, manifest } = await readWeights(dir);
  try {
    const { step, state } = checkpointMeta(dir, manifest);
    return { step, path: dir, state: { tensors, meta: state }, formatVersion: manifest.formatVersion };
  } catch (e) {
    tf.dispose(Object.values(tensors));
    throw e;
  }
}

/**
 * Finds the newest checkpoint under `<runDir>/checkpoints/` that reads and verifies, passing over
 * damaged ones (listed in `skipped` with the reason). Returns `null` when there is none. Reads
 * every tensor of the checkpoint it returns, so it is as thorough as {@link loadCheckpoint}.
 */
export async function findLatestCheckpoint(runDir: string): Promise<ResumeResult | null> {
  const skipped: SkippedCheckpoint[] = [];
  for (const c of await listCheckpoints(runDir)) {
    try {
      const loaded = await loadCheckpoint(c.path);
      tf.dispose(Object.values(loaded.state.tensors));
      return { step: loaded.step, path: loaded.path, skipped, formatVersion: loaded.formatVersion };
    } catch (e) {
      skipped.push({ path: c.path, reason: (e as Error).message });
    }
  }
  return null;
}

/**
 * Restores the trainer from the newest checkpoint under `<runDir>/checkpoints/` that reads and
 * verifies. Damaged newer ones are passed over, reported once each through `options.onSkip`
 * (default: a console warning) and listed in `skipped`; returns `null` when there is no usable
 * checkpoint (none, or every one damaged: `listCheckpoints` tells which). A checkpoint that
 * verifies but does not fit the trainer (another model or other settings) is an error, not a
 * fallback. The other `options` go to `trainer.loadState` (e.g. `skipUnknownPlugins`).
 */
export async function resumeLatest(
  runDir: string,
  trainer: CheckpointableTrainer,
  options: ResumeOptions = {},
): Promise<ResumeResult | null> {
  const { onSkip = (s: SkippedCheckpoint) => console.warn(`gankit: skipping damaged checkpoint ${s.path}: ${s.reason}`), ...loadOptions } =
    options;
  const skipped: SkippedCheckpoint[] = [];
  for (const c of await listCheckpoints(runDir)) {
    let loaded: LoadedCheckpoint;
    try {
      loaded = await loadCheckpoint(c.path);
    } catch (e) {
      const s = { path: c.path, reason: (e as Error).message };
      skipped.push(s);
      onSkip(s);
      continue;
    }
    try {
      await trainer.loadState(loaded.state, loadOptions);
    } finally {
      tf.dispose(Object.values(loaded.state.tensors));
    }
    return { step: loaded.step, path: loaded.path, skipped, formatVersion: loaded.formatVersion };
  }
  return null;
}
