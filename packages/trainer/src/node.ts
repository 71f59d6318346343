/**
 * `@gankit/trainer/node`: checkpoint files for Node.js (uses `node:fs`, `node:path`, `node:crypto`).
 *
 * - {@link saveCheckpoint} / {@link resumeLatest} / {@link loadCheckpoint}: the trainer's whole
 *   state in `<run>/checkpoints/step-000001234/`, written atomically, the newest K kept, verified
 *   by SHA-256 on load, with a fallback to older checkpoints when the newest is damaged.
 * - {@link saveFinal} / {@link loadFinal}: the trained weights (generator, discriminator, averaged
 *   generator) in `<run>/final/`.
 * - {@link writeWeights} / {@link readWeights}: the file format underneath: a tfjs-style `model.json`
 *   manifest (`weightsManifest`) plus one `weights.bin`, with checksums of both.
 *
 * Nothing non-finite is written: a checkpoint or final weights holding NaN or ±Infinity is refused
 * (`GankitError` with code `'numerical'`), so a diverged run never replaces good files.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GankitError, canonicalJson, networkVariables } from '@gankit/core';
import type { GanPlugin, JsonValue } from '@gankit/core';
import type { Trainer } from './trainer';
import type { LoadStateOptions, TrainerState } from './state';

/** Name of the manifest file in a weights directory. */
export const MANIFEST_FILE = 'model.json';
/** Name of the binary weights file in a weights directory. */
export const WEIGHTS_FILE = 'weights.bin';
/** Value of the manifest's `format` field. */
export const WEIGHTS_FORMAT = 'gankit-weights';
/**
 * Layout version of the manifests {@link writeWeights} writes: 2 adds `manifestSha256`, a checksum
 * of `model.json` itself (the trainer state in it included). Version 1 manifests (no such checksum)
 * still load; {@link LoadedCheckpoint.formatVersion} says which was read.
 */
export const WEIGHTS_FORMAT_VERSION = 2;
/** Default number of checkpoints {@link saveCheckpoint} keeps. */
export const DEFAULT_KEEP = 3;

/** The `model.json` manifest of a weights directory (a superset of tfjs's weights manifest). */
export interface WeightsManifest {
  /** Always `'gankit-weights'`. */
  format: string;
  /** Layout version of the manifest ({@link WEIGHTS_FORMAT_VERSION}; 1 for older files). */
  formatVersion: number;
  /** tfjs weights manifest: one group, one file, the tensors in file order. */
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  /** SHA-256 (hex) and byte size of each binary file, by file name. */
  checksums: Record<string, { sha256: string; bytes: number }>;
  /** gankit's metadata: for checkpoints `{ kind: 'checkpoint', step, state }`, for final weights `{ kind: 'final', ... }`. */
  gankit: JsonValue;
  /**
   * SHA-256 (hex) of the manifest itself without this field, as JSON with sorted keys (version 2):
   * a hand-edited or damaged `model.json`, the trainer state in it included, fails to load.
   */
  manifestSha256?: string | undefined;
}

/** Options of {@link writeWeights}, {@link saveCheckpoint} and {@link saveFinal}. */
export interface WriteWeightsOptions {
  /**
   * Write tensors holding NaN or ±Infinity too (default false: such a write is refused with a
   * `GankitError` of code `'numerical'` naming the tensor, before anything is written).
   */
  readonly allowNonFinite?: boolean | undefined;
}

/** What {@link readWeights} returns: the decoded tensors (the caller disposes them) and the manifest. */
export interface WeightsFile {
  /** The tensors by name. */
  tensors: tf.NamedTensorMap;
  /** The parsed manifest. */
  manifest: WeightsManifest;
}

