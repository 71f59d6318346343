import { mkdir, open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GankitError, type GanPlugin, type StepLogs, type TrainContext } from '@gankit/core';
import { writeFileAtomic } from './files';
import type { RecordedGrid } from './grid-recorder';
import { decodeEvent, encodeEvent, parseEventFile, pngImage, readRecords, tfRecord, type TensorBoardEvent } from './tensorboard-proto';

/** Each record of an event file with its decoded event. */
function readRecordsOf(bytes: Uint8Array): { record: Uint8Array; event: TensorBoardEvent }[] {
  return readRecords(bytes).map((record) => ({ record, event: decodeEvent(record) }));
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
 * first record that carries the file version. Scalars and images are buffered and appended on
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

  /**
   * Queues one event with an image summary for `step`: PNG bytes, whose size and colour space are
   * read from their header (TensorBoard's Images tab shows them by tag, with a step slider).
   */
  addImage(step: number, tag: string, png: Uint8Array, wallTime = Date.now() / 1000): void {
    if (this.closed) throw new GankitError('state', `event file '${this.path}' is closed`);
    this.buffer.push(tfRecord(encodeEvent({ wallTime, step, images: { [tag]: pngImage(png) } })));
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

/** Whether a file name is a TensorBoard event file's (`events.out.tfevents.…`). */
function isEventFile(name: string): boolean {
  return name.startsWith('events.out.tfevents.');
}

/** The event files in `dir`, oldest name first (none when it does not exist). */
export async function eventFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new GankitError('io', `cannot list TensorBoard folder '${dir}': ${(e as Error).message}`);
  }
  return names
    .filter(isEventFile)
    .sort()
    .map((n) => join(dir, n));
}

/**
 * Reads and decodes an event file (see `parseEventFile`): every event in it, the version record
 * first. A last record cut short is left out; damage elsewhere is a `GankitError`.
 */
export async function readEvents(file: string): Promise<TensorBoardEvent[]> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    throw new GankitError('io', `cannot read TensorBoard event file '${file}': ${(e as Error).message}`);
  }
  return parseEventFile(bytes);
}

/**
 * Drops the events after `step` from the event files in `dir` (and a last record cut short),
 * rewriting a file atomically only when something goes, so that a run resumed from the checkpoint
 * of `step` does not show the steps it trains again twice. Returns how many events were dropped.
 */
export async function cutEventsAfter(dir: string, step: number): Promise<number> {
  let dropped = 0;
  for (const file of await eventFiles(dir)) {
    const bytes = new Uint8Array(await readFile(file));
    const records = readRecordsOf(bytes);
    const kept = records.filter((r) => r.event.fileVersion !== undefined || r.event.step <= step);
    const whole = records.reduce((n, r) => n + r.record.length + 16, 0);
    if (kept.length === records.length && whole === bytes.length) continue;
    dropped += records.length - kept.length;
    await writeFileAtomic(file, concat(kept.map((r) => tfRecord(r.record))));
  }
  return dropped;
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
  /**
   * A grid recorder (`gridRecorder`, or anything that lists the grid files it wrote): each grid it
   * writes after this plugin's setup becomes an image summary (tag {@link TensorBoardWriterOptions.gridTag})
   * at its step, read from its PNG. Give this plugin a higher `order` than the recorder's, so that
   * it sees a grid in the same `onStepEnd` (and `onTrainEnd`) the grid is drawn in.
   */
  readonly grids?: { readonly written: readonly RecordedGrid[] } | undefined;
  /** The tag of the grids' image summaries (default `'samples/grid'`). */
  readonly gridTag?: string | undefined;
  /**
   * The run goes on from a checkpoint: at setup, the events after the trainer's step are dropped
   * from the event files already in `dir` ({@link cutEventsAfter}), so that the steps trained again
   * are in the folder once. Default false: earlier files are left as they are.
   */
  readonly resume?: boolean | undefined;
  /**
   * Leave the event file open (flushed) when training ends, for images added after it with
   * {@link TensorBoardWriter.addImage}; then call {@link TensorBoardWriter.close}. Default false:
   * closed at `onTrainEnd`.
   */
  readonly keepOpen?: boolean | undefined;
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
  /** Writes an image summary of PNG bytes for `step` now (opening the event file if need be). */
  addImage(step: number, tag: string, png: Uint8Array): Promise<void>;
  /** Flushes and closes the event file (a later event opens a new one). */
  close(): Promise<void>;
}

