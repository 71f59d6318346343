import fs from 'node:fs';
import { Trainer } from '@gankit/trainer';
import { resumeLatest, saveCheckpoint, saveFinal } from '@gankit/trainer/node';
import { Progress } from './progress';
import type { Example } from './examples/types';

/** Options of {@link runTraining}. */
export interface RunOptions {
  /** Iterations (default: the example's). */
  readonly steps?: number;
  /** Run seed (default 0). */
  readonly seed?: number;
  /** Examples per batch (default: the example's). */
  readonly batchSize?: number;
  /** Output directory, created if missing. */
  readonly out: string;
  /** Name of the active tfjs backend, recorded in metrics.json. */
  readonly backend: string;
  /** Draw a progress bar on stderr (default true). */
  readonly progress?: boolean;
  /** Write a checkpoint under `out/checkpoints/` every this many iterations (default: none). */
  readonly checkpointEvery?: number;
  /** How many checkpoints to keep (default 3). */
  readonly keep?: number;
  /** Go on from the newest good checkpoint in `out`, or start afresh (and say so) when there is none. */
  readonly resume?: boolean;
  /** Where to report what happens (default: stderr). */
  readonly log?: (line: string) => void;
  /** Iterations between sample grids, for examples that draw them (default: the example's). */
  readonly gridEvery?: number;
  /** Samples the final evaluation uses, for examples that score samples (default: the example's). */
  readonly evalSamples?: number;
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
  fs.mkdirSync(options.out, { recursive: true });
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const setup = example.setup({ seed, batchSize, out: options.out, resume: options.resume, gridEvery: options.gridEvery });
  const trainer = new Trainer({ ...setup, batchSize, seed });
  try {
    let resumedFrom = 0;
    if (options.resume) {
      const r = await resumeLatest(options.out, trainer);
      if (r) {
        resumedFrom = r.step;
        for (const s of r.skipped) log(`skipped damaged checkpoint ${s.path}: ${s.reason}`);
        log(`resumed from ${r.path} (step ${r.step})`);
      } else {
        log(`no checkpoint in ${options.out}; starting afresh`);
      }
    }
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
          ...(example.config !== undefined ? { config: example.config } : {}),
        },
        null,
        2,
      ) + '\n',
    );
    const remaining = Math.max(0, steps - trainer.iteration);
    const progress = options.progress === false ? undefined : new Progress({ total: steps, label: `train ${example.name}` });
    const every = options.checkpointEvery;
    let fit;
    try {
      fit = await trainer.fit({
        steps: remaining,
        onStep: async (l) => {
          progress?.update(l.step + 1, `D ${l.discriminatorLoss.toFixed(3)} G ${l.generatorLoss.toFixed(3)} D(x) ${l.dReal.toFixed(2)} D(G(z)) ${l.dFake.toFixed(2)}`);
          if (every && (l.step + 1) % every === 0) await saveCheckpoint(options.out, trainer, { keep: options.keep });
        },
      });
    } finally {
      progress?.finish();
    }
    if (fit.stopReason) log(`training stopped early: ${fit.stopReason}`);
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
