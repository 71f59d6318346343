import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GankitError, type GanPlugin, type StepLogs, type TrainContext } from '@gankit/core';
import type { ChartSeries } from './chart';
import { writeFileAtomic } from './files';

/**
 * One line of `logs.jsonl`: an iteration's `StepLogs` under short names. `step` counts
 * iterations completed (the first iteration is step 1), the same number the grid files and the
 * TensorBoard events of this package carry. NaN and ±Infinity are written as `null` (JSON has no
 * such numbers) and read back as NaN.
 */
export interface MetricsRecord {
  /** Iterations completed, counting this one. */
  readonly step: number;
  /** Discriminator loss. */
  readonly dLoss: number;
  /** Generator loss. */
  readonly gLoss: number;
  /** Mean D(x) on the real batch. */
  readonly dReal: number;
  /** Mean D(G(z)) on the fake batch. */
  readonly dFake: number;
  /** Plugin loss terms by `plugin/term` name. */
  readonly terms: Readonly<Record<string, number>>;
  /** Metrics added by plugins this iteration (e.g. `fid`). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Wall-clock seconds the iteration took. */
  readonly seconds: number;
}

/** Turns an iteration's `StepLogs` into a {@link MetricsRecord} (step = `logs.step + 1`). */
export function metricsRecord(logs: StepLogs): MetricsRecord {
  return {
    step: logs.step + 1,
    dLoss: logs.discriminatorLoss,
    gLoss: logs.generatorLoss,
    dReal: logs.dReal,
    dFake: logs.dFake,
    terms: { ...logs.terms },
    metrics: { ...logs.metrics },
    seconds: logs.seconds,
  };
}

const NUMBER_FIELDS = ['step', 'dLoss', 'gLoss', 'dReal', 'dFake', 'seconds'] as const;

function numberOrNaN(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}

function numberMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) out[k] = numberOrNaN(x);
  return out;
}

/**
 * Parses the text of a `logs.jsonl` file. Blank lines are skipped; a last line cut short (a run
 * killed mid-write) is dropped; any other line that is not a JSON object throws a `GankitError`
 * naming its line number.
 */
