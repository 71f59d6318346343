// The weights file format: a tfjs-style `model.json` manifest (`weightsManifest`) plus one
// `weights.bin`, with the SHA-256 and size of every binary file and, from layout version 2, a
// checksum of the manifest itself. What a directory of these files means (a checkpoint, final
// weights) is said by the manifest's `gankit` section and read in checkpoint-dir.ts / final-weights.ts.
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GankitError, canonicalJson } from '@gankit/core';
import type { JsonValue } from '@gankit/core';
import { replaceDirectory } from './durable-write';

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

/** The `'checkpoint'` error for a damaged weights file; the message names the file. */
export function corrupt(file: string, what: string): GankitError {
  return new GankitError('checkpoint', `checkpoint file ${file}: ${what}`);
}

/** Bytes per element of the dtypes a weights file can hold. */
const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

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
  const bytes = new Uint8Array(data);
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    formatVersion: WEIGHTS_FORMAT_VERSION,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
    checksums: { [WEIGHTS_FILE]: { sha256: sha256(bytes), bytes: bytes.byteLength } },
    gankit,
  };
  manifest.manifestSha256 = manifestChecksum(manifest);
  return replaceDirectory(parent, name, [
    { name: WEIGHTS_FILE, data: bytes },
    { name: MANIFEST_FILE, data: JSON.stringify(manifest, null, 1) },
  ]);
}

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