/**
 * What {@link saveCheckpoint} and {@link resumeLatest} need of a trainer: a `Trainer` or a
 * `CycleGanTrainer` from this package.
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

/** The weights read by {@link loadFinal} (the caller disposes the tensors). */
export interface FinalWeights {
  /** The generator's variables in `networkVariables` order. */
  readonly generator: tf.Tensor[];
  /** The discriminator's variables in `networkVariables` order. */
  readonly discriminator: tf.Tensor[];
  /** The averaged generator's variables, when an averaging plugin of the generator was present. */
  readonly averagedGenerator?: tf.Tensor[] | undefined;
  /** The iterations completed when they were saved. */
  readonly step: number;
}

function corrupt(file: string, what: string): GankitError {
  return new GankitError('checkpoint', `checkpoint file ${file}: ${what}`);
}

async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so that renames in it are durable (not supported everywhere: errors are ignored). */
async function syncDir(path: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    await fh.sync();
  } catch {
    // e.g. Windows cannot open directories
  } finally {
    await fh?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** errno codes that mean the disk (or the user's quota) is full. */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}

/**
 * The error thrown when a write runs out of disk space: it names the directory, the size needed and
 * says that nothing already saved was touched (writes go to a temporary directory first).
 */
function diskFullError(target: string, needed: number, detail: string): GankitError {
  return new GankitError(
    'disk-full',
    `no space left to write ${target} (${megabytes(needed)} needed; ${detail}). Nothing was replaced: earlier checkpoints and weights are intact. Free some space or choose a smaller --keep, then go on with --resume.`,
  );
}

/** Converts a disk-full errno error into {@link diskFullError}; other errors pass through unchanged. */
function asDiskFull(e: unknown, target: string, needed: number): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code && DISK_FULL_CODES.has(code) ? diskFullError(target, needed, `the file system reported ${code}`) : e;
}

/**
 * Refuses early, before writing anything, when the file system holding `dir` has less than
 * `needed` bytes (plus 1 MB of headroom) available. Where `statfs` is not supported the check is
 * skipped and a full disk is still caught as ENOSPC during the write.
 */
async function ensureFreeSpace(dir: string, target: string, needed: number): Promise<void> {
  let available: number;
  try {
    const s = await statfs(dir);
    available = Number(s.bavail) * Number(s.bsize);
  } catch {
    return;
  }
  if (available < needed + 1e6) throw diskFullError(target, needed, `${dir} has ${megabytes(available)} available`);
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The checksum a version-2 manifest carries: SHA-256 of itself without `manifestSha256`, keys sorted. */
function manifestChecksum(m: WeightsManifest): string {
  const rest: Partial<WeightsManifest> = { ...m };
  delete rest.manifestSha256;
  return sha256(canonicalJson(rest));
}

/**
 * The first tensor of an encoded weights buffer holding NaN or ±Infinity, with the count of such
 * values, or null. Runs over the bytes about to be written, so it costs no device read.
 */
function firstNonFinite(
  data: ArrayBuffer,
  specs: readonly { name: string; shape: number[]; dtype: string }[],
): { name: string; bad: number; size: number } | null {
  let offset = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, d) => a * d, 1);
    const bytes = size * (BYTES_PER_ELEMENT[s.dtype] ?? 0);
    if (s.dtype === 'float32') {
      const values = offset % 4 === 0 ? new Float32Array(data, offset, size) : new Float32Array(data.slice(offset, offset + bytes));
      let bad = 0;
      for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) bad++;
      if (bad > 0) return { name: s.name, bad, size };
    }
    offset += bytes;
  }
  return null;
}

