// What defines a run (and the check that --resume continues only that run): the identity a run
// directory's config.json records, its fingerprint, and the first difference between two.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { GankitError, canonicalJson, type JsonValue } from '@gankit/core';

/** What `--on-nan` takes: stop in the last good state (default), skip the faulty iteration, or no guard. */
export type OnNan = 'stop' | 'skip' | 'off';

/**
 * What defines a run: the settings that change its result. A run directory records them
 * (`config.json`) and `--resume` goes on only with the same ones.
 */
export interface RunIdentity {
  /** The built-in example's name, or the `--config` run's name. */
  readonly example: string;
  /** Run seed. */
  readonly seed: number;
  /** Examples per batch. */
  readonly batchSize: number;
  /** Data-parallel workers (batch norm sees each worker's rows, so the result depends on it). */
  readonly workers: number;
  /** The validated training configuration of a `--config` run. */
  readonly config?: JsonValue | undefined;
  /**
   * Settings of an example with a loop of its own given from code (cyclegan-digits'), recorded as
   * config.json's `settings`; `steps` and `batchSize` in it are not part of the identity.
   */
  readonly settings?: Record<string, JsonValue> | undefined;
}

/**
 * Keys of a training configuration that do not change the result, and so may differ on
 * `--resume`: the step count, the final evaluation's sample count, the grid cadence, the NaN
 * policy and the name; `seed` and `batchSize` are compared as the run's effective values.
 */
const CONFIG_KEYS_FREE_ON_RESUME = [
  ['steps'],
  ['name'],
  ['seed'],
  ['batchSize'],
  ['onNan'],
  ['metrics', 'evalSamples'],
  ['report', 'gridEvery'],
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A training configuration less the keys that may change on resume. */
function definingConfig(config: JsonValue): JsonValue {
  const copy = JSON.parse(JSON.stringify(config)) as JsonValue;
  for (const keyPath of CONFIG_KEYS_FREE_ON_RESUME) {
    let at: unknown = copy;
    for (const k of keyPath.slice(0, -1)) at = isRecord(at) ? at[k] : undefined;
    if (isRecord(at)) delete at[keyPath[keyPath.length - 1]];
  }
  return copy;
}

/** Example settings less the step count and batch size (compared as the run's own values). */
function definingSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const { steps: _steps, batchSize: _batchSize, ...rest } = settings;
  return rest;
}

/** The part of an identity that defines the run (a config run's name is not part of it). */
function definingPart(id: RunIdentity): Record<string, JsonValue> {
  const common = {
    seed: id.seed,
    batchSize: id.batchSize,
    workers: id.workers,
    ...(id.settings ? { settings: definingSettings(id.settings) as JsonValue } : {}),
  };
  return id.config !== undefined ? { config: definingConfig(id.config), ...common } : { example: id.example, ...common };
}

/** `sha256:<hex>` of what defines a run; two runs with the same fingerprint train alike. */
export function runFingerprint(id: RunIdentity): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(definingPart(id)))
    .digest('hex')}`;
}

/** The first place two JSON values differ, as a key path and the two values (null when equal). */
function firstDifference(a: unknown, b: unknown, at = ''): { at: string; a: unknown; b: unknown } | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (isRecord(a) && isRecord(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[k], b[k], at ? `${at}.${k}` : k);
      if (d) return d;
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
  }
  return { at: at || '(the whole config)', a, b };
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

/**
 * How a wanted run differs from the one a directory holds, as one line naming the first
 * difference (`--seed 7, but this run has seed 0`), or null when they are the same run. `recorded`
 * is the directory's `config.json`; a config.json of an older gankit lacks `workers` (then 1).
 */
export function identityDifference(wanted: RunIdentity, recorded: Record<string, unknown>): string | null {
  const recordedConfig = recorded.config as JsonValue | undefined;
  if (wanted.config === undefined && recordedConfig !== undefined)
    return `--example ${wanted.example}, but this run was trained from a config file (named '${String(recorded.example)}'); give that --config`;
  if (wanted.config !== undefined && recordedConfig === undefined)
    return `--config names a configured run, but this run is example ${String(recorded.example)}; give --example ${String(recorded.example)}`;
  if (wanted.config === undefined && wanted.example !== recorded.example)
    return `--example ${wanted.example}, but this run is ${String(recorded.example)}`;
  if (wanted.config !== undefined) {
    const d = firstDifference(definingConfig(wanted.config), definingConfig(recordedConfig!));
    if (d) return `config differs at ${d.at}: ${show(d.a)}, but this run has ${show(d.b)}`;
  }
  if (wanted.settings) {
    // Only the keys asked for: config.json may hold more, for people (data sizes, say).
    const mine = definingSettings(wanted.settings);
    const theirs = isRecord(recorded.settings) ? recorded.settings : {};
    const d = firstDifference(mine, Object.fromEntries(Object.keys(mine).map((k) => [k, theirs[k]])));
    if (d) return `settings differ at ${d.at}: ${show(d.a)}, but this run has ${show(d.b)}`;
  }
  if (wanted.seed !== recorded.seed) return `--seed ${wanted.seed}, but this run has seed ${show(recorded.seed)}`;
  if (wanted.batchSize !== recorded.batchSize)
    return `--batch-size ${wanted.batchSize}, but this run has batch size ${show(recorded.batchSize)}`;
  const workers = recorded.workers ?? 1;
  if (wanted.workers !== workers)
    return `--workers ${wanted.workers}, but this run trained with ${show(workers)} (batch norm sees each worker's rows, so the result depends on it)`;
  return null;
}

/** Reads a run directory's config.json: undefined when absent; a GankitError when unreadable. */
export function readRecordedRun(dir: string): Record<string, unknown> | undefined {
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GankitError('config', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GankitError(
      'config',
      `${file} is not valid JSON (${(e as Error).message}), so it cannot tell which run this directory holds; replace the run with --overwrite`,
    );
  }
  if (!isRecord(v))
    throw new GankitError(
      'config',
      `${file} is not a JSON object, so it cannot tell which run this directory holds; replace the run with --overwrite`,
    );
  return v;
}

/**
 * The worker count a run directory's run trained with, for `--workers auto` on `--resume` (a
 * machine with other cores would otherwise pick another count); undefined without a readable one.
 */
export function recordedWorkers(dir: string): number | undefined {
  try {
    const w = readRecordedRun(dir)?.workers;
    return Number.isInteger(w) && (w as number) >= 1 ? (w as number) : undefined;
  } catch {
    return undefined;
  }
}
