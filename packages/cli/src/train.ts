import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { GankitError, networkVariables, type GanPlugin, type Network } from '@gankit/core';
import { tensorboardWriter, type GridRecorder, type TensorBoardWriter } from '@gankit/report';
import { Trainer, type ReplicaOptions } from '@gankit/trainer';
import { listCheckpoints, saveFinal, writeWeights } from '@gankit/trainer/node';
import { Progress } from './progress';
import type { Example } from './examples/types';
import { openRunDirectory, removeGridsAfter, type OnNan, type OpenedRun } from './run-dir';
import { RunCheckpoints, faultLine, resumeRun, yieldNow } from './run-dir-loop';

/** Options of {@link runTraining}. */
export interface RunOptions {
  /** Iterations (default: the example's). */
  readonly steps?: number | undefined;
  /** Run seed (default 0). */
  readonly seed?: number | undefined;
  /** Examples per batch (default: the example's). */
  readonly batchSize?: number | undefined;
  /** Output directory, created if missing. */
  readonly out: string;
  /** Name of the active tfjs backend, recorded in metrics.json. */
  readonly backend: string;
  /** Draw a progress bar on stderr (default true). */
  readonly progress?: boolean | undefined;
  /**
   * Write a checkpoint under `out/checkpoints/` every this many iterations, and at the last one;
   * 0: none. Default: about every minute of training (and at the last iteration once one was
   * written), so that a run longer than a minute can be resumed.
   */
  readonly checkpointEvery?: number | undefined;
  /** How many checkpoints to keep (default 3). */
  readonly keep?: number | undefined;
  /**
   * Go on with the run in `out` from its newest good checkpoint (or start it afresh, and say so,
   * when it has none). Refused when `out` holds another run (another example or config, seed,
   * batch size or worker count: the line names the difference) or every checkpoint is damaged.
   */
  readonly resume?: boolean | undefined;
  /** Where to report what happens (default: stderr). */
  readonly log?: ((line: string) => void) | undefined;
  /** Iterations between sample grids, for examples that draw them (default: the example's). */
  readonly gridEvery?: number | undefined;
  /** Samples the final evaluation uses, for examples that score samples (default: the example's). */
  readonly evalSamples?: number | undefined;
  /**
   * Train as one data-parallel replica (see `ReplicaOptions` in `@gankit/trainer`; `trainInWorkers`
   * sets it). Replica 0 writes every file and returns the result; the others only train.
   */
  readonly replica?: ReplicaOptions | undefined;
  /** Replace a run that `out` already holds (default false: a new run into such a directory is refused). */
  readonly overwrite?: boolean | undefined;
  /**
   * What to do when a loss goes NaN or infinite: `'stop'` (default) in the last good state,
   * `'skip'` the iteration, or `'off'` (no check per iteration). Whatever it is, no checkpoint and
   * no `final/` holding NaN or infinity is written.
   */
  readonly onNan?: 'stop' | 'skip' | 'off' | undefined;
  /** Worker threads the run used, recorded in config.json (default 1). */
  readonly workers?: number | undefined;
  /**
   * Write TensorBoard event files into this folder: the scalars of every iteration, the sample
   * grids of image examples as images at their steps, and the final `samples.png` (the scatter
   * plot of 2-D examples). A resumed run adds a new event file and drops from the earlier ones the
   * steps after its checkpoint. Default: none.
   */
  readonly tensorboard?: string | undefined;
}

/** What {@link runTraining} reports. */
export interface RunResult {
  /** Files written, relative to the output directory. */
  readonly files: string[];
  /** A one-line summary. */
  readonly summary: string;
  /** Iterations trained. */
  readonly steps: number;
  /** Training seconds. */
  readonly seconds: number;
  /** The iteration the run resumed from (0 for a fresh run). */
  readonly resumedFrom: number;
  /**
   * Set when the run went NaN or infinite (`gankit train` then exits 3): one line naming the
   * iteration, the player and the term, and what was kept. `final/` and the outputs are not written.
   */
  readonly fault?: string | undefined;
}

