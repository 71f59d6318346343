import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, interpolateLatents, type InterpolationMode, type JsonValue } from '@gankit/core';
import type { GaussianMixture } from '@gankit/data';
import { imageGrid } from '@gankit/report';
import { evaluatePoints } from './config';
import { rowPerClassLabels } from './images';
import { writeOutputFile } from './paths';
import { Progress } from './progress';
import { loadRun, type LoadedRun, type RunWeights } from './run';
import { scatterPng } from './scatter';

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
  /** Draw a progress bar (default true). */
  readonly progress?: boolean | undefined;
}

/** What a command reports: files written and a one-line summary. */
export interface CommandResult {
  /** Files written. */
  readonly files: string[];
  /** A line for the terminal. */
  readonly summary: string;
  /** Which weights were used. */
  readonly weights: RunWeights;
}

function weightsNote(run: LoadedRun, raw: boolean | undefined): string {
  if (raw) return 'raw generator';
  return run.hasAveraged ? 'averaged (EMA) generator' : 'raw generator (the run saved no averaged weights)';
}

/** Generates `n` outputs in batches of 100 (labels `i mod numClasses` for a conditional generator). */
function generate(run: LoadedRun, z: tf.Tensor, labels: Int32Array | undefined, progress: Progress | undefined): tf.Tensor {
  const n = z.shape[0];
  const parts: tf.Tensor[] = [];
  try {
    for (let i = 0; i < n; i += 100) {
      const b = Math.min(100, n - i);
      parts.push(
        tf.tidy(() => {
          const zb = tf.slice(z, i, b);
          return run.sampler.sample(zb, labels ? tf.tensor1d(labels.subarray(i, i + b), 'int32') : undefined);
        }),
      );
      progress?.update(i + b);
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  } finally {
    if (parts.length > 1) tf.dispose(parts);
    progress?.finish();
  }
}

/** Checks `gankit sample --out` against what the run generates: `.png` for images, `.csv` or `.png` for 2-D points. */
export function checkSampleOut(out: string, output: 'images' | 'points' | undefined, exampleName: string): void {
  const ext = path.extname(out).toLowerCase();
  if (output === 'images' && ext !== '.png')
    throw new GankitError('config', `--out must end in .png for image example '${exampleName}', got '${out}'`);
  if (output === 'points' && ext !== '.png' && ext !== '.csv')
    throw new GankitError('config', `--out must end in .csv or .png for 2-D example '${exampleName}', got '${out}'`);
}

/** Checks that `gankit interpolate` can draw a run: it must generate images. */
export function checkInterpolable(output: 'images' | 'points' | undefined, exampleName: string): void {
  if (output === 'points')
    throw new GankitError('config', `interpolate draws image grids, but example '${exampleName}' generates 2-D points`);
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
    const z = new RandomSource(seed).normal([n, ...run.generator.inputShape]);
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
      summary: `wrote ${n} samples of ${run.example.name} (step ${run.step}, ${weightsNote(run, options.raw)}) to ${options.out}`,
    };
  } finally {
    run.dispose();
  }
}

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
      if (typeof o.fid === 'number') return `FID ${o.fid.toFixed(2)}, IS ${(o.inceptionScore as { mean: number }).mean.toFixed(2)}`;
      if (typeof o.frechetDistanceDigitFeatures === 'number') return `FD (digit features) ${o.frechetDistanceDigitFeatures.toFixed(2)}`;
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
    const latent = run.generator.inputShape;
    const rows: tf.Tensor[] = [];
    try {
      for (let p = 0; p < pairs; p++) {
        const ab = random.normal([2, ...latent]);
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
