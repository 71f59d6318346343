import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GankitError, type GanPlugin, type StepLogs, type TrainContext } from '@gankit/core';
import { maskedCrc32c } from './crc';

/** What one TensorBoard `Event` record holds (the fields this package writes). */
export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  readonly wallTime: number;
  /** The global step (a non-negative integer). */
  readonly step: number;
  /** Set only on a file's first record: `'brain.Event:2'`. */
  readonly fileVersion?: string | undefined;
  /** Scalar summaries: tag → value (stored as float32). */
  readonly scalars?: Readonly<Record<string, number>> | undefined;
}

class ByteWriter {
  private bytes: number[] = [];
  byte(b: number): void {
    this.bytes.push(b & 0xff);
  }
  /** Unsigned LEB128 varint of a non-negative safe integer. */
  varint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }
  raw(b: Uint8Array): void {
    for (const x of b) this.bytes.push(x);
  }
  lengthDelimited(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.raw(b);
  }
  double(field: number, v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.tag(field, 1);
    this.raw(b);
  }
  float(field: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    this.raw(b);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const utf8 = new TextEncoder();

/**
 * Encodes a TensorBoard `Event` protocol buffer by hand: `wall_time` (field 1, double), `step`
 * (2, int64), `file_version` (3, string), and `summary` (5) holding one `value` (1) per scalar with
 * `tag` (1, string) and `simple_value` (2, float).
 */
export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  const { wallTime, step } = event;
  if (!Number.isFinite(wallTime)) throw new GankitError('value', `encodeEvent: wallTime must be finite, got ${wallTime}`);
  if (!Number.isSafeInteger(step) || step < 0)
    throw new GankitError('value', `encodeEvent: step must be a non-negative integer, got ${step}`);
  const w = new ByteWriter();
  w.double(1, wallTime);
  w.tag(2, 0);
  w.varint(step);
  if (event.fileVersion !== undefined) w.lengthDelimited(3, utf8.encode(event.fileVersion));
  const scalars = Object.entries(event.scalars ?? {});
  if (scalars.length > 0) {
    const summary = new ByteWriter();
    for (const [tag, value] of scalars) {
      if (typeof value !== 'number') throw new GankitError('argument', `encodeEvent: scalar '${tag}' is ${typeof value}, not a number`);
      const v = new ByteWriter();
      v.lengthDelimited(1, utf8.encode(tag));
      v.float(2, value);
      summary.lengthDelimited(1, v.finish());
    }
    w.lengthDelimited(5, summary.finish());
  }
  return w.finish();
}

/**
 * Frames bytes as one TFRecord: length (uint64 little-endian), masked CRC-32C of those 8 bytes,
 * the data, masked CRC-32C of the data (each CRC a uint32 little-endian).
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A TensorBoard event file: `events.out.tfevents.<unix seconds>.<host>` in a folder, opened with a
 * first record that carries the file version. Scalars are buffered and appended on
 * {@link EventFileWriter.flush}. Point TensorBoard at the folder: `tensorboard --logdir runs`.
 */
export class EventFileWriter {
  private buffer: Uint8Array[] = [];
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    /** The event file's path. */
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Creates a new event file in `dir` (created if missing) and writes its version record. If a
   * file of that name exists (two writers in one second), `.1`, `.2`, ... is appended.
   */
  static async create(dir: string, options: { wallTime?: number | undefined } = {}): Promise<EventFileWriter> {
    await mkdir(dir, { recursive: true });
    const wallTime = options.wallTime ?? Date.now() / 1000;
    const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost';
    const base = join(dir, `events.out.tfevents.${Math.floor(wallTime)}.${host}`);
    for (let i = 0; ; i++) {
      const path = i === 0 ? base : `${base}.${i}`;
      let handle: FileHandle;
      try {
        handle = await open(path, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && i < 1000) continue;
        throw new GankitError('io', `cannot create TensorBoard event file '${path}': ${(e as Error).message}`);
      }
      const w = new EventFileWriter(path, handle);
      w.buffer.push(tfRecord(encodeEvent({ wallTime, step: 0, fileVersion: 'brain.Event:2' })));
      await w.flush();
      return w;
    }
  }

