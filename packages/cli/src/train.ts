import fs from 'node:fs';
import { Trainer } from '@gankit/trainer';
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
}

/** Trains an example end to end: setup, training with a progress bar, evaluation and outputs. */
export async function runTraining(example: Example, options: RunOptions): Promise<RunResult> {
  const seed = options.seed ?? 0;
  const steps = options.steps ?? example.defaults.steps;
  const batchSize = options.batchSize ?? example.defaults.batchSize;
  fs.mkdirSync(options.out, { recursive: true });
  const setup = example.setup({ seed, batchSize });
  const trainer = new Trainer({ ...setup, batchSize, seed });
  const progress = options.progress === false ? undefined : new Progress({ total: steps, label: `train ${example.name}` });
  try {
    const fit = await trainer.fit({
      steps,
      onStep: (l) =>
        progress?.update(l.step + 1, `D ${l.discriminatorLoss.toFixed(3)} G ${l.generatorLoss.toFixed(3)} D(x) ${l.dReal.toFixed(2)} D(G(z)) ${l.dFake.toFixed(2)}`),
    });
    progress?.finish();
    const outputs = await example.finish(trainer, { out: options.out, seed, steps: fit.steps, seconds: fit.seconds, backend: options.backend, batchSize });
    return { files: outputs.files, summary: outputs.summary, steps: fit.steps, seconds: fit.seconds };
  } finally {
    trainer.dispose();
    setup.generator.dispose();
    setup.discriminator.dispose();
  }
}