/**
 * A plugin that writes TensorBoard scalars every iteration: `loss/discriminator`,
 * `loss/generator`, `discriminator/real`, `discriminator/fake`, `terms/<plugin>/<term>`,
 * `metrics/<name>` and `time/seconds_per_step`, at step = iterations completed; with `grids`, the
 * sample grids as images. The event file is created at `setup`, appended every `flushEvery` events
 * and closed when training ends (or, with `keepOpen`, at `close()`).
 *
 * @example
 * ```ts
 * const grids = gridRecorder({ every: 500, dir: 'runs/mnist' });
 * const tb = tensorboardWriter({ dir: 'runs/mnist', grids, order: 300 });
 * // ... plugins: [grids, tb] ... then: tensorboard --logdir runs
 * ```
 */
export function tensorboardWriter(options: TensorBoardWriterOptions): TensorBoardWriter {
  if (typeof options.dir !== 'string' || options.dir.length === 0) throw new GankitError('config', 'tensorboardWriter needs a `dir`');
  const flushEvery = options.flushEvery ?? 20;
  if (!Number.isInteger(flushEvery) || flushEvery < 1) {
    throw new GankitError('config', `tensorboardWriter: flushEvery must be a positive integer, got ${flushEvery}`);
  }
  const gridTag = options.gridTag ?? 'samples/grid';
  let writer: EventFileWriter | undefined;
  let opening: Promise<EventFileWriter> | undefined;
  /** Grids of the recorder already passed on (or passed over: those before a resumed run's step). */
  let gridsSeen = 0;
  const get = (): Promise<EventFileWriter> => (opening ??= EventFileWriter.create(options.dir).then((w) => (writer = w)));
  const addNewGrids = async (w: EventFileWriter): Promise<void> => {
    const written = options.grids?.written ?? [];
    while (gridsSeen < written.length) {
      const grid = written[gridsSeen++];
      w.addImage(grid.step, gridTag, new Uint8Array(await readFile(grid.file)));
    }
  };
  const close = async (): Promise<void> => {
    if (!opening) return;
    const w = await opening;
    opening = undefined;
    await w.close();
  };
  return {
    name: options.name ?? 'tensorboard',
    order: options.order ?? 200,
    get path() {
      return writer?.path;
    },
    async flush() {
      if (writer) await writer.flush();
    },
    async addImage(step: number, tag: string, png: Uint8Array) {
      const w = await get();
      w.addImage(step, tag, png);
      await w.flush();
    },
    close,
    async setup(ctx: TrainContext) {
      if (options.resume) await cutEventsAfter(options.dir, ctx.step);
      // A resumed recorder lists the grids of the run so far: those up to the step are in the folder already.
      gridsSeen = ctx.step > 0 ? (options.grids?.written ?? []).filter((g) => g.step <= ctx.step).length : 0;
      await get();
    },
    async onStepEnd(_ctx: TrainContext, logs: StepLogs) {
      const w = await get();
      w.addScalars(logs.step + 1, scalarsFromLogs(logs));
      await addNewGrids(w);
      if (w.pending >= flushEvery) await w.flush();
    },
    async onTrainEnd() {
      // Closed at the end of training (a later fit() on the same plugin starts a new file), unless kept open.
      if (!opening) return;
      await addNewGrids(await opening);
      if (options.keepOpen) await (await opening).flush();
      else await close();
    },
    dispose() {
      // Training that ends without onTrainEnd (or a writer kept open): flush and close in the background.
      if (opening) void opening.then((w) => w.close()).catch(() => undefined);
      opening = undefined;
    },
  };
}
