import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { GankitError } from '@gankit/core';
import { idxToDataset, parseIdx } from '../idx';
import type { IdxArray, IdxDatasetOptions } from '../idx';
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
  let bytes: Uint8Array = readFileOrThrow(path, 'IDX file');
  if (isGzip(bytes)) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (e) {
      throw new GankitError('data', `${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}

/** Options of {@link idxDataset}. */
export interface IdxFilesOptions extends IdxDatasetOptions {
  /** Path of the IDX images file (`[n, h, w]` or `[n, h, w, c]`, uint8), gzipped or not. */
  images: string;
  /** Path of the IDX labels file (`[n]`), gzipped or not. */
  labels?: string;
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
