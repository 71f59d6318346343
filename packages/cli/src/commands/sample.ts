import path from 'node:path';
import { GankitError, RandomSource } from '@gankit/core';
import { imageGrid } from '@gankit/report';
import { rowPerClassLabels } from '../images';
import { writeOutputFile } from '../paths';
import { Progress } from '../progress';
import { loadRun } from '../run';
import { scatterPng } from '../scatter';
import { type CliCommand, parseIntOption, quoted } from './flags';
import { type CommandResult, drawLatents, generate, truncationRefused, weightsNote } from './generate';
import { checkOutArg, checkRunArgs, parseRunArgs, startBackend } from './run-args';

/** Options of {@link sampleRun}. */
export interface SampleOptions {
  /** The run directory. */
  readonly run: string;
  /** Output file: `.png` (a grid for images, a scatter plot for 2-D points) or `.csv` (2-D points). */
  readonly out: string;
  /** Number of samples (default 64 for images, 2500 for points). */
  readonly n?: number | undefined;
  /** Sample the raw generator instead of the averaged (EMA) one. */
  readonly raw?: boolean | undefined;
  /** Seed of the latent points (default 0). */
  readonly seed?: number | undefined;
  /** The truncation trick: latent entries beyond ±ψ are redrawn (`truncatedNormal` of `@gankit/core`); default none. */
  readonly truncation?: number | undefined;
  /** Draw a progress bar (default true). */
  readonly progress?: boolean | undefined;
}

/** Checks `gankit sample --out` against what the run generates: `.png` for images, `.csv` or `.png` for 2-D points. */
export function checkSampleOut(out: string, output: 'images' | 'points' | undefined, exampleName: string): void {
  const ext = path.extname(out).toLowerCase();
  if (output === 'images' && ext !== '.png')
    throw new GankitError('config', `--out must end in .png for image example '${exampleName}', got '${out}'`);
  if (output === 'points' && ext !== '.png' && ext !== '.csv')
    throw new GankitError('config', `--out must end in .csv or .png for 2-D example '${exampleName}', got '${out}'`);
}

/**
 * `gankit sample`: loads a run (EMA weights by default) and writes samples: a PNG grid for image
 * examples (a row per class for conditional ones), a CSV (`x,y`) or scatter PNG for 2-D examples.
 */
export async function sampleRun(options: SampleOptions): Promise<CommandResult> {
  const run = await loadRun(options.run, { raw: options.raw });
  try {
    checkSampleOut(options.out, run.output, run.example.name);
    const ext = path.extname(options.out).toLowerCase();
    const n = options.n ?? (run.output === 'images' ? (run.numClasses ? run.numClasses * 8 : 64) : 2500);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new GankitError('config', `--n must be an integer from 1 to 100000, got ${n}`);
    const seed = options.seed ?? 0;
    const perClass = run.numClasses ? Math.ceil(n / run.numClasses) : 0;
    const labels = run.numClasses ? rowPerClassLabels(run.numClasses, perClass).subarray(0, n) : undefined;
    const z = drawLatents(run, n, new RandomSource(seed), options.truncation);
    const bar = options.progress === false || n <= 100 ? undefined : new Progress({ total: n, label: 'sample' });
    const x = generate(run, z, labels, bar);
    z.dispose();
    try {
      if (run.output === 'images') {
        writeOutputFile(options.out, imageGrid(x, labels ? { labelsPerRow: labels } : { cols: Math.min(n, Math.ceil(Math.sqrt(n))) }));
      } else {
        const points = x.arraySync() as number[][];
        if (ext === '.csv')
          writeOutputFile(options.out, ['x,y', ...points.map((p) => p.map((v) => Number(v.toPrecision(7))).join(','))].join('\n') + '\n');
        else writeOutputFile(options.out, scatterPng([{ points, color: [220, 60, 30], size: 2, alpha: 0.7 }]));
      }
    } finally {
      x.dispose();
    }
    return {
      files: [options.out],
      weights: run.weights,
      summary: `wrote ${n} samples of ${run.example.name} (step ${run.step}, ${weightsNote(run, options.raw)}${options.truncation === undefined ? '' : `, truncated at ψ ${options.truncation}`}) to ${options.out}`,
    };
  } finally {
    run.dispose();
  }
}

/** `gankit sample --help`. */
export const SAMPLE_USAGE = `gankit sample — write samples of a trained run

Usage:
  gankit sample --run DIR --out FILE [options]

Options:
  --run <DIR>        a run directory written by gankit train (needs DIR/config.json and DIR/final/)
  --out <FILE>       .png: a grid of images (a row per class for conditional examples) or a scatter
                     plot of 2-D points; .csv: 2-D points, header x,y
  --n <N>            number of samples (default 64 images, 80 for 10 classes, 2500 points)
  --raw              sample the raw generator instead of its EMA
  --seed <S>         seed of the latent points (default 0)
  --truncation <ψ>   the truncation trick (BigGAN): redraw latent entries beyond ±ψ, a number > 0;
                     refused for examples with a latent distribution of their own (InfoGAN);
                     smaller ψ, samples nearer the mode (default: none)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu
  --quiet            no progress bar
  -h, --help         this help
`;

/** `--truncation`: a decimal number ψ > 0, or undefined. */
function parseTruncation(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const psi = /^[0-9]*\.?[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!(psi > 0 && psi <= 100))
    throw new GankitError('config', `--truncation must be a number ψ from 0 (exclusive) to 100, got ${quoted(value)}`);
  return psi;
}

/** `gankit sample`: checks its arguments, starts the backend and writes the samples (see `sampleRun`). */
export async function runSample(args: readonly string[]): Promise<number> {
  const values = parseRunArgs('sample', args, {
    out: { type: 'string' },
    n: { type: 'string' },
    raw: { type: 'boolean', default: false },
    truncation: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(SAMPLE_USAGE);
    return 0;
  }
  const n = parseIntOption('n', values.n as string | undefined, 1, 100_000);
  const truncation = parseTruncation(values.truncation as string | undefined);
  const { run, seed, example } = checkRunArgs(values);
  const out = checkOutArg(values, ['.png', '.csv']);
  checkSampleOut(out, example.output, example.name);
  if (truncation !== undefined && example.latent !== undefined) throw truncationRefused(example.name);
  await startBackend(values.backend);
  const r = await sampleRun({ run, out, n, seed, truncation, raw: values.raw === true, progress: !values.quiet });
  process.stderr.write(`${r.summary}\n`);
  return 0;
}

/** The `sample` command. */
export const sampleCommand: CliCommand = {
  name: 'sample',
  synopsis: ['sample --run DIR --out FILE [--n N] [--raw] [--truncation ψ]'],
  summary: 'write samples of a trained run (EMA weights by default)',
  usage: SAMPLE_USAGE,
  run: runSample,
};
