import path from 'node:path';
import { parseArgs } from 'node:util';
import { GankitError } from '@gankit/core';
import { initBackend } from '@gankit/backend';
import { CUSTOM_EXAMPLES, EXAMPLES, exampleNames } from './examples/index';
import { availableParallelism } from 'node:os';
import { runTraining } from './train';
import { trainInWorkers, type ExampleSource } from './replica';
import type { CustomExample, Example } from './examples/types';
import { exampleFromConfig, readConfigFile } from './config';
import { evalRun, interpolateRun, sampleRun } from './commands';

const USAGE = `gankit — train and evaluate GANs on TensorFlow.js

Usage:
  gankit train --example <name> [--steps N] [--seed S] [--out DIR] [--backend B]
  gankit train --config FILE.json [--out DIR]
  gankit sample --run DIR --out FILE [--n N] [--raw]
  gankit eval --run DIR [--n N]
  gankit interpolate --run DIR --out FILE.png [--steps 8] [--mode spherical|linear]
  gankit <command> --help

Commands:
  train        train an example (or a JSON config) and write its samples and metrics
  sample       write samples of a trained run (EMA weights by default)
  eval         score a trained run's raw and EMA generators; writes DIR/eval.json
  interpolate  draw latent-space interpolations of a trained run

Backends: tfjs-node-gpu, tfjs-node, wasm (the embedded default), cpu; GANKIT_BACKEND also picks one.
`;

const TRAIN_USAGE = `gankit train — train an example GAN

Usage:
  gankit train --example <name> [options]
  gankit train --config FILE.json [options]

Options:
  --example <name>   which example to train: ${exampleNames().join(', ')}
  --config <FILE>    train what a JSON config describes (data, architecture, loss, regularizers,
                     averaging, metrics, optimizers; see the README); --steps, --seed and
                     --batch-size override its values
  --steps <N>        training iterations (default: the example's)
  --seed <S>         run seed; the same seed repeats the run bit for bit on one backend (default 0)
  --batch-size <N>   examples per batch (default: the example's)
  --out <DIR>        output directory (default out/<example or config name>)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu (default: the fastest available)
  --workers <N|auto> data-parallel worker threads, each training on batch-size/N rows of every
                     batch (default auto: for image examples on wasm or cpu, as many as there are
                     cores, up to 4, that divide the batch; otherwise 1)
  --checkpoint-every <N>  write a checkpoint to DIR/checkpoints/ every N iterations
  --keep <K>         checkpoints to keep, newest first (default 3)
  --resume           go on from the newest good checkpoint in DIR (or start afresh and say so)
  --grid-every <N>   image examples: a sample grid every N iterations (default: the example's)
  --eval-samples <N> image examples: samples for the final FID/IS (default 1000)
  --quiet            no progress bar
  -h, --help         this help

Writes DIR/config.json, DIR/final/ (weights) and DIR/metrics.json; 2-D examples DIR/samples.csv and
DIR/samples.png; image examples DIR/grids/step-*.png, DIR/samples.png (EMA), DIR/samples-raw.png,
DIR/logs.jsonl and DIR/report.html.
`;

const SAMPLE_USAGE = `gankit sample — write samples of a trained run

Usage:
  gankit sample --run DIR --out FILE [options]

Options:
  --run <DIR>        a run directory written by gankit train (needs DIR/config.json and DIR/final/)
  --out <FILE>       .png: a grid of images (a row per class for conditional examples) or a scatter
                     plot of 2-D points; .csv: 2-D points, header x,y
  --n <N>            number of samples (default 64 images, 80 for 10 classes, 2500 points)
  --raw              sample the raw generator instead of its EMA
  --seed <S>         seed of the latent points (default 0)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu
  --quiet            no progress bar
  -h, --help         this help
`;

