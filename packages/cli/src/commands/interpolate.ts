import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, interpolateLatents, type InterpolationMode } from '@gankit/core';
import { imageGrid } from '@gankit/report';
import { writeOutputFile } from '../paths';
import { Progress } from '../progress';
import { loadRun } from '../run';
import { type CliCommand, parseIntOption, quoted } from './flags';
import { type CommandResult, drawLatents, generate, weightsNote } from './generate';
import { checkOutArg, checkRunArgs, parseRunArgs, startBackend } from './run-args';

/** Checks that `gankit interpolate` can draw a run: it must generate images. */
export function checkInterpolable(output: 'images' | 'points' | undefined, exampleName: string): void {
  if (output === 'points')
    throw new GankitError('config', `interpolate draws image grids, but example '${exampleName}' generates 2-D points`);
}

/** Options of {@link interpolateRun}. */
export interface InterpolateOptions {
  /** The run directory. */
  readonly run: string;
  /** Output PNG. */
  readonly out: string;
  /** Points per row, both ends included (default 8). */
  readonly steps?: number | undefined;
  /** Rows: random latent pairs (default 8). */
  readonly pairs?: number | undefined;
  /** `'spherical'` (default) or `'linear'`. */
  readonly mode?: InterpolationMode | undefined;
  /** Seed of the latent pairs (default 0). */
  readonly seed?: number | undefined;
  /** Use the raw generator instead of the averaged one. */
  readonly raw?: boolean | undefined;
  /** Draw a progress bar (default true). */
  readonly progress?: boolean | undefined;
}

/**
 * `gankit interpolate`: a grid with one row per random latent pair, walking from one point to the
 * other in `steps` images (`interpolateLatents` from `@gankit/core`); a conditional generator keeps
 * one class per row (row i: class i mod numClasses).
 */
export async function interpolateRun(options: InterpolateOptions): Promise<CommandResult> {
  const steps = options.steps ?? 8;
  const pairs = options.pairs ?? 8;
  const mode = options.mode ?? 'spherical';
  if (!Number.isInteger(steps) || steps < 2 || steps > 64)
    throw new GankitError('config', `--steps must be an integer from 2 to 64, got ${steps}`);
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > 64)
    throw new GankitError('config', `--pairs must be an integer from 1 to 64, got ${pairs}`);
  if (mode !== 'spherical' && mode !== 'linear')
    throw new GankitError('config', `--mode must be 'spherical' or 'linear', got '${String(mode)}'`);
  if (path.extname(options.out).toLowerCase() !== '.png') throw new GankitError('config', `--out must end in .png, got '${options.out}'`);
  const run = await loadRun(options.run, { raw: options.raw });
  try {
    checkInterpolable(run.output, run.example.name);
    const random = new RandomSource(options.seed ?? 0);
    const rows: tf.Tensor[] = [];
    try {
      for (let p = 0; p < pairs; p++) {
        const ab = drawLatents(run, 2, random);
        const [a, b] = tf.unstack(ab);
        rows.push(interpolateLatents(a, b, steps, mode));
        tf.dispose([ab, a, b]);
      }
      const z = tf.concat(rows, 0);
      const labels = run.numClasses
        ? Int32Array.from({ length: pairs * steps }, (_, i) => Math.floor(i / steps) % run.numClasses!)
        : undefined;
      const bar = options.progress === false ? undefined : new Progress({ total: pairs * steps, label: 'interpolate' });
      const x = generate(run, z, labels, bar);
      z.dispose();
      writeOutputFile(options.out, imageGrid(x, { cols: steps, rows: pairs }));
      x.dispose();
    } finally {
      tf.dispose(rows);
    }
    return {
      files: [options.out],
      weights: run.weights,
      summary: `wrote ${pairs} ${mode} interpolations of ${steps} steps (${run.example.name}, step ${run.step}, ${weightsNote(run, options.raw)}) to ${options.out}`,
    };
  } finally {
    run.dispose();
  }
}

/** `gankit interpolate --help`. */
export const INTERPOLATE_USAGE = `gankit interpolate — walk the latent space of a trained run

Usage:
  gankit interpolate --run DIR --out FILE.png [options]

Draws one row per random pair of latent points, from one to the other (conditional examples keep
one class per row).

Options:
  --run <DIR>        a run directory written by gankit train (an image example)
  --out <FILE.png>   the grid image
  --steps <N>        images per row, both ends included (default 8)
  --pairs <N>        rows (default 8)
  --mode <M>         spherical (default; slerp) or linear
  --raw              use the raw generator instead of its EMA
  --seed <S>         seed of the latent pairs (default 0)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu
  --quiet            no progress bar
  -h, --help         this help
`;

/** `gankit interpolate`: checks its arguments, starts the backend and draws the grid (see `interpolateRun`). */
export async function runInterpolate(args: readonly string[]): Promise<number> {
  const values = parseRunArgs('interpolate', args, {
    out: { type: 'string' },
    steps: { type: 'string' },
    pairs: { type: 'string' },
    mode: { type: 'string' },
    raw: { type: 'boolean', default: false },
  });
  if (values.help) {
    process.stdout.write(INTERPOLATE_USAGE);
    return 0;
  }
  const mode = (values.mode as string | undefined) ?? 'spherical';
  if (mode !== 'spherical' && mode !== 'linear')
    throw new GankitError('config', `--mode must be 'spherical' or 'linear', got ${quoted(mode)}`);
  const steps = parseIntOption('steps', values.steps as string | undefined, 2, 64);
  const pairs = parseIntOption('pairs', values.pairs as string | undefined, 1, 64);
  const { run, seed, example } = checkRunArgs(values);
  checkInterpolable(example.output, example.name);
  const out = checkOutArg(values, ['.png']);
  await startBackend(values.backend);
  const r = await interpolateRun({ run, out, steps, pairs, mode, seed, raw: values.raw === true, progress: !values.quiet });
  process.stderr.write(`${r.summary}\n`);
  return 0;
}

/** The `interpolate` command. */
export const interpolateCommand: CliCommand = {
  name: 'interpolate',
  synopsis: ['interpolate --run DIR --out FILE.png [--steps 8] [--mode spherical|linear]'],
  summary: 'draw latent-space interpolations of a trained run',
  usage: INTERPOLATE_USAGE,
  run: runInterpolate,
};
