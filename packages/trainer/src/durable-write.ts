// Durable writing on a local file system: every file fsynced, a directory replaced by one rename
// (the old one moved aside, then removed), a file replaced by temp file + rename, a directory
// removed by renaming it away first, and a full disk reported as one clear GankitError. Knows
// nothing of what the files hold (see weights-format.ts) nor of checkpoint directories.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { GankitError } from '@gankit/core';

/** A file to write: its name inside the directory and its contents. */
export interface DurableFile {
  readonly name: string;
  readonly data: Uint8Array | string;
}

/** Writes a file and fsyncs it before closing. */
export async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so that renames in it are durable (not supported everywhere: errors are ignored). */
export async function syncDir(path: string): Promise<void> {
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

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
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

/** A hidden, unique name in the same directory: `.<prefix>-<pid>-<random>`. */
function tmpName(prefix: string): string {
  return `.${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Whether a directory entry is a leftover of an interrupted write, replace or removal here (a
 * `.tmp-*`, `.old-*` or `.del-*` name), safe to remove when one process owns the directory.
 */
export function isLeftover(name: string): boolean {
  return name.startsWith('.tmp-') || name.startsWith('.old-') || name.startsWith('.del-');
}

/**
 * Writes `files` as the directory `<parent>/<name>`, atomically: the files are written and fsynced
 * in a temporary directory inside `parent`, which is then renamed into place (an existing `<name>`
 * is first moved aside and removed after). Creates `parent` if needed. Returns the directory.
 *
 * When the disk is too full (checked with `statfs` before writing, and ENOSPC/EDQUOT during the
 * write) it throws a `GankitError` with code `'disk-full'` naming the directory and the size
 * needed; the temporary directory is removed and an existing `<name>` is left as it was.
 */
export async function replaceDirectory(parent: string, name: string, files: readonly DurableFile[]): Promise<string> {
  const target = join(parent, name);
  await mkdir(parent, { recursive: true });
  const needed = files.reduce((n, f) => n + (typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.byteLength), 0);
  await ensureFreeSpace(parent, target, needed);
  const tmp = join(parent, tmpName(`tmp-${name}`));
  try {
    await mkdir(tmp);
  } catch (e) {
    throw asDiskFull(e, target, needed);
  }
  try {
    for (const f of files) await writeFileSynced(join(tmp, f.name), f.data);
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

/**
 * Replaces the file `<dir>/<name>` atomically (a fsynced temporary file renamed over it), then
 * fsyncs `dir`. A full disk gives a `'disk-full'` `GankitError`; the temporary file is removed.
 */
export async function replaceFile(dir: string, name: string, data: string): Promise<void> {
  const tmp = join(dir, tmpName(`tmp-${name}`));
  const target = join(dir, name);
  try {
    await writeFileSynced(tmp, data);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw asDiskFull(e, target, Buffer.byteLength(data));
  }
  await syncDir(dir);
}

/** Removes a directory by renaming it away first, so an interrupted removal never leaves half of it under its name. */
export async function removeDirectory(path: string, parent: string): Promise<void> {
  const gone = join(parent, tmpName('del'));
  await rename(path, gone);
  await rm(gone, { recursive: true, force: true });
}
