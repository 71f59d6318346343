// What every `gankit train` loop does with its run directory while it trains (the Trainer's loop in
// runTraining and cyclegan-digits' own): resume, checkpoints at a cadence, NaN faults, the end.
import fs from 'node:fs';
import path from 'node:path';
import { GankitError, type GanPlugin } from '@gankit/core';
import { listCheckpoints, resumeLatest, saveCheckpoint, type CheckpointableTrainer } from '@gankit/trainer/node';
import type { OnNan } from './run-dir';

/** Seconds of training between two checkpoints when no `--checkpoint-every` is given. */
export const DEFAULT_CHECKPOINT_SECONDS = 60;

/** The `--on-nan` policies. */
export const ON_NAN: readonly OnNan[] = ['stop', 'skip', 'off'];

/** Checks an `--on-nan` value (or the config's `onNan`). */
export function parseOnNan(value: string | undefined, what = '--on-nan'): OnNan | undefined {
  if (value === undefined) return undefined;
  if (!(ON_NAN as readonly string[]).includes(value))
    throw new GankitError('config', `${what} must be one of ${ON_NAN.join(', ')}, got '${value}'`);
  return value as OnNan;
}

/**
 * Resumes `trainer` from the newest good checkpoint in `out`. Damaged ones passed over are
 * reported once each (by the primary replica); with checkpoints present but none usable it
 * refuses (`GankitError`, code `'checkpoint'`) rather than start afresh. Returns the step it goes
 * on from (0 when there is no checkpoint at all).
 */
export async function resumeRun(
  out: string,
  trainer: CheckpointableTrainer,
  options: { log: (line: string) => void; primary?: boolean | undefined; skipUnknownPlugins?: boolean | undefined },
): Promise<number> {
  const { log } = options;
  const primary = options.primary ?? true;
  const r = await resumeLatest(out, trainer, {
    skipUnknownPlugins: options.skipUnknownPlugins ?? false,
    onSkip: (s) => primary && log(`skipped damaged checkpoint ${s.path}: ${s.reason}`),
  });
  if (r) {
    if (primary && r.formatVersion < 2)
      log(`note: ${r.path} was written by an older gankit: its model.json has no checksum of its own (its weights do)`);
    log(`resumed from ${r.path} (step ${r.step})`);
    return r.step;
  }
  const all = await listCheckpoints(out);
  if (all.length > 0) {
    throw new GankitError(
      'checkpoint',
      `cannot resume ${out}: every checkpoint is damaged (${all.map((c) => path.basename(c.path)).join(', ')}; the reasons are above), so there is nothing to go on from; to train this run again from step 0, run without --resume and with --overwrite`,
    );
  }
  log(`no checkpoint in ${out}; starting afresh`);
  return 0;
}

/** Plugins that buffer what they write (the metrics logger): flushed before each checkpoint. */
function flushers(plugins: readonly GanPlugin[]): (() => Promise<void>)[] {
  return plugins.flatMap((p) => {
    const f = (p as { flush?: unknown }).flush;
    return typeof f === 'function' ? [() => (f as () => Promise<void>).call(p)] : [];
  });
}

/** How often {@link RunCheckpoints} saves. */
export interface CheckpointCadence {
  /** Every this many iterations; 0: never; undefined: every {@link DEFAULT_CHECKPOINT_SECONDS} of training. */
  readonly every?: number | undefined;
  /** Checkpoints kept (default 3). */
  readonly keep?: number | undefined;
  /** Seconds between checkpoints when `every` is undefined (default {@link DEFAULT_CHECKPOINT_SECONDS}). */
  readonly seconds?: number | undefined;
}

/**
 * A run's checkpoints: saved every `every` iterations, or by default about every minute of
 * training, and at the last step (with a step cadence, or once a timed one has saved any), after
 * flushing the plugins' logs so that the log holds every step up to the checkpoint. A state that
 * went non-finite is not saved (`saveCheckpoint` refuses it): {@link RunCheckpoints.save} returns
 * the reason instead, so the loop stops with the checkpoints kept all finite.
 */
export class RunCheckpoints {
  private lastTime = Date.now();
  private saved = 0;
  /** The step of the newest checkpoint this run wrote (undefined before the first). */
  lastStep: number | undefined;
  /** When false (the primary replica writes; `--checkpoint-every 0`), nothing is saved. */
  readonly enabled: boolean;

  /** @param out - the run directory; trainer - what to save; plugins - whose logs to flush first */
  constructor(
    private readonly out: string,
    private readonly trainer: CheckpointableTrainer,
    private readonly cadence: CheckpointCadence,
    plugins: readonly GanPlugin[],
    enabled = true,
  ) {
    this.enabled = enabled && cadence.every !== 0;
    this.flush = flushers(plugins);
  }

  private readonly flush: (() => Promise<void>)[];

  /** After iteration `step` (1-based count): saves when one is due; returns why not when the state is non-finite. */
  async afterStep(step: number): Promise<string | undefined> {
    if (!this.enabled) return undefined;
    const every = this.cadence.every;
    const due =
      every !== undefined ? step % every === 0 : Date.now() - this.lastTime >= (this.cadence.seconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000;
    return due ? this.save(step) : undefined;
  }

  /** At the end of training at `step`: a last checkpoint, so that `--resume --steps MORE` goes on from there exactly. */
  async atEnd(step: number): Promise<string | undefined> {
    if (!this.enabled || this.lastStep === step || step === 0) return undefined;
    if (this.cadence.every === undefined && this.saved === 0) return undefined;
    return this.save(step);
  }

  /** Saves now; a non-finite state is not written and the reason returned. */
  async save(step: number): Promise<string | undefined> {
    for (const f of this.flush) await f();
    try {
      await saveCheckpoint(this.out, this.trainer, { keep: this.cadence.keep });
    } catch (e) {
      if (e instanceof GankitError && e.code === 'numerical') return e.message;
      throw e;
    }
    this.lastTime = Date.now();
    this.lastStep = step;
    this.saved++;
    return undefined;
  }
}

let lastYield = Date.now();
/**
 * Lets the event loop turn about every 50 ms: a training loop of synchronous tfjs calls never
 * would, and signal handlers (which release the run directory's lock) only run when it does.
 */
export async function yieldNow(): Promise<void> {
  if (Date.now() - lastYield < 50) return;
  await new Promise((resolve) => setImmediate(resolve));
  lastYield = Date.now();
}

/**
 * The one line a run stopped by a numerical fault ends with: what went non-finite where, what was
 * kept, and how to go on.
 */
export function faultLine(out: string, what: string, lastCheckpoint: number | undefined, checkpointsOn: boolean): string {
  const earlier = fs.existsSync(path.join(out, 'final')) ? ` (the earlier final/ in ${out} is left as it was)` : '';
  const kept =
    lastCheckpoint !== undefined
      ? `the newest checkpoint, checkpoints/step-${String(lastCheckpoint).padStart(9, '0')}, holds the last finite state saved`
      : checkpointsOn
        ? 'no checkpoint was written before it'
        : 'checkpoints are off (--checkpoint-every 0), so nothing of it was saved';
  return `${what}. Nothing non-finite was written: ${kept}; final/ and the outputs were not written${earlier}. Lower the learning rate, or go on past it with --resume --on-nan skip`;
}