/** The settings of a run as `runTraining` resolves them (defaults filled in). */
function resolve(example: Example, options: RunOptions): { seed: number; steps: number; batchSize: number; onNan: OnNan } {
  return {
    seed: options.seed ?? 0,
    steps: options.steps ?? example.defaults.steps,
    batchSize: options.batchSize ?? example.defaults.batchSize,
    onNan: options.onNan ?? 'stop',
  };
}

/**
 * Opens `options.out` for a run of `example` (see `openRunDirectory`): takes its lock, checks a
 * resume or refuses to overwrite another run, and writes config.json. `runTraining` calls it, and
 * `trainInWorkers` in the main thread (its replicas then do not).
 */
export function openTrainingRun(example: Example, options: RunOptions, log: (line: string) => void): OpenedRun {
  const { seed, steps, batchSize, onNan } = resolve(example, options);
  return openRunDirectory({
    out: options.out,
    identity: { example: example.name, seed, batchSize, workers: options.workers ?? 1, config: example.config },
    resume: options.resume,
    overwrite: options.overwrite,
    tensorboard: options.tensorboard,
    settings: { steps, checkpointEvery: options.checkpointEvery ?? null, backend: options.backend, onNan },
    log,
  });
}

const stderrLine = (line: string) => void process.stderr.write(`${line}\n`);

/**
 * Trains an example end to end: opens the run directory (one writer, one run: see
 * {@link RunOptions.resume} and {@link RunOptions.overwrite}), sets up, trains with a progress bar,
 * checkpoints and the NaN guard, then evaluates and writes the outputs.
 */
export async function runTraining(example: Example, options: RunOptions): Promise<RunResult> {
  const { seed, steps, batchSize, onNan } = resolve(example, options);
  // With replicas, replica 0 is the one that writes files and talks; the others only train.
  const primary = !options.replica || options.replica.index === 0;
  const log = primary ? (options.log ?? stderrLine) : () => undefined;
  // Replicas train inside trainInWorkers, which has opened the directory in the main thread.
  const opened = options.replica ? undefined : openTrainingRun(example, options, log);
  try {
    const result = await trainOpened(example, options, { seed, steps, batchSize, onNan, primary, log });
    opened?.close();
    return result;
  } catch (e) {
    opened?.abandon();
    throw e;
  }
}