const EVAL_USAGE = `gankit eval — score a trained run

Usage:
  gankit eval --run DIR [options]

Scores the raw generator and its EMA on the same latent points: MNIST FID and IS (the digit
classifier of @gankit/metrics) for digit examples, the Fréchet distance in that classifier's
feature space for Fashion-MNIST, mode coverage for 2-D examples. Writes DIR/eval.json.

Options:
  --run <DIR>        a run directory written by gankit train
  --n <N>            samples per generator (default: the example's, 1000 for images)
  --seed <S>         seed of the latent points (default 0)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu
  --quiet            no progress bar
  -h, --help         this help
`;

const INTERPOLATE_USAGE = `gankit interpolate — walk the latent space of a trained run

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

function parseIntOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new GankitError('config', `--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** Runs the `gankit` command with the given arguments (without `node` and the script) and returns an exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  try {
    if (command === 'train') return await trainCommand(rest);
    if (command === 'sample') return await sampleCommand(rest);
    if (command === 'eval') return await evalCommand(rest);
    if (command === 'interpolate') return await interpolateCommand(rest);
    process.stderr.write(`gankit: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  } catch (err) {
    const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
    if (err instanceof GankitError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))) {
      process.stderr.write(`gankit ${command}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

async function trainCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      example: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'checkpoint-every': { type: 'string' },
      keep: { type: 'string' },
      resume: { type: 'boolean', default: false },
      config: { type: 'string' },
      'grid-every': { type: 'string' },
      'eval-samples': { type: 'string' },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(TRAIN_USAGE);
    return 0;
  }
  if (values.example && values.config) throw new GankitError('config', 'give either --example or --config, not both');
  if (!values.example && !values.config) throw new GankitError('config', `--example or --config is required; examples: ${exampleNames().join(', ')}`);
  let example: Example | CustomExample;
  let defaultSeed = 0;
  let source: ExampleSource;
  if (values.config) {
    const config = readConfigFile(values.config);
    defaultSeed = config.seed;
    example = exampleFromConfig(config);
    source = { config: path.resolve(values.config) };
  } else {
    source = { example: values.example! };
    example = EXAMPLES[values.example!] ?? CUSTOM_EXAMPLES[values.example!];
    if (!example) throw new GankitError('config', `unknown example '${values.example}'; one of: ${exampleNames().join(', ')}`);
  }
  const gridEvery = parseIntOption('grid-every', values['grid-every'], 1);
  const evalSamples = parseIntOption('eval-samples', values['eval-samples'], 10);
  const requestedWorkers = values.workers === undefined || values.workers === 'auto' ? 'auto' : parseIntOption('workers', values.workers, 1)!;
  const report = await initBackend({ backend: values.backend });
  process.stderr.write(`backend: ${report.backend} (${report.reason})\n`);
  const batchSize = parseIntOption('batch-size', values['batch-size'], 1);
  const workers = chooseWorkers(requestedWorkers, example, report.backend, batchSize ?? example.defaults.batchSize);
  if (workers > 1) process.stderr.write(`workers: ${workers} data-parallel replicas, ${(batchSize ?? example.defaults.batchSize) / workers} examples of each batch apiece\n`);
  const runOptions = {
    steps: parseIntOption('steps', values.steps, 0),
    seed: parseIntOption('seed', values.seed, 0) ?? defaultSeed,
    batchSize,
    out: values.out ?? `out/${example.name}`,
    backend: report.backend,
    progress: !values.quiet,
    checkpointEvery: parseIntOption('checkpoint-every', values['checkpoint-every'], 1),
    keep: parseIntOption('keep', values.keep, 1),
    resume: values.resume,
    gridEvery,
    evalSamples,
  };
  const result =
    isCustomExample(example)
      ? await example.train({ ...runOptions, workers })
      : workers > 1
        ? await trainInWorkers(source, runOptions, workers)
        : await runTraining(example, runOptions);
  process.stderr.write(`${result.summary}\nwrote ${result.files.join(', ')}\n`);
  return 0;
}

function isCustomExample(example: Example | CustomExample): example is CustomExample {
  return typeof (example as Partial<CustomExample>).train === 'function';
}

/** Backends that run one thread per process in Node, where worker threads add cores. */
const SINGLE_THREADED_BACKENDS = ['wasm', 'cpu'];

