// One writer at a time in a run directory: the lock file, taken atomically, released at exit and on
// signals, and taken over when its process is gone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GankitError } from '@gankit/core';

/** The lock file that makes one `gankit train` at a time write a run directory. */
export const LOCK_FILE = '.gankit.lock';

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