export function parseMetricsLog(text: string): MetricsRecord[] {
  const lines = text.split('\n');
  const records: MetricsRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) return; // an unfinished last line
      throw new GankitError('format', `metrics log line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new GankitError('format', `metrics log line ${i + 1} is not a JSON object`);
    const r = o as Record<string, unknown>;
    const rec: Record<string, unknown> = {};
    for (const f of NUMBER_FIELDS) rec[f] = numberOrNaN(r[f]);
    rec.terms = numberMap(r.terms);
    rec.metrics = numberMap(r.metrics);
    records.push(rec as unknown as MetricsRecord);
  });
  return records;
}

/** Reads and parses a `logs.jsonl` file written by {@link metricsLogger}; see {@link parseMetricsLog}. */
export async function readMetricsLog(file: string): Promise<MetricsRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new GankitError('io', `cannot read metrics log '${file}': ${(e as Error).message}`);
  }
  return parseMetricsLog(text);
}

/** The curves of a run, grouped the way a report charts them. */
export interface RunCurves {
  /** `D loss` and `G loss`. */
  readonly losses: ChartSeries[];
  /** `D(x)` and `D(G(z))`. */
  readonly discriminator: ChartSeries[];
  /** One series per plugin loss term. */
  readonly terms: ChartSeries[];
  /** One series per metric (metrics are often logged only every so many steps). */
  readonly metrics: ChartSeries[];
}

/** Groups records into chart series: losses, discriminator outputs, loss terms and metrics. */
export function curvesFromRecords(records: readonly MetricsRecord[]): RunCurves {
  const pick = (f: (r: MetricsRecord) => number): [number, number][] => records.map((r) => [r.step, f(r)]);
  const keyed = (field: 'terms' | 'metrics'): ChartSeries[] => {
    const m = new Map<string, [number, number][]>();
    for (const r of records) {
      for (const [k, v] of Object.entries(r[field])) {
        let pts = m.get(k);
        if (!pts) m.set(k, (pts = []));
        pts.push([r.step, v]);
      }
    }
    return [...m].map(([name, points]) => ({ name, points }));
  };
  if (records.length === 0) return { losses: [], discriminator: [], terms: [], metrics: [] };
  return {
    losses: [
      { name: 'D loss', points: pick((r) => r.dLoss) },
      { name: 'G loss', points: pick((r) => r.gLoss) },
    ],
    discriminator: [
      { name: 'D(x)', points: pick((r) => r.dReal) },
      { name: 'D(G(z))', points: pick((r) => r.dFake) },
    ],
    terms: keyed('terms'),
    metrics: keyed('metrics'),
  };
}

/** Options of {@link metricsLogger}. */
export interface MetricsLoggerOptions {
  /** The JSONL file, e.g. `runs/mnist/logs.jsonl`; lines are appended, parent folders created. */
  readonly file: string;
  /** Lines buffered before they are appended to the file (default 50); the rest go at `onTrainEnd`. */
  readonly flushEvery?: number | undefined;
  /**
   * Empty the file at setup instead of appending to it. Default false: the file is continued, and
   * at setup the lines past the trainer's step (those written after the checkpoint a resumed run
   * went back to) are dropped, so that every step is in the file once; a fresh trainer (step 0)
   * thus starts it empty too.
   */
  readonly overwrite?: boolean | undefined;
  /** Keep the records in memory for {@link MetricsLogger.curves} (default true). */
  readonly keep?: boolean | undefined;
  /** Plugin name (default `'metrics-logger'`). */
  readonly name?: string | undefined;
  /** Hook order (default 200, after metric plugins have added to `logs.metrics`). */
  readonly order?: number | undefined;
}

/** The plugin {@link metricsLogger} returns. */
export interface MetricsLogger extends GanPlugin {
  /** The JSONL file written. */
  readonly file: string;
  /** Every record of this run so far (empty with `keep: false`). */
  readonly records: readonly MetricsRecord[];
  /** The kept records as chart series. */
  curves(): RunCurves;
  /** Appends the buffered lines to the file now. */
  flush(): Promise<void>;
}

/**
 * Keeps the lines of a metrics log up to `step` (and lines that are not records, but for a last
 * line cut short by a crash), rewriting the file atomically only when something is dropped.
 */
async function cutLogAfter(file: string, step: number): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return writeFile(file, '');
    throw e;
  }
  const lines = text.split('\n');
  const tail = lines.pop(); // '' when the file ends with a newline; otherwise a line cut short
  const kept = lines.filter((line) => {
    try {
      const r = JSON.parse(line) as { step?: unknown };
      return !(typeof r?.step === 'number' && r.step > step);
    } catch {
      return true;
    }
  });
  if (kept.length === lines.length && !tail) return;
  await writeFileAtomic(file, kept.map((l) => `${l}\n`).join(''));
}

/**
 * A plugin that writes one JSON line per iteration to a `logs.jsonl` file:
 * `{"step":1,"dLoss":..,"gLoss":..,"dReal":..,"dFake":..,"terms":{..},"metrics":{..},"seconds":..}`.
 * Lines are buffered and appended every `flushEvery` lines and when training ends, so a crash
 * loses at most the unflushed lines; every flushed line is whole. It runs at order 200 so that
 * metrics added by earlier plugins in the same `onStepEnd` are in the line. A resumed run continues
 * the file from the step it resumed at (lines after that step are dropped at setup), so the file
 * holds each step once; call {@link MetricsLogger.flush} before saving a checkpoint so that it
 * holds every step up to it.
 *
 * @example
 * ```ts
 * const logger = metricsLogger({ file: 'runs/mnist/logs.jsonl' });
 * const trainer = new Trainer({ ..., plugins: [logger] });
 * await trainer.fit({ steps: 1000 });
 * writeFileSync('losses.svg', lineChartSvg(logger.curves().losses, { title: 'Losses' }));
 * ```
 */
export function metricsLogger(options: MetricsLoggerOptions): MetricsLogger {
  const { file } = options;
  if (typeof file !== 'string' || file.length === 0) throw new GankitError('config', 'metricsLogger needs a `file` path');
  const flushEvery = options.flushEvery ?? 50;
  if (!Number.isInteger(flushEvery) || flushEvery < 1) {
    throw new GankitError('config', `metricsLogger: flushEvery must be a positive integer, got ${flushEvery}`);
  }
  const keep = options.keep ?? true;
  const records: MetricsRecord[] = [];
  let buffer: string[] = [];
  let ready: Promise<void> | undefined;
  let writing: Promise<void> = Promise.resolve();

  /** Creates the file at once (empty, or continued up to `step`) so readers find it from the start. */
  const prepare = (step?: number): Promise<void> =>
    (ready ??= (async () => {
      await mkdir(dirname(file), { recursive: true });
      if (options.overwrite) await writeFile(file, '');
      else if (step !== undefined) await cutLogAfter(file, step);
      else await appendFile(file, '');
    })());

  const flush = (): Promise<void> => {
    const lines = buffer;
    buffer = [];
    // Chained, so lines land in order even if flushes overlap.
    writing = writing.then(async () => {
      await prepare();
      if (lines.length > 0) await appendFile(file, lines.join(''));
    });
    return writing;
  };

  return {
    name: options.name ?? 'metrics-logger',
    order: options.order ?? 200,
    file,
    records,
    curves: () => curvesFromRecords(records),
    flush,
    async setup(ctx: TrainContext) {
      await prepare(ctx.step);
    },
    async onStepEnd(_ctx: TrainContext, logs: StepLogs) {
      const rec = metricsRecord(logs);
      if (keep) records.push(rec);
      buffer.push(`${JSON.stringify(rec)}\n`);
      if (buffer.length >= flushEvery) await flush();
    },
    async onTrainEnd() {
      await flush();
    },
  };
}