/**
 * The number of data-parallel workers for `gankit train`: a number is checked against the batch;
 * `'auto'` picks, for image examples on a single-threaded backend, the most workers up to
 * min(cores, 4) that divide the batch (2-D examples train in milliseconds a step, where threads
 * do not pay), and 1 otherwise.
 */
export function chooseWorkers(requested: number | 'auto', example: Example | CustomExample, backend: string, batchSize: number, cores = availableParallelism()): number {
  if (requested !== 'auto') {
    if (batchSize % requested !== 0) throw new GankitError('config', `--workers ${requested} does not divide the batch of ${batchSize}; use a divisor of ${batchSize}`);
    return requested;
  }
  if (isCustomExample(example) || example.output !== 'images' || !SINGLE_THREADED_BACKENDS.includes(backend)) return 1;
  for (let w = Math.min(cores, 4); w > 1; w--) if (batchSize % w === 0) return w;
  return 1;
}

/** Parses a run command's options; `extra` adds command-specific ones. */
function parseRunArgs<T extends Record<string, { type: 'string' | 'boolean'; default?: boolean | undefined }>>(args: readonly string[], extra: T) {
  return parseArgs({
    args: [...args],
    options: {
      run: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...extra,
    },
    strict: true,
    allowPositionals: false,
  }).values as Record<string, string | boolean | undefined>;
}

function requireString(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new GankitError('config', `--${name} is required`);
  return v;
}

async function startBackend(name: string | boolean | undefined): Promise<void> {
  const report = await initBackend({ backend: typeof name === 'string' ? name : undefined });
  process.stderr.write(`backend: ${report.backend} (${report.reason})\n`);
}

async function sampleCommand(args: readonly string[]): Promise<number> {
  const values = parseRunArgs(args, { out: { type: 'string' }, n: { type: 'string' }, raw: { type: 'boolean', default: false } });
  if (values.help) {
    process.stdout.write(SAMPLE_USAGE);
    return 0;
  }
  const run = requireString(values, 'run');
  const out = requireString(values, 'out');
  const n = parseIntOption('n', values.n as string | undefined, 1);
  const seed = parseIntOption('seed', values.seed as string | undefined, 0);
  await startBackend(values.backend);
  const r = await sampleRun({ run, out, n, seed, raw: values.raw === true, progress: !values.quiet });
  process.stderr.write(`${r.summary}\n`);
  return 0;
}

async function evalCommand(args: readonly string[]): Promise<number> {
  const values = parseRunArgs(args, { n: { type: 'string' } });
  if (values.help) {
    process.stdout.write(EVAL_USAGE);
    return 0;
  }
  const run = requireString(values, 'run');
  const n = parseIntOption('n', values.n as string | undefined, 10);
  const seed = parseIntOption('seed', values.seed as string | undefined, 0);
  await startBackend(values.backend);
  const r = await evalRun({ run, n, seed, progress: !values.quiet });
  process.stderr.write(`${r.summary}\n`);
  return 0;
}

async function interpolateCommand(args: readonly string[]): Promise<number> {
  const values = parseRunArgs(args, { out: { type: 'string' }, steps: { type: 'string' }, pairs: { type: 'string' }, mode: { type: 'string' }, raw: { type: 'boolean', default: false } });
  if (values.help) {
    process.stdout.write(INTERPOLATE_USAGE);
    return 0;
  }
  const run = requireString(values, 'run');
  const out = requireString(values, 'out');
  const mode = (values.mode as string | undefined) ?? 'spherical';
  if (mode !== 'spherical' && mode !== 'linear') throw new GankitError('config', `--mode must be 'spherical' or 'linear', got '${mode}'`);
  const steps = parseIntOption('steps', values.steps as string | undefined, 2);
  const pairs = parseIntOption('pairs', values.pairs as string | undefined, 1);
  const seed = parseIntOption('seed', values.seed as string | undefined, 0);
  await startBackend(values.backend);
  const r = await interpolateRun({ run, out, steps, pairs, mode, seed, raw: values.raw === true, progress: !values.quiet });
  process.stderr.write(`${r.summary}\n`);
  return 0;
}
