import fs from 'node:fs';
import path from 'node:path';
import { GankitError } from '@gankit/core';

/**
 * statfs magic numbers of kernel pseudo-filesystems, where no run can be written (and where
 * Node's recursive `mkdir` may never return: `mkdirSync('/proc/x', { recursive: true })` hangs).
 */
const KERNEL_FILESYSTEMS: Readonly<Record<number, string>> = {
  0x9fa0: 'procfs',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
  0x6e736673: 'nsfs',
  0x1cd1: 'devpts',
};

/** A short reason for a file-system error code, for one-line messages. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENAMETOOLONG: 'name too long',
    ELOOP: 'too many symbolic links',
    ENOTDIR: 'a part of the path is not a directory',
    EISDIR: 'is a directory',
    ENOENT: 'no such file or directory',
  };
  return e?.code && known[e.code] ? `${known[e.code]} (${e.code})` : (e?.message ?? String(err)).split('\n')[0];
}

/** Checks that a path argument is a usable string: not empty, no NUL byte, not absurdly long. */
export function checkPathArgument(value: string, flag: string): void {
  if (value === '') throw new GankitError('config', `${flag} must not be empty`);
  if (value.includes('\0')) throw new GankitError('config', `${flag} must not contain a NUL character`);
  if (value.length > 4096) throw new GankitError('config', `${flag} is ${value.length} characters long; a path has at most 4096`);
}

/** The nearest existing ancestor of an absolute path (the path itself when it exists), with its stats. */
function nearestExisting(abs: string, flag: string, shown: string): { dir: string; stat: fs.Stats } {
  let p = abs;
  for (;;) {
    try {
      return { dir: p, stat: fs.statSync(p) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = path.dirname(p);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === p) {
        throw new GankitError('config', `${flag} ${shown}: cannot look at ${p}: ${reason(err)}`);
      }
      p = parent;
    }
  }
}

/** The name of the kernel pseudo-filesystem `dir` lies on, if it is one. */
function kernelFilesystem(dir: string): string | undefined {
  try {
    return KERNEL_FILESYSTEMS[fs.statfsSync(dir).type];
  } catch {
    return undefined;
  }
}

/**
 * Checks, before any work starts, that a directory can be created (if missing) and written: the
 * argument is a non-empty path, its nearest existing ancestor is a directory (not a file), not on a
 * kernel pseudo-filesystem (procfs, sysfs, …), and a probe file can be created in it (then
 * removed). Creates nothing that stays. Throws a one-line `GankitError` (code `'config'`) that
 * names `flag` otherwise, e.g. `--out run.txt is a file, not a directory`.
 *
 * @param dir - the directory, relative to the working directory or absolute
 * @param flag - names the argument in messages, e.g. `'--out'`
 * @returns the absolute path
 */
export function checkOutputDir(dir: string, flag: string): string {
  checkPathArgument(dir, flag);
  const abs = path.resolve(dir);
  checkWritableDir(abs, flag, dir);
  return abs;
}

/** {@link checkOutputDir} on an absolute path; `shown` is the argument as the user gave it. */
function checkWritableDir(abs: string, flag: string, shown: string): void {
  const { dir: existing, stat } = nearestExisting(abs, flag, shown);
  if (!stat.isDirectory()) {
    throw new GankitError(
      'config',
      existing === path.resolve(shown)
        ? `${flag} ${shown} is a file, not a directory`
        : `${flag} ${shown}: ${existing} is a file, not a directory`,
    );
  }
  const kernel = kernelFilesystem(existing);
  if (kernel)
    throw new GankitError(
      'config',
      `${flag} ${shown} is on ${kernel}, a kernel file system where nothing can be saved; choose a directory on a disk`,
    );
  const probe = path.join(existing, `.gankit-write-test-${process.pid}-${Date.now().toString(36)}`);
  try {
    fs.writeFileSync(probe, '', { flag: 'wx' });
  } catch (err) {
    throw new GankitError('config', `${flag} ${shown}: cannot write in ${existing}: ${reason(err)}`);
  }
  fs.rmSync(probe, { force: true });
}

/**
 * Checks, before any work starts, that a file can be written: not empty, not a directory, a
 * writable existing file or a new one in a directory {@link checkOutputDir} accepts. Creates
 * nothing that stays; throws a one-line `GankitError` naming `flag` otherwise.
 *
 * @returns the absolute path
 */
export function checkOutputFile(file: string, flag: string): string {
  checkPathArgument(file, flag);
  const abs = path.resolve(file);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new GankitError('config', `${flag} ${file}: ${reason(err)}`);
  }
  if (stat?.isDirectory()) throw new GankitError('config', `${flag} ${file} is a directory, expected a file`);
  if (stat) {
    try {
      fs.accessSync(abs, fs.constants.W_OK);
    } catch (err) {
      throw new GankitError('config', `${flag} ${file} cannot be overwritten: ${reason(err)}`);
    }
  }
  checkWritableDir(path.dirname(abs), flag, file);
  return abs;
}

/**
 * Writes a whole file, creating its directory; a file-system error becomes a one-line
 * `GankitError` (code `'io'`) naming the file and the cause (full disk, permission, …).
 */
export function writeOutputFile(file: string, data: Uint8Array | string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, data);
  } catch (err) {
    throw new GankitError('io', `cannot write ${file}: ${reason(err)}`);
  }
}