function tmpName(prefix: string): string {
  return `.${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes tensors as `<parent>/<name>/model.json` + `weights.bin`, atomically: both files are
 * written and fsynced in a temporary directory inside `parent`, which is then renamed into place
 * (an existing `<name>` is first moved aside and removed after). Returns the directory.
 *
 * When the disk is too full (checked with `statfs` before writing, and ENOSPC/EDQUOT during the
 * write) it throws a `GankitError` with code `'disk-full'` naming the directory and the size
 * needed; the temporary directory is removed and an existing `<name>` is left as it was.
 *
 * Tensors holding NaN or ±Infinity are refused (unless `allowNonFinite`) with a `GankitError` of
 * code `'numerical'` naming the first such tensor, before anything is written.
 */
export async function writeWeights(
  parent: string,
  name: string,
  tensors: readonly { name: string; tensor: tf.Tensor }[],
  gankit: JsonValue,
  options: WriteWeightsOptions = {},
): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.'))
    throw new GankitError('config', `writeWeights: bad directory name '${name}'`);
  const target = join(parent, name);
  const { data, specs } = await tf.io.encodeWeights(tensors.map((t) => ({ name: t.name, tensor: t.tensor })));
  const weights = specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype }));
  if (!options.allowNonFinite) {
    const bad = firstNonFinite(data, weights);
    if (bad) {
      throw new GankitError(
        'numerical',
        `not writing ${target}: tensor '${bad.name}' holds ${bad.bad} NaN or infinite values of ${bad.size}; what is already saved there is kept`,
      );
    }
  }
  await mkdir(parent, { recursive: true });
  const bytes = new Uint8Array(data);
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    formatVersion: WEIGHTS_FORMAT_VERSION,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
    checksums: { [WEIGHTS_FILE]: { sha256: sha256(bytes), bytes: bytes.byteLength } },
    gankit,
  };
  manifest.manifestSha256 = manifestChecksum(manifest);
  const manifestText = JSON.stringify(manifest, null, 1);
  const needed = bytes.byteLength + Buffer.byteLength(manifestText);
  await ensureFreeSpace(parent, target, needed);
  const tmp = join(parent, tmpName(`tmp-${name}`));
  try {
    await mkdir(tmp);
  } catch (e) {
    throw asDiskFull(e, target, needed);
  }
  try {
    await writeFileSynced(join(tmp, WEIGHTS_FILE), bytes);
    await writeFileSynced(join(tmp, MANIFEST_FILE), manifestText);
    await syncDir(tmp);
    if (await exists(target)) {
      const aside = join(parent, tmpName(`old-${name}`));
      await rename(target, aside);
      await rename(tmp, target);
      await syncDir(parent);
      await rm(aside, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
      await syncDir(parent);
    }
    return target;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw asDiskFull(e, target, needed);
  }
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Reads and checks a manifest; errors name the file. */
async function readManifest(dir: string): Promise<WeightsManifest> {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw corrupt(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let m: WeightsManifest;
  try {
    m = JSON.parse(text) as WeightsManifest;
  } catch (e) {
    throw corrupt(file, `is not valid JSON (${(e as Error).message}); it is truncated or corrupt`);
  }
  if (!m || typeof m !== 'object' || m.format !== WEIGHTS_FORMAT || (m.formatVersion !== 1 && m.formatVersion !== WEIGHTS_FORMAT_VERSION)) {
    throw corrupt(
      file,
      `is not a gankit weights manifest version 1 or ${WEIGHTS_FORMAT_VERSION} (format ${JSON.stringify(m?.format)}, formatVersion ${JSON.stringify(m?.formatVersion)})`,
    );
  }
  if (m.formatVersion >= 2) {
    if (typeof m.manifestSha256 !== 'string') throw corrupt(file, 'has no manifestSha256: it was edited or is corrupt');
    const h = manifestChecksum(m);
    if (h !== m.manifestSha256) {
      throw corrupt(
        file,
        `does not match its own checksum (SHA-256 ${h}, manifestSha256 ${m.manifestSha256}): it was edited or is corrupt`,
      );
    }
  }
  if (!Array.isArray(m.weightsManifest) || m.weightsManifest.length === 0 || !m.checksums || typeof m.checksums !== 'object') {
    throw corrupt(file, 'lacks weightsManifest or checksums');
  }
  for (const group of m.weightsManifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights))
      throw corrupt(file, 'has a weightsManifest group without paths and weights');
    for (const p of group.paths) {
      if (typeof p !== 'string' || p !== basename(p) || p.startsWith('.'))
        throw corrupt(file, `names a weights file outside its directory: ${JSON.stringify(p)}`);
      const c = m.checksums[p];
      if (!c || typeof c.sha256 !== 'string' || !Number.isInteger(c.bytes)) throw corrupt(file, `has no checksum for '${p}'`);
    }
    for (const w of group.weights) {
      if (!w || typeof w.name !== 'string' || !Array.isArray(w.shape) || !(w.dtype in BYTES_PER_ELEMENT)) {
        throw corrupt(file, `describes a weight it cannot decode: ${JSON.stringify(w)}`);
      }
    }
  }
  return m;
}

/** Reads every binary file of a manifest, checking size and SHA-256; returns one buffer per group. */
async function readVerifiedGroups(dir: string, m: WeightsManifest): Promise<ArrayBuffer[]> {
  const out: ArrayBuffer[] = [];
  for (const group of m.weightsManifest) {
    const parts: Buffer[] = [];
    for (const p of group.paths) {
      const file = join(dir, p);
      let buf: Buffer;
      try {
        buf = await readFile(file);
      } catch (e) {
        throw corrupt(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const c = m.checksums[p];
      if (buf.byteLength !== c.bytes)
        throw corrupt(file, `is ${buf.byteLength} bytes, the manifest says ${c.bytes}: it is truncated or corrupt`);
      const h = sha256(buf);
      if (h !== c.sha256) throw corrupt(file, `SHA-256 ${h} does not match the manifest's ${c.sha256}: it is corrupt`);
      parts.push(buf);
    }
    const all = Buffer.concat(parts);
    const expected = group.weights.reduce((a, w) => a + w.shape.reduce((x, d) => x * d, 1) * BYTES_PER_ELEMENT[w.dtype], 0);
    if (all.byteLength !== expected) {
      throw corrupt(join(dir, group.paths[0] ?? MANIFEST_FILE), `holds ${all.byteLength} bytes but its weights need ${expected}`);
    }
    out.push(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer);
  }
  return out;
}

