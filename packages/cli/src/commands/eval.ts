import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type JsonValue } from '@gankit/core';
import type { GaussianMixture } from '@gankit/data';
import { evaluatePoints } from '../config';
import { checkOutputFile, writeOutputFile } from '../paths';
import { Progress } from '../progress';
import { loadRun, type RunWeights } from '../run';
import type { CommandResult } from './generate';
import { type CliCommand, parseIntOption } from './flags';
import { checkRunArgs, parseRunArgs, startBackend } from './run-args';

/** Options of {@link evalRun}. */
export interface EvalOptions {
  /** The run directory. */
  readonly run: string;
  /** Samples per evaluation (default: the example's). */
  readonly n?: number | undefined;
  /** Seed of the latent points (default 0). */
  readonly seed?: number | undefined;
  /** Draw progress bars (default true). */
  readonly progress?: boolean | undefined;
}

/**
 * `gankit eval`: scores a run's raw and averaged generators on the same latent points (MNIST
 * FID/IS for digit examples, the digit-feature Fréchet distance for Fashion-MNIST, mode coverage
 * for 2-D examples) and writes `DIR/eval.json`.
 */
export async function evalRun(options: EvalOptions): Promise<CommandResult & { readonly results: { [key: string]: JsonValue } }> {
  const run = await loadRun(options.run);
  try {
    const seed = options.seed ?? 0;
    const which: RunWeights[] = run.hasAveraged ? ['raw', 'averaged'] : ['raw'];
    const results: { [key: string]: JsonValue } = {};
    for (const w of which) {
      run.use(w);
      const key = w === 'averaged' ? 'ema' : 'raw';
      if (run.example.evaluate) {
        results[key] = await run.example.evaluate(run.sampler, { seed, samples: options.n, progress: options.progress, label: key });
      } else if (run.data && Array.isArray((run.data as Partial<GaussianMixture>).modes)) {
        const bar = options.progress === false ? undefined : new Progress({ total: 1, label: `evaluate ${key}` });
        results[key] = evaluatePoints(run.sampler, run.data as GaussianMixture, { seed, samples: options.n });
        bar?.update(1);
        bar?.finish();
      } else {
        throw new GankitError('config', `example '${run.example.name}' has no evaluation`);
      }
    }
    const out = {
      example: run.example.name,
      step: run.step,
      seed,
      generator: run.hasAveraged ? 'ema' : 'raw',
      ...results,
      backend: tf.getBackend(),
    };
    const file = path.join(options.run, 'eval.json');
    writeOutputFile(file, JSON.stringify(out, null, 2) + '\n');
    const line = (r: JsonValue): string => {
      const o = r as Record<string, JsonValue>;
      // An example's own scores (mnist-text2image's FID without IS) print as JSON below.
      if (typeof o.fid === 'number' && o.inceptionScore)
        return `FID ${o.fid.toFixed(2)}, IS ${(o.inceptionScore as { mean: number }).mean.toFixed(2)}`;
      if (typeof o.frechetDistanceDigitFeatures === 'number') return `FD (digit features) ${o.frechetDistanceDigitFeatures.toFixed(2)}`;
      if (typeof o.frechetDistanceFashionFeatures === 'number')
        return `FD (fashion features) ${o.frechetDistanceFashionFeatures.toFixed(2)}`;
      if (typeof o.modesCaptured === 'number')
        return `${o.modesCaptured}/${String(o.numModes)} modes, ${((o.highQualityFraction as number) * 100).toFixed(1)}% high quality`;
      return JSON.stringify(o);
    };
    const summary = `${run.example.name} at step ${run.step}: ${Object.entries(results)
      .map(([k, r]) => `${k} ${line(r)}`)
      .join('; ')} → ${file}`;
    return { files: [file], summary, results: out, weights: run.weights };
  } finally {
    run.dispose();
  }
}

/** `gankit eval --help`. */
export const EVAL_USAGE = `gankit eval — score a trained run

Usage:
  gankit eval --run DIR [options]

Scores the raw generator and its EMA on the same latent points: MNIST FID and IS (the digit
classifier of @gankit/metrics) for digit examples, the Fréchet distance in the Fashion-MNIST
classifier's feature space for Fashion-MNIST, mode coverage for 2-D examples. Writes DIR/eval.json.

Options:
  --run <DIR>        a run directory written by gankit train
  --n <N>            samples per generator (default: the example's, 1000 for images)
  --seed <S>         seed of the latent points (default 0)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu
  --quiet            no progress bar
  -h, --help         this help
`;

/** `gankit eval`: checks its arguments, starts the backend and scores the run (see `evalRun`). */
export async function runEval(args: readonly string[]): Promise<number> {
  const values = parseRunArgs('eval', args, { n: { type: 'string' } });
  if (values.help) {
    process.stdout.write(EVAL_USAGE);
    return 0;
  }
  const n = parseIntOption('n', values.n as string | undefined, 10, 100_000);
  const { run, seed } = checkRunArgs(values);
  checkOutputFile(path.join(run, 'eval.json'), '--run');
  await startBackend(values.backend);
  const r = await evalRun({ run, n, seed, progress: !values.quiet });
  process.stderr.write(`${r.summary}\n`);
  return 0;
}

/** The `eval` command. */
export const evalCommand: CliCommand = {
  name: 'eval',
  synopsis: ['eval --run DIR [--n N]'],
  summary: "score a trained run's raw and EMA generators; writes DIR/eval.json",
  usage: EVAL_USAGE,
  run: runEval,
};