async function trainOpened(
  example: Example,
  options: RunOptions,
  run: { seed: number; steps: number; batchSize: number; onNan: OnNan; primary: boolean; log: (line: string) => void },
): Promise<RunResult> {
  const { seed, steps, batchSize, onNan, primary, log } = run;
  const setup = example.setup({
    seed,
    batchSize,
    out: primary ? options.out : undefined,
    resume: options.resume,
    gridEvery: options.gridEvery,
  });
  // Only the replica that writes files writes events; the writer reads logs and grids and draws nothing.
  const tensorboard =
    primary && options.tensorboard !== undefined ? tensorboardPlugin(options.tensorboard, setup.plugins, options) : undefined;
  let trainer: Trainer;
  try {
    // The guard's checks are reads of values every replica shares, so replicas stop together.
    trainer = new Trainer({
      ...setup,
      plugins: tensorboard ? [...setup.plugins, tensorboard] : setup.plugins,
      batchSize,
      seed,
      replica: options.replica,
      ...(onNan === 'off' ? {} : { nanGuard: { action: onNan, checkGradients: true } }),
    });
  } catch (e) {
    setup.generator.dispose();
    setup.discriminator.dispose();
    throw e;
  }
  try {
    let resumedFrom = 0;
    if (options.resume) {
      // Replicas other than 0 lack its file-writing plugins (grids, logs): pass over their state.
      resumedFrom = await resumeRun(options.out, trainer, { log, primary, skipUnknownPlugins: !primary });
      if (primary) removeGridsAfter(options.out, resumedFrom);
    }
    const remaining = Math.max(0, steps - trainer.iteration);
    const progress = options.progress === false || !primary ? undefined : new Progress({ total: steps, label: `train ${example.name}` });
    const checkpoints = new RunCheckpoints(
      options.out,
      trainer,
      { every: options.checkpointEvery, keep: options.keep },
      trainer.plugins,
      primary,
    );
    // A state that went non-finite past the guard (Adam's second moment of a gradient beyond 1e19
    // overflows while the loss and gradients are finite), or with --on-nan off, is not saved. The run
    // then ends without final/: at once, or (off, and replicas, which must stay in step) at the end.
    let nonFinite: string | undefined;
    const stopAtOnce = onNan !== 'off' && !options.replica;
    const note = (why: string | undefined) => {
      if (!why || nonFinite) return;
      nonFinite = why;
      if (stopAtOnce) trainer.trainContext.requestStop('the trainer state went NaN or infinite');
      else
        log(`the trainer state went NaN or infinite (--on-nan ${onNan}): ${why}; training goes on, but nothing non-finite will be saved`);
    };
    let fit: Awaited<ReturnType<typeof trainer.fit>>;
    try {
      fit = await trainer.fit({
        steps: remaining,
        onStep: async (l) => {
          progress?.update(
            l.step + 1,
            `D ${l.discriminatorLoss.toFixed(3)} G ${l.generatorLoss.toFixed(3)} D(x) ${l.dReal.toFixed(2)} D(G(z)) ${l.dFake.toFixed(2)}`,
          );
          if (!nonFinite) note(await checkpoints.afterStep(l.step + 1));
          await yieldNow();
        },
      });
    } finally {
      progress?.finish();
    }
    const skipped = trainer.skippedSteps;
    if (skipped > 0) log(`the NaN guard skipped ${skipped} iteration${skipped === 1 ? '' : 's'} (--on-nan skip)`);
    const ended = (fault: string): Promise<RunResult> =>
      faultResult(options.out, fault, {
        seconds: fit.seconds,
        steps: trainer.iteration,
        resumedFrom,
        checkpointsOn: options.checkpointEvery !== 0,
      });
    if (fit.fault) {
      const f = fit.fault;
      return ended(
        `training stopped at a numerical fault in iteration ${f.iteration} (the ${f.player} update): ${f.detail}; the trainer is back after ${f.iteration - 1} good iterations`,
      );
    }
    if (fit.stopReason && !nonFinite) log(`training stopped early: ${fit.stopReason}`);
    if (!nonFinite) note(await checkpoints.atEnd(trainer.iteration));
    if (!primary)
      return {
        files: [],
        summary: '',
        steps: trainer.iteration,
        seconds: fit.seconds,
        resumedFrom,
        ...(nonFinite ? { fault: nonFinite } : {}),
      };
    if (nonFinite) return ended(`the trainer state went NaN or infinite (--on-nan ${onNan}): ${nonFinite}`);
    try {
      await saveFinal(options.out, trainer);
    } catch (e) {
      if (e instanceof GankitError && e.code === 'numerical')
        return ended(`the trainer state went NaN or infinite (--on-nan ${onNan}): ${e.message}`);
      throw e;
    }
    const outputs = await example.finish(trainer, {
      out: options.out,
      seed,
      steps: trainer.iteration,
      seconds: fit.seconds,
      backend: options.backend,
      batchSize,
      evalSamples: options.evalSamples,
      progress: options.progress,
    });
    if (tensorboard) {
      if (outputs.files.includes('samples.png'))
        await tensorboard.addImage(trainer.iteration, 'samples/final', fs.readFileSync(path.join(options.out, 'samples.png')));
      await tensorboard.close();
    }
    return {
      files: [
        'config.json',
        'final/',
        ...outputs.files,
        ...(options.tensorboard !== undefined ? [folderShown(options.out, options.tensorboard)] : []),
      ],
      summary: outputs.summary,
      steps: trainer.iteration,
      seconds: fit.seconds,
      resumedFrom,
    };
  } finally {
    // Closed above when all went well; after a fault or an error, what was logged is kept.
    await tensorboard?.close().catch(() => undefined);
    trainer.dispose();
    setup.generator.dispose();
    setup.discriminator.dispose();
  }
}