/**
 * Reads a weights directory written by {@link writeWeights} (or the `model.json` in it), checking
 * every file's size and SHA-256 first. A missing, truncated or corrupt file gives a `GankitError`
 * (code `'checkpoint'`) naming it. The caller disposes the returned tensors.
 */
export async function readWeights(path: string): Promise<WeightsFile> {
  const dir = basename(path) === MANIFEST_FILE ? join(path, '..') : path;
  const manifest = await readManifest(dir);
  const buffers = await readVerifiedGroups(dir, manifest);
  const tensors: tf.NamedTensorMap = {};
  try {
    manifest.weightsManifest.forEach((group, i) => {
      Object.assign(tensors, tf.io.decodeWeights(buffers[i], group.weights as tf.io.WeightsManifestEntry[]));
    });
  } catch (e) {
    tf.dispose(Object.values(tensors));
    throw corrupt(join(dir, MANIFEST_FILE), `its weights cannot be decoded: ${(e as Error).message}`);
  }
  return { tensors, manifest };
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
 * Saves the trainer's whole state ({@link Trainer.state}) as
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
    if (n.startsWith('.tmp-') || n.startsWith('.old-') || n.startsWith('.del-')) await rm(join(dir, n), { recursive: true, force: true });
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
  const pointer = join(dir, tmpName('tmp-latest'));
  try {
    await writeFileSynced(pointer, `${checkpointName(step)}\n`);
    await rename(pointer, join(dir, 'latest'));
  } catch (e) {
    // The checkpoint itself is complete; resume finds it by listing step-* directories.
    await rm(pointer, { force: true });
    throw asDiskFull(e, join(dir, 'latest'), 16);
  }
  await syncDir(dir);
  const all = await listCheckpoints(runDir);
  for (const c of all.slice(keep)) {
    if (c.path === path) continue;
    // Renamed away first, so that an interrupted delete never leaves a half-deleted step-* directory.
    const gone = join(dir, tmpName('del'));
    await rename(c.path, gone);
    await rm(gone, { recursive: true, force: true });
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

/** The averaging plugin of the generator, if any (duck-typed: `averagedWeights()` and `network`). */
function generatorAverager(plugins: readonly GanPlugin[]): (GanPlugin & { averagedWeights(): tf.Variable[] }) | undefined {
  for (const p of plugins) {
    const a = p as GanPlugin & {
      averagedWeights?: (() => tf.Variable[]) | undefined;
      network?: string | undefined;
      initialized?: boolean | undefined;
    };
    if (typeof a.averagedWeights === 'function' && (a.network ?? 'generator') === 'generator' && a.initialized !== false) {
      return a as GanPlugin & { averagedWeights(): tf.Variable[] };
    }
  }
  return undefined;
}

/**
 * Writes the trained weights to `<runDir>/final/` in the same format as checkpoints:
 * `generator/<i>` and `discriminator/<i>` (every variable, `networkVariables` order) and, when an
 * averaging plugin of the generator (such as `ema`) is present, `averaged-generator/<i>`. Atomic
 * like {@link writeWeights}, and refused (code `'numerical'`) when a weight is NaN or ±Infinity,
 * so that a diverged run leaves an earlier `final/` as it was. Returns the directory.
 */
export async function saveFinal(runDir: string, trainer: Trainer, options: WriteWeightsOptions = {}): Promise<string> {
  const entries: { name: string; tensor: tf.Tensor }[] = [];
  const describe = (role: string, vars: readonly tf.Tensor[]) => {
    vars.forEach((t, i) => entries.push({ name: `${role}/${i}`, tensor: t }));
    return vars.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
  };
  const networks: Record<string, JsonValue> = {
    generator: {
      name: trainer.generator.name,
      variables: describe('generator', networkVariables(trainer.generator)),
      trainable: trainer.generator.trainableVariables.length,
    },
    discriminator: {
      name: trainer.discriminator.name,
      variables: describe('discriminator', networkVariables(trainer.discriminator)),
      trainable: trainer.discriminator.trainableVariables.length,
    },
  };
  const avg = generatorAverager(trainer.plugins);
  if (avg) {
    networks['averaged-generator'] = {
      plugin: avg.name,
      variables: describe('averaged-generator', avg.averagedWeights()),
      trainable: trainer.generator.trainableVariables.length,
    };
  }
  return writeWeights(runDir, 'final', entries, { kind: 'final', step: trainer.iteration, networks }, options);
}

/**
 * Reads `<runDir>/final/` (or any directory written by {@link saveFinal}), verified like a
 * checkpoint. Assign `generator` (or `averagedGenerator`) to a network built the same way with
 * `networkVariables(net).forEach((v, i) => v.assign(w.generator[i]))`, then dispose the tensors.
 */
export async function loadFinal(path: string): Promise<FinalWeights> {
  const dir = basename(path) === 'final' || (await exists(join(path, MANIFEST_FILE))) ? path : join(path, 'final');
  const { tensors, manifest } = await readWeights(dir);
  const g = manifest.gankit as { kind?: unknown; step?: unknown } | null;
  if (!g || g.kind !== 'final') {
    tf.dispose(Object.values(tensors));
    throw corrupt(join(dir, MANIFEST_FILE), `does not hold final weights (gankit.kind ${JSON.stringify(g?.kind)})`);
  }
  const group = (role: string): tf.Tensor[] | undefined => {
    const out: tf.Tensor[] = [];
    for (let i = 0; tensors[`${role}/${i}`]; i++) out.push(tensors[`${role}/${i}`]);
    return out.length ? out : undefined;
  };
  return {
    generator: group('generator') ?? [],
    discriminator: group('discriminator') ?? [],
    averagedGenerator: group('averaged-generator'),
    step: Number(g.step),
  };
}
