import fs from 'node:fs';
import { Trainer, type ReplicaOptions } from '@gankit/trainer';
import { resumeLatest, saveCheckpoint, saveFinal } from '@gankit/trainer/node';
import { Progress } from './progress';
import type { Example } from './examples/types';

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
  /** Write a checkpoint under `out/checkpoints/` every this many iterations (default: none). */
  readonly checkpointEvery?: number | undefined;
  /** How many checkpoints to keep (default 3). */
  readonly keep?: number | undefined;
  /** Go on from the newest good checkpoint in `out`, or start afresh (and say so) when there is none. */
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
  /** Worker threads the run used, recorded in config.json (default 1). */
  readonly workers?: number | undefined;
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
}

/** Trains an example end to end: setup, training with a progress bar, evaluation and outputs. */
export async function runTraining(example: Example, options: RunOptions): Promise<RunResult> {
  const seed = options.seed ?? 0;
  const steps = options.steps ?? example.defaults.steps;
  const batchSize = options.batchSize ?? example.defaults.batchSize;
  // With replicas, replica 0 is the one that writes files and talks; the others only train.
  const primary = !options.replica || options.replica.index === 0;
  if (primary) fs.mkdirSync(options.out, { recursive: true });
  const log = primary ? (options.log ?? ((line: string) => process.stderr.write(`${line}\n`))) : () => undefined;
  const setup = example.setup({ seed, batchSize, out: primary ? options.out : undefined, resume: options.resume, gridEvery: options.gridEvery });
  let trainer: Trainer;
  try {
    trainer = new Trainer({ ...setup, batchSize, seed, replica: options.replica });
  } catch (e) {
    setup.generator.dispose();
    setup.discriminator.dispose();
    throw e;
  }
  try {
    let resumedFrom = 0;
    if (options.resume) {
      // Replicas other than 0 lack its file-writing plugins (grids, logs): pass over their state.
      const r = await resumeLatest(options.out, trainer, { skipUnknownPlugins: !primary });
      if (r) {
        resumedFrom = r.step;
        for (const s of r.skipped) log(`skipped damaged checkpoint ${s.path}: ${s.reason}`);
        log(`resumed from ${r.path} (step ${r.step})`);
      } else {
        log(`no checkpoint in ${options.out}; starting afresh`);
      }
    }
    if (primary) {
      fs.writeFileSync(
        `${options.out}/config.json`,
        JSON.stringify(
          {
            example: example.name,
            steps,
            seed,
            batchSize,
            checkpointEvery: options.checkpointEvery ?? null,
            backend: options.backend,
            workers: options.workers ?? 1,
            ...(example.config !== undefined ? { config: example.config } : {}),
          },
          null,
          2,
        ) + '\n',
      );
    }
    const remaining = Math.max(0, steps - trainer.iteration);
    const progress = options.progress === false || !primary ? undefined : new Progress({ total: steps, label: `train ${example.name}` });
    const every = options.checkpointEvery;
    let fit;
    try {
      fit = await trainer.fit({
        steps: remaining,
        onStep: async (l) => {
          progress?.update(l.step + 1, `D ${l.discriminatorLoss.toFixed(3)} G ${l.generatorLoss.toFixed(3)} D(x) ${l.dReal.toFixed(2)} D(G(z)) ${l.dFake.toFixed(2)}`);
          if (primary && every && (l.step + 1) % every === 0) await saveCheckpoint(options.out, trainer, { keep: options.keep });
        },
      });
    } finally {
      progress?.finish();
    }
    if (fit.stopReason) log(`training stopped early: ${fit.stopReason}`);
    if (!primary) return { files: [], summary: '', steps: trainer.iteration, seconds: fit.seconds, resumedFrom };
    await saveFinal(options.out, trainer);
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
    return { files: ['config.json', 'final/', ...outputs.files], summary: outputs.summary, steps: trainer.iteration, seconds: fit.seconds, resumedFrom };
  } finally {
    trainer.dispose();
    setup.generator.dispose();
    setup.discriminator.dispose();
  }
}
