// The run directory as one run's property: what defines the run (and the check that --resume
// continues only that run), one writer at a time (a lock file), and --overwrite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { GankitError, canonicalJson, type JsonValue } from '@gankit/core';

/** The lock file that makes one `gankit train` at a time write a run directory. */
export const LOCK_FILE = '.gankit.lock';

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

// ---- the lock ------------------------------------------------------------------------------

/** What a lock file holds. */
interface LockHolder {
  pid: number;
  host: string;
  started: string;
  token: string;
  command?: string | undefined;
}

/** Locks this process holds, by file, with their tokens. */
const held = new Map<string, string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function releaseAllSync(): void {
  for (const [file, token] of held) releaseSync(file, token);
}

function onSignal(signal: NodeJS.Signals): void {
  releaseAllSync();
  uninstall();
  // Die of the signal, as without the handler (exit status 128 + its number).
  process.kill(process.pid, signal);
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', releaseAllSync);
}
function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', releaseAllSync);
}

function releaseSync(file: string, token: string): void {
  held.delete(file);
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    if (holder.token === token) fs.unlinkSync(file);
  } catch {
    // gone already, or not ours any more
  }
  if (held.size === 0) uninstall();
}

function readHolder(file: string): LockHolder | 'unreadable' | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return Number.isInteger(h?.pid) && typeof h.host === 'string' ? h : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Whether process `pid` runs on this machine (EPERM: it runs, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file written this long ago but still unreadable is a crash's leftover, not a lock being written. */
const UNREADABLE_STALE_MS = 10_000;

/** Why a lock file found in place does not stop us (a stale lock), or null when it is held. */
function staleness(file: string, holder: LockHolder | 'unreadable'): string | null {
  if (holder === 'unreadable') {
    let age = 0;
    try {
      age = Date.now() - fs.statSync(file).mtimeMs;
    } catch {
      return 'it is gone';
    }
    return age > UNREADABLE_STALE_MS ? `it is unreadable and ${Math.round(age / 1000)} s old (a crash while it was written)` : null;
  }
  if (holder.host !== os.hostname()) return null;
  if (holder.pid === process.pid) return held.has(file) ? null : 'this process holds no such lock (left by an earlier run in it)';
  return alive(holder.pid) ? null : `process ${holder.pid} on this host (since ${holder.started}) is no longer running`;
}

function describeHolder(holder: LockHolder | 'unreadable'): string {
  if (holder === 'unreadable') return 'a lock being written just now';
  const where = holder.host === os.hostname() ? 'on this host' : `on host ${holder.host}`;
  return `process ${holder.pid} ${where}, since ${holder.started}${holder.command ? ` (${holder.command})` : ''}`;
}

/** A lock on a run directory: see {@link lockRunDirectory}. */
export interface RunLock {
  /** The lock file. */
  readonly file: string;
  /** Removes the lock file (if it is still this lock's); safe to call twice. */
  release(): void;
}

/**
 * Takes `DIR/.gankit.lock`, created atomically (`O_EXCL`) with this process's pid, host, start
 * time and command. A lock held by a live process (or by one on another host, which cannot be
 * checked) is a `GankitError` with code `'locked'` naming the holder. A stale lock (its process
 * is gone from this host, or it is an unreadable leftover) is taken over, and `log` says why.
 * The lock goes at `release()`, at process exit, and on SIGINT, SIGTERM and SIGHUP.
 */
export function lockRunDirectory(dir: string, log: (line: string) => void = () => undefined): RunLock {
  const file = path.resolve(dir, LOCK_FILE);
  const token = randomBytes(8).toString('hex');
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    token,
    command: ['gankit', ...process.argv.slice(2)].join(' ').slice(0, 200),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new GankitError('config', `cannot create the lock file ${file}: ${code ?? (e as Error).message}`);
      const holder = readHolder(file);
      if (holder === 'gone') continue;
      const why = staleness(file, holder);
      if (why === null) {
        throw new GankitError(
          'locked',
          `${dir} is in use by another gankit train: ${describeHolder(holder)}. Wait for it to end or choose another --out; if it is not running, remove ${file}`,
        );
      }
      takeOver(file, holder, why, log);
      continue;
    }
    try {
      fs.writeFileSync(fd, JSON.stringify(me) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    held.set(file, token);
    install();
    return { file, release: () => held.get(file) === token && releaseSync(file, token) };
  }
  throw new GankitError('locked', `${dir}: could not take ${file} (other processes keep taking it)`);
}

/**
 * Removes a stale lock, so that the caller may create its own with O_EXCL. A second file
 * (`.gankit.lock.takeover`, itself O_EXCL) makes two processes that both found the lock stale take
 * turns, so that neither removes the lock the other has just made.
 */
function takeOver(file: string, holder: LockHolder | 'unreadable', why: string, log: (line: string) => void): void {
  const guard = `${file}.takeover`;
  try {
    fs.closeSync(fs.openSync(guard, 'wx'));
  } catch {
    // Someone else is taking it over; a guard left by a crash goes after a while.
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > UNREADABLE_STALE_MS) fs.rmSync(guard, { force: true });
    } catch {
      // gone
    }
    return;
  }
  try {
    const now = readHolder(file);
    const same =
      now === 'unreadable' || holder === 'unreadable'
        ? now === holder
        : now !== 'gone' && now.token === holder.token && now.pid === holder.pid;
    if (same) {
      fs.rmSync(file, { force: true });
      log(`took over the stale lock ${file}: ${why}`);
    }
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

// ---- opening a run directory -----------------------------------------------------------------

/** gankit's own files and folders in a run directory (what --overwrite removes), checkpoints first. */
const RUN_ENTRIES = [
  'checkpoints',
  'final',
  'grids',
  'logs.jsonl',
  'samples.csv',
  'samples.png',
  'samples-raw.png',
  'translations.png',
  'metrics.json',
  'eval.json',
  'report.html',
  'config.json',
];
/** The entries that mark a directory as holding a run. */
const RUN_MARKERS = ['config.json', 'checkpoints', 'final', 'logs.jsonl', 'metrics.json'];
/** Leftovers of interrupted writes: `.tmp-final-…`, `.old-final-…`, `report.html.<pid>.<n>.tmp`. */
const LEFTOVER = /^(\.(tmp|old)-final-|[\w.-]+\.\d+\.\d+\.tmp$)/;

/** What {@link openRunDirectory} needs to know. */
export interface OpenRunOptions {
  /** The run directory (created if missing). */
  readonly out: string;
  /** What defines the run. */
  readonly identity: RunIdentity;
  /** Go on with the run the directory holds (default false: a new run). */
  readonly resume?: boolean | undefined;
  /** Replace a run the directory holds (default false: refused). */
  readonly overwrite?: boolean | undefined;
  /** The rest of config.json: settings that may change on resume (steps, checkpoint cadence, backend, ...). */
  readonly settings: Record<string, JsonValue>;
  /** Where notes go (one line each). */
  readonly log: (line: string) => void;
}

/** A run directory opened by {@link openRunDirectory}. */
export interface OpenedRun {
  /** The lock held on it. */
  readonly lock: RunLock;
  /** The run's fingerprint, recorded in config.json. */
  readonly fingerprint: string;
  /** Releases the lock. */
  close(): void;
  /**
   * Releases the lock after a failure. When this open wrote the directory's first config.json and
   * nothing of the run was saved (no checkpoint, no `final/`), config.json goes too, so that a run
   * that never trained (missing data, say) does not make the directory hold one.
   */
  abandon(): void;
}

function mkdirOut(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new GankitError('config', `--out ${dir} cannot be created: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Writes a file through a temporary name and a rename, so readers never see half of it. */
export function writeFileAtomicSync(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Opens a run directory for `gankit train`, all checks before anything is written:
 *
 * 1. takes its lock ({@link lockRunDirectory}); a second writer is refused;
 * 2. with `resume`, checks that the run it holds is the one asked for ({@link identityDifference}):
 *    a different one is refused with a line naming the first difference, and config.json is left
 *    as it was; checkpoints without a config.json are refused (nothing tells whose they are);
 * 3. without `resume`, refuses a directory that holds a run (config.json, checkpoints/, final/,
 *    logs.jsonl or metrics.json) unless `overwrite`, which removes gankit's files of that run
 *    (checkpoints first; other files stay);
 * 4. writes config.json: the identity, its fingerprint and `settings`.
 *
 * Errors are `GankitError`s (`gankit train` exits 2); the lock is released on error.
 */
export function openRunDirectory(options: OpenRunOptions): OpenedRun {
  const { out, identity, log } = options;
  if (options.resume && options.overwrite)
    throw new GankitError('config', 'give --resume (go on with the run in --out) or --overwrite (replace it), not both');
  mkdirOut(out);
  const lock = lockRunDirectory(out, log);
  try {
    const recorded = readRecordedRun(out);
    const present = (names: readonly string[]) => names.filter((n) => fs.existsSync(path.join(out, n)));
    if (options.resume) {
      if (recorded) {
        const diff = identityDifference(identity, recorded);
        if (diff)
          throw new GankitError(
            'config',
            `cannot resume ${out}: ${diff}. Settings that may change on resume: --steps, --checkpoint-every, --keep, --on-nan, --grid-every, --eval-samples, --backend, --quiet`,
          );
        if (recorded.backend !== undefined && recorded.backend !== options.settings.backend) {
          log(
            `note: this run trained on ${String(recorded.backend)} so far and goes on with ${String(options.settings.backend)}; the result will differ in the last bits from a run on one backend`,
          );
        }
      } else if (present(['checkpoints']).length > 0 && fs.readdirSync(path.join(out, 'checkpoints')).some((n) => /^step-\d+$/.test(n))) {
        throw new GankitError(
          'config',
          `cannot resume ${out}: it has checkpoints but no config.json, so nothing tells which run they belong to; start a new run there with --overwrite, or choose another --out`,
        );
      }
    } else {
      const marks = present(RUN_MARKERS);
      if (marks.length > 0) {
        if (!options.overwrite) {
          throw new GankitError(
            'config',
            `${out} holds a run (${marks.map((m) => (m.includes('.') ? m : `${m}/`)).join(', ')}): go on with it with --resume, replace it with --overwrite, or choose another --out`,
          );
        }
        const gone = removeRun(out);
        log(`--overwrite: removed the earlier run's ${gone.join(', ')} from ${out}`);
      }
    }
    const fingerprint = runFingerprint(identity);
    const file = {
      example: identity.example,
      seed: identity.seed,
      batchSize: identity.batchSize,
      workers: identity.workers,
      fingerprint,
      ...options.settings,
      ...(identity.config !== undefined ? { config: identity.config } : {}),
      ...(identity.settings !== undefined ? { settings: identity.settings } : {}),
    };
    const configFile = path.join(out, 'config.json');
    writeFileAtomicSync(configFile, JSON.stringify(file, null, 2) + '\n');
    const abandon = () => {
      const saved =
        fs.existsSync(path.join(out, 'final')) ||
        (fs.existsSync(path.join(out, 'checkpoints')) && fs.readdirSync(path.join(out, 'checkpoints')).some((n) => /^step-\d+$/.test(n)));
      if (!recorded && !saved) fs.rmSync(configFile, { force: true });
      lock.release();
    };
    return { lock, fingerprint, close: () => lock.release(), abandon };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Removes gankit's files of a run (checkpoints first, config.json last); returns what went. */
function removeRun(out: string): string[] {
  const gone: string[] = [];
  for (const name of RUN_ENTRIES) {
    const p = path.join(out, name);
    if (!fs.existsSync(p)) continue;
    if (fs.statSync(p).isDirectory()) {
      // Renamed first, so that a kill mid-removal never leaves a half-deleted checkpoints/ to resume from.
      const aside = path.join(out, `.old-${name}-${randomBytes(4).toString('hex')}`);
      fs.renameSync(p, aside);
      fs.rmSync(aside, { recursive: true, force: true });
      gone.push(`${name}/`);
    } else {
      fs.rmSync(p, { force: true });
      gone.push(name);
    }
  }
  for (const name of fs.readdirSync(out)) {
    if (LEFTOVER.test(name) || /^\.old-(checkpoints|final|grids)-/.test(name))
      fs.rmSync(path.join(out, name), { recursive: true, force: true });
  }
  return gone;
}

/** Removes sample grids of steps after `step` (drawn after the checkpoint a resumed run went back to). */
export function removeGridsAfter(out: string, step: number): void {
  const dir = path.join(out, 'grids');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^step-(\d+)\.png$/.exec(n);
    if (m && Number(m[1]) > step) fs.rmSync(path.join(dir, n), { force: true });
  }
}