/** A folder as `wrote` lists it: relative to the run directory (`tensorboard/`) when inside it. */
function folderShown(out: string, dir: string): string {
  const rel = path.relative(out, dir);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${rel}/` : dir;
}

/**
 * The `--tensorboard` writer of a run: scalars every iteration and, when the example draws sample
 * grids, each grid as an image; it runs after the other plugins (order 300), so that it sees the
 * grid of its step, and stays open after training for the final samples.
 */
function tensorboardPlugin(dir: string, plugins: readonly GanPlugin[], options: RunOptions): TensorBoardWriter {
  const grids = plugins.find((p) => p.name === 'grid-recorder' && Array.isArray((p as Partial<GridRecorder>).written)) as
    | GridRecorder
    | undefined;
  return tensorboardWriter({ dir, grids, resume: options.resume === true, keepOpen: true, order: 300 });
}

/** The result of a run that went non-finite: one line saying what, and what was kept. */
export async function faultResult(
  out: string,
  what: string,
  run: { seconds: number; steps: number; resumedFrom: number; checkpointsOn: boolean },
): Promise<RunResult> {
  const newest = (await listCheckpoints(out))[0]?.step;
  const line = faultLine(out, what, newest, run.checkpointsOn);
  return {
    files: ['config.json', ...(newest !== undefined ? ['checkpoints/'] : [])],
    summary: line,
    fault: line,
    steps: run.steps,
    seconds: run.seconds,
    resumedFrom: run.resumedFrom,
  };
}

/** What {@link endGameRun} is told about a custom game's finished `fit`. */
export interface GameRunEnd {
  /** The run directory. */
  readonly out: string;
  /** The trainer that ran the game. */
  readonly trainer: Trainer;
  /** What `trainer.fit` returned. */
  readonly fit: Awaited<ReturnType<Trainer['fit']>>;
  /** The run's checkpoints (the last one is written here). */
  readonly checkpoints: RunCheckpoints;
  /** Why the state went non-finite during training, if it did. */
  readonly nonFinite: string | undefined;
  /** The `--on-nan` setting, for the message. */
  readonly onNan: string;
  /** The step the run resumed from (0 for a fresh run). */
  readonly resumedFrom: number;
  /** Whether checkpoints were written at all (`--checkpoint-every` not 0). */
  readonly checkpointsOn: boolean;
  /** The networks whose variables `final/` holds, by role (`generatorAB`, `discriminator`, ...), in this order. */
  readonly roles: { readonly [role: string]: Network };
  /** Where notes go. */
  readonly log: (line: string) => void;
}

/**
 * The end of a custom game's run (CycleGAN, the paired-image examples): a NaN-guard fault or a
 * state that went non-finite becomes the run's fault result (nothing more is written); else the
 * last checkpoint and `final/` (every role's variables as `role/i`) are written and `undefined`
 * is returned, for the example to go on to its evaluation.
 */
export async function endGameRun(end: GameRunEnd): Promise<RunResult | undefined> {
  const { out, trainer: t, fit } = end;
  const ended = (fault: string) =>
    faultResult(out, fault, { seconds: fit.seconds, steps: t.iteration, resumedFrom: end.resumedFrom, checkpointsOn: end.checkpointsOn });
  if (t.skippedSteps > 0) end.log(`the NaN guard skipped ${t.skippedSteps} iteration${t.skippedSteps === 1 ? '' : 's'} (--on-nan skip)`);
  if (fit.fault) {
    const f = fit.fault;
    return ended(
      `training stopped at a numerical fault in iteration ${f.iteration} (the ${f.player} update): ${f.detail}; the trainer is back after ${f.iteration - 1} good iterations`,
    );
  }
  let nonFinite = end.nonFinite || (await end.checkpoints.atEnd(t.iteration));
  const entries: { name: string; tensor: tf.Tensor }[] = [];
  for (const [role, net] of Object.entries(end.roles))
    networkVariables(net).forEach((v, i) => entries.push({ name: `${role}/${i}`, tensor: v }));
  try {
    if (!nonFinite)
      await writeWeights(out, 'final', entries, {
        kind: 'final',
        step: t.iteration,
        networks: Object.fromEntries(
          Object.entries(end.roles).map(([role, net]) => [role, { name: net.name, variables: networkVariables(net).length }]),
        ),
      });
  } catch (e) {
    if (!(e instanceof GankitError && e.code === 'numerical')) throw e;
    nonFinite = e.message;
  }
  return nonFinite ? ended(`the trainer state went NaN or infinite (--on-nan ${end.onNan}): ${nonFinite}`) : undefined;
}
