import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { Batch, DataSource, JsonValue, RandomSource } from '@gankit/core';
import { decodeIdxValues, parseIdxHeader } from '../idx';
import type { IdxHeader } from '../idx';
import { checkLabels } from '../memory';
import { EpochOrder } from '../order';
import type { EpochState } from '../order';
import { isGzip, readIdxFile } from './files';

/** Options of {@link idxStream}. */
export interface IdxStreamOptions {
  /** An IDX labels file (`[n]`) read into memory (gzipped or not), for conditional models. */
  labels?: string | undefined;
  /** Number of classes; default: the largest label + 1. */
  numClasses?: number | undefined;
  /**
   * Scale uint8 values from [0, 255] to [-1, 1]. Default `true` for uint8 files; other dtypes are
   * returned as stored.
   */
  scale?: boolean | undefined;
  /** Reshuffle the record order every epoch. Default `true`. */
  shuffle?: boolean | undefined;
  /** Name for logs. Default `'idx-stream'`. */
  name?: string | undefined;
}

/**
 * A data set that stays on disk: an uncompressed IDX file whose records are read with `fs.readSync`
 * at their offsets, batch by batch, in a seeded order reshuffled every epoch (the same order an
 * `InMemoryDataset` of the same name and size follows). Only the record order (4 bytes per
 * record) and the labels are held in memory. Call {@link IdxStream.close} when done.
 */
export class IdxStream implements DataSource {
  /** Name for logs. */
  readonly name: string;
  /** Shape of one record (a channel axis is added to `[h, w]` records: `[h, w, 1]`). */
  readonly sampleShape: readonly number[];
  /** Number of records. */
  readonly size: number;
  /** Number of classes when labels were given. */
  readonly numClasses?: number | undefined;
  /** The file being read. */
  readonly path: string;
  /** The file's IDX header. */
  readonly header: IdxHeader;
  private readonly labels?: Int32Array | undefined;
  private readonly order: EpochOrder;
  private readonly recordBytes: number;
  private readonly recordValues: number;
  private readonly scale: boolean;
  private fd: number | null = null;

  /**
   * @param path - an uncompressed IDX file
   * @param options - see {@link IdxStreamOptions}
   */
  constructor(path: string, options: IdxStreamOptions = {}) {
    this.path = path;
    this.name = options.name ?? 'idx-stream';
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new GankitError(
        'data',
        code === 'ENOENT' ? `IDX file not found: ${path}` : `cannot open IDX file ${path}: ${(e as Error).message}`,
      );
    }
    try {
      const fileBytes = fs.fstatSync(fd).size;
      const head = Buffer.alloc(Math.min(fileBytes, 4 + 4 * 255));
      fs.readSync(fd, head, 0, head.length, 0);
      if (isGzip(head)) {
        throw new GankitError(
          'data',
          `${path}: idxStream reads records at their offsets and needs an uncompressed file; gunzip it first (\`gunzip -k ${path}\`) or load it into memory with idxDataset`,
        );
      }
      const header = parseIdxHeader(head, path);
      const expected = header.dataOffset + header.dataBytes;
      if (fileBytes !== expected) {
        throw new GankitError(
          'data',
          `${path}: ${fileBytes < expected ? 'truncated' : 'corrupt'} IDX ${header.dtype} file of shape ${formatShape(header.shape)}: expected ${expected} bytes, got ${fileBytes}`,
        );
      }
      this.header = header;
    } finally {
      fs.closeSync(fd);
    }
    const [n, ...rest] = this.header.shape;
    this.size = n;
    this.recordValues = rest.reduce((p, d) => p * d, 1);
    this.recordBytes = this.recordValues * this.header.elementBytes;
    this.sampleShape = rest.length === 2 ? [...rest, 1] : rest;
    this.scale = (options.scale ?? this.header.dtype === 'uint8') === true;
    if (this.scale && this.header.dtype !== 'uint8') {
      throw new GankitError('data', `${path}: scale: true needs uint8 data, the file holds ${this.header.dtype}`);
    }
    if (options.labels !== undefined) {
      const lab = readIdxFile(options.labels);
      if (lab.shape.length !== 1 || lab.shape[0] !== n) {
        throw new GankitError('data', `${options.labels}: labels of shape ${formatShape(lab.shape)} do not match ${n} records in ${path}`);
      }
      const checked = checkLabels(this.name, lab.data, n, options.numClasses);
      this.labels = checked.labels;
      this.numClasses = checked.numClasses;
    }
    this.order = new EpochOrder(n, options.shuffle ?? true, this.name);
  }

  /** The current epoch, counted from 0. */
  get epoch(): number {
    return this.order.epoch;
  }

  /** Reads the next `batchSize` records from disk. */
  nextBatch(batchSize: number, random: RandomSource): Batch {
    const indices = this.order.next(batchSize, random);
    if (this.fd === null) {
      try {
        this.fd = fs.openSync(this.path, 'r');
      } catch (e) {
        throw new GankitError('data', `cannot open IDX file ${this.path}: ${(e as Error).message}`);
      }
    }
    const n = indices.length;
    const v = this.recordValues;
    const out = new Float32Array(n * v);
    const buf = Buffer.alloc(this.recordBytes);
    for (let i = 0; i < n; i++) {
      const offset = this.header.dataOffset + indices[i] * this.recordBytes;
      const got = fs.readSync(this.fd, buf, 0, this.recordBytes, offset);
      if (got !== this.recordBytes) {
        throw new GankitError(
          'data',
          `${this.path}: record ${indices[i]} is truncated: expected ${this.recordBytes} bytes at offset ${offset}, got ${got}`,
        );
      }
      if (this.scale) {
        for (let j = 0; j < v; j++) out[i * v + j] = buf[j] * (2 / 255) - 1; // the same arithmetic as scaleToMinusOneOne
      } else {
        out.set(decodeIdxValues(buf, this.header.dtype), i * v);
      }
    }
    const x = tf.tensor(out, [n, ...this.sampleShape], 'float32');
    if (!this.labels) return { x };
    const lab = new Int32Array(n);
    for (let i = 0; i < n; i++) lab[i] = this.labels[indices[i]];
    return { x, labels: tf.tensor1d(lab, 'int32') };
  }

  /** `{epoch, position, seed}`: where the order stands, for checkpoints. */
  state(): EpochState {
    return this.order.state();
  }

  /** Restores a state saved by {@link IdxStream.state}. */
  loadState(state: JsonValue): void {
    this.order.loadState(state);
  }

  /** Closes the file (it is reopened by the next {@link IdxStream.nextBatch}). */
  close(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

/**
 * Streams an uncompressed IDX file from disk for data larger than memory.
 *
 * @example
 * ```ts
 * const stream = idxStream('train-images-idx3-ubyte', { labels: 'train-labels-idx1-ubyte' });
 * const { x } = stream.nextBatch(64, random); // [64, 28, 28, 1] in [-1, 1]
 * stream.close();
 * ```
 */
export function idxStream(path: string, options: IdxStreamOptions = {}): IdxStream {
  return new IdxStream(path, options);
}
