// The run directory as one run's property: opening it for `gankit train` (the lock, the check that
// --resume continues only the run it holds, --overwrite) and the files of a run in it. What defines a
// run is in run-identity.ts, the lock in run-lock.ts.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GankitError, type JsonValue } from '@gankit/core';
import { identityDifference, readRecordedRun, runFingerprint, type RunIdentity } from './run-identity';
import { lockRunDirectory, type RunLock } from './run-lock';

export { identityDifference, readRecordedRun, recordedWorkers, runFingerprint } from './run-identity';
export type { OnNan, RunIdentity } from './run-identity';
export { LOCK_FILE, lockRunDirectory } from './run-lock';
export type { RunLock } from './run-lock';

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
  'tensorboard',
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
  /**
   * The run's `--tensorboard` folder: a new run refuses one that holds event files (of an earlier
   * run) unless `overwrite`, which removes them.
   */
  readonly tensorboard?: string | undefined;
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
      if (options.tensorboard !== undefined) clearEventFiles(options.tensorboard, options.overwrite === true, log);
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

/** A new run's `--tensorboard` folder: refused when it holds event files, unless `overwrite` removes them. */
function clearEventFiles(dir: string, overwrite: boolean, log: (line: string) => void): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.startsWith('events.out.tfevents.'));
  } catch {
    return; // not there yet
  }
  if (names.length === 0) return;
  if (!overwrite)
    throw new GankitError(
      'config',
      `--tensorboard ${dir} holds the event files of an earlier run (${names.length}): go on with that run with --resume, replace them with --overwrite, or choose another --tensorboard folder`,
    );
  for (const n of names) fs.rmSync(path.join(dir, n), { force: true });
  log(`--overwrite: removed ${names.length} event file${names.length === 1 ? '' : 's'} of an earlier run from ${dir}`);
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