  /** Queues one event with scalar summaries for `step` (non-finite values are written as they are). */
  addScalars(step: number, scalars: Readonly<Record<string, number>>, wallTime = Date.now() / 1000): void {
    if (this.closed) throw new GankitError('state', `event file '${this.path}' is closed`);
    this.buffer.push(tfRecord(encodeEvent({ wallTime, step, scalars })));
  }

  /** Records queued and not yet written. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Appends the queued records to the file. */
  flush(): Promise<void> {
    const bytes = concat(this.buffer);
    this.buffer = [];
    this.writing = this.writing.then(async () => {
      if (bytes.length > 0) await this.handle.write(bytes);
    });
    return this.writing;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.handle.close();
  }
}

/** The scalars one iteration gives TensorBoard, by tag. */
export function scalarsFromLogs(logs: StepLogs): Record<string, number> {
  const out: Record<string, number> = {
    'loss/discriminator': logs.discriminatorLoss,
    'loss/generator': logs.generatorLoss,
    'discriminator/real': logs.dReal,
    'discriminator/fake': logs.dFake,
  };
  for (const [k, v] of Object.entries(logs.terms)) out[`terms/${k}`] = v;
  for (const [k, v] of Object.entries(logs.metrics)) out[`metrics/${k}`] = v;
  out['time/seconds_per_step'] = logs.seconds;
  return out;
}

/** Options of {@link tensorboardWriter}. */
export interface TensorBoardWriterOptions {
  /** The folder for the event file (e.g. the run folder); TensorBoard's `--logdir` or a parent of it. */
  readonly dir: string;
  /** Events buffered before they are appended (default 20); the rest go at `onTrainEnd`. */
  readonly flushEvery?: number | undefined;
  /** Plugin name (default `'tensorboard'`). */
  readonly name?: string | undefined;
  /** Hook order (default 200). */
  readonly order?: number | undefined;
}

/** The plugin {@link tensorboardWriter} returns. */
export interface TensorBoardWriter extends GanPlugin {
  /** The event file, once `setup` has run. */
  readonly path: string | undefined;
  /** Appends the queued events now. */
  flush(): Promise<void>;
}

/**
 * A plugin that writes TensorBoard scalars every iteration: `loss/discriminator`,
 * `loss/generator`, `discriminator/real`, `discriminator/fake`, `terms/<plugin>/<term>`,
 * `metrics/<name>` and `time/seconds_per_step`, at step = iterations completed. The event file
 * is created at `setup`, appended every `flushEvery` events and closed when training ends.
 *
 * @example
 * ```ts
 * const tb = tensorboardWriter({ dir: 'runs/mnist' });
 * // ... plugins: [tb] ... then: tensorboard --logdir runs
 * ```
 */
export function tensorboardWriter(options: TensorBoardWriterOptions): TensorBoardWriter {
  if (typeof options.dir !== 'string' || options.dir.length === 0) throw new GankitError('config', 'tensorboardWriter needs a `dir`');
  const flushEvery = options.flushEvery ?? 20;
  if (!Number.isInteger(flushEvery) || flushEvery < 1) {
    throw new GankitError('config', `tensorboardWriter: flushEvery must be a positive integer, got ${flushEvery}`);
  }
  let writer: EventFileWriter | undefined;
  let opening: Promise<EventFileWriter> | undefined;
  const get = (): Promise<EventFileWriter> => (opening ??= EventFileWriter.create(options.dir).then((w) => (writer = w)));
  return {
    name: options.name ?? 'tensorboard',
    order: options.order ?? 200,
    get path() {
      return writer?.path;
    },
    async flush() {
      if (writer) await writer.flush();
    },
    async setup(_ctx: TrainContext) {
      await get();
    },
    async onStepEnd(_ctx: TrainContext, logs: StepLogs) {
      const w = await get();
      w.addScalars(logs.step + 1, scalarsFromLogs(logs));
      if (w.pending >= flushEvery) await w.flush();
    },
    async onTrainEnd() {
      // Closed at the end of training; a later fit() on the same plugin starts a new file.
      if (!opening) return;
      const w = await opening;
      opening = undefined;
      await w.close();
    },
    dispose() {
      // Training that ends without onTrainEnd: flush and close in the background.
      if (opening) void opening.then((w) => w.close()).catch(() => undefined);
      opening = undefined;
    },
  };
}
