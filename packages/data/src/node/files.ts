import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { GankitError } from '@gankit/core';
import { checkIdxBytes, idxToDataset, parseIdx } from '../idx';
import type { IdxArray, IdxDatasetOptions, IdxHeader } from '../idx';
import type { InMemoryDataset } from '../memory';

/** Reads a whole file, turning "no such file" and friends into a `GankitError` naming the path. */
export function readFileOrThrow(path: string, what: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new GankitError('data', `${what} not found: ${path}`);
    if (err.code === 'EISDIR') throw new GankitError('data', `${what} is a directory, expected a file: ${path}`);
    throw new GankitError('data', `cannot read ${what} ${path}: ${err.message}`);
  }
}

/** `true` when the bytes start with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an IDX file (MNIST format), gunzipping it first when it starts with the gzip magic number
 * `1f 8b` (so `train-images-idx3-ubyte.gz` and the unpacked file both work). A missing, truncated
 * or corrupt file gives a `GankitError` that names the path.
 *
 * @example
 * ```ts
 * const images = readIdxFile('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz');
 * images.shape; // [10000, 28, 28]
 * ```
 */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readIdxBytes(path), path);
}

/**
 * Checks an IDX file without decoding its values (to fail early, before a long job starts): the
 * file exists, gunzips when it is gzip data, has a valid IDX header and exactly the bytes that
 * header declares. Returns the header; otherwise throws the `GankitError` {@link readIdxFile}
 * would, naming the path and the real cause (`truncated IDX uint8 data of shape [60000, 28, 28]:
 * expected 47040016 bytes ..., got 1000`, `not an IDX file: the magic number ...`).
 */
export function checkIdxFile(path: string): IdxHeader {
  return checkIdxBytes(readIdxBytes(path), path);
}

/** A file's bytes, gunzipped when they start with the gzip magic number. */
function readIdxBytes(path: string): Uint8Array {
  const bytes: Uint8Array = readFileOrThrow(path, 'IDX file');
  if (!isGzip(bytes)) return bytes;
  try {
    return zlib.gunzipSync(bytes);
  } catch (e) {
    throw new GankitError('data', `${path}: corrupt gzip data (${(e as Error).message})`);
  }
}

/** Options of {@link idxDataset}. */
export interface IdxFilesOptions extends IdxDatasetOptions {
  /** Path of the IDX images file (`[n, h, w]` or `[n, h, w, c]`, uint8), gzipped or not. */
  images: string;
  /** Path of the IDX labels file (`[n]`), gzipped or not. */
  labels?: string | undefined;
}

/**
 * An in-memory data set from IDX files (MNIST format): images scaled to [-1, 1] with shape
 * `[h, w, 1]` (or `[h, w, c]`), and int32 labels when a labels file is given.
 *
 * @example
 * ```ts
 * const ds = idxDataset({ images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' });
 * ```
 */
export function idxDataset(options: IdxFilesOptions): InMemoryDataset {
  const images = readIdxFile(options.images);
  const labels = options.labels !== undefined ? readIdxFile(options.labels) : undefined;
  return idxToDataset(images, labels, { ...options, name: options.name ?? 'idx' });
}
