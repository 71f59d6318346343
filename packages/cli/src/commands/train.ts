import path from 'node:path';
import { availableParallelism } from 'node:os';
import { GankitError, closest } from '@gankit/core';
import { initBackend, parseBackendChoice } from '@gankit/backend';
import {
  MAX_BATCH_SIZE,
  MAX_SEED,
  MAX_STEPS,
  checkConfigData,
  exampleFromConfig,
  readConfigFile,
  resolvedConfig,
  type TrainConfig,
} from '../config';
import { exampleNames, findExample, isCustomExample, isExamplePath, loadExampleFolder } from '../examples/index';
import type { CustomExample, Example } from '../examples/types';
import { checkOutputDir, checkPathArgument } from '../paths';
import { trainInWorkers, type ExampleSource } from '../replica';
import { recordedWorkers } from '../run-dir';
import { parseOnNan } from '../run-dir-loop';
import { checkTrainingFits } from '../sizes';
import { runTraining } from '../train';
import { type CliCommand, parseIntOption, parseOptions, quoted } from './flags';

/** `gankit train --help`. */
export const TRAIN_USAGE = `gankit train — train an example GAN

Usage:
  gankit train --example <name> [options]
  gankit train --config FILE.json [options]

Options:
  --example <name>   which example to train: ${exampleNames().join(', ')};
                     or a folder of your own (a path: ./my-gan), whose example.mjs default-exports
                     the example (see the examples guide)
  --config <FILE>    train what a JSON config describes (data, architecture, loss, regularizers,
                     averaging, metrics, optimizers; see the README); --steps, --seed and
                     --batch-size override its values
  --print-config     with --config: print the configuration with every default filled in (and
                     --steps, --seed, --batch-size, --on-nan, --grid-every, --eval-samples applied)
                     as JSON on stdout, and exit without training
  --steps <N>        training iterations, 1 to 100000000 (default: the example's)
  --seed <S>         run seed, 0 to 2147483647; the same seed repeats the run bit for bit on one
                     backend (default 0)
  --batch-size <N>   examples per batch, 1 to 4096 (default: the example's)
  --out <DIR>        output directory (default out/<example or config name>)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu (default: the fastest available)
  --workers <N|auto> data-parallel worker threads, each training on batch-size/N rows of every
                     batch (default auto: for image examples on wasm or cpu, as many as there are
                     cores, up to 4, that divide the batch; otherwise 1; examples with large dense
                     layers — mnist-dcgan, -cgan, -acgan, -infogan — get 1 worker and, on wasm,
                     a kernel thread per core)
  --threads <N>      wasm: threads inside each kernel, 1 to 8 (default 1), with tfjs's threaded
                     SIMD build; the same numbers as 1 thread; each worker runs N (auto workers
                     count cores / N)
  --checkpoint-every <N>  a checkpoint in DIR/checkpoints/ every N iterations and at the last;
                     0: none (default: about every minute of training, and at the last iteration)
  --keep <K>         checkpoints to keep, newest first (default 3)
  --resume           go on with the run in DIR from its newest good checkpoint (or start it afresh
                     and say so); refused when DIR holds another run (the line names the difference)
  --overwrite        replace the run DIR holds (its config, checkpoints, final weights, logs, ...)
  --on-nan <P>       when a loss goes NaN or infinite: stop (default; exit 3, the last good
                     checkpoint kept), skip the iteration, or off; nothing non-finite is ever saved
  --tensorboard [DIR] write TensorBoard event files into DIR (default: tensorboard/ in the --out
                     directory): the losses, D outputs, penalty terms and metrics of every
                     iteration, the sample grids of image examples as images, and the final
                     samples.png (2-D examples: the scatter plot); see them with
                     tensorboard --logdir DIR. A new run refuses a DIR with event files unless
                     --overwrite; --resume adds a file and drops the steps after its checkpoint
  --grid-every <N>   image examples: a sample grid every N iterations (default: the example's)
  --eval-samples <N> image examples: samples for the final FID/IS (default 1000)
  --quiet            no progress bar
  -h, --help         this help

Writes DIR/config.json, DIR/final/ (weights) and DIR/metrics.json; 2-D examples DIR/samples.csv and
DIR/samples.png; image examples DIR/grids/step-*.png, DIR/samples.png (EMA), DIR/samples-raw.png,
DIR/logs.jsonl and DIR/report.html; with --tensorboard, DIR/tensorboard/events.out.tfevents.*.
`;

/** `gankit train`: checks every argument, starts the backend and trains (see `runTraining`). */
export async function runTrain(args: readonly string[]): Promise<number> {
  const values = parseOptions('train', withOptionalValue(args, 'tensorboard'), {
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
    overwrite: { type: 'boolean', default: false },
    'on-nan': { type: 'string' },
    config: { type: 'string' },
    'print-config': { type: 'boolean', default: false },
    'grid-every': { type: 'string' },
    'eval-samples': { type: 'string' },
    workers: { type: 'string' },
    threads: { type: 'string' },
    tensorboard: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(TRAIN_USAGE);
    return 0;
  }
  const text = (name: string): string | undefined => values[name] as string | undefined;
  const exampleName = text('example');
  const configFile = text('config');
  if (exampleName !== undefined && configFile !== undefined) throw new GankitError('config', 'give either --example or --config, not both');
  if (exampleName === undefined && configFile === undefined)
    throw new GankitError('config', `--example or --config is required; examples: ${exampleNames().join(', ')}`);
  if (values['print-config'] === true && configFile === undefined)
    throw new GankitError('config', '--print-config prints the configuration of a --config FILE.json; an example has none');
  // Every argument is checked before anything is read, built or written, and before the backend starts.
  const steps = parseIntOption('steps', text('steps'), 1, MAX_STEPS);
  const seed = parseIntOption('seed', text('seed'), 0, MAX_SEED);
  const batchSize = parseIntOption('batch-size', text('batch-size'), 1, MAX_BATCH_SIZE);
  const checkpointEvery = parseIntOption('checkpoint-every', text('checkpoint-every'), 0, MAX_STEPS);
  const keep = parseIntOption('keep', text('keep'), 1, 1000);
  const gridEvery = parseIntOption('grid-every', text('grid-every'), 1, MAX_STEPS);
  const evalSamples = parseIntOption('eval-samples', text('eval-samples'), 10, 100_000);
  const onNan = parseOnNan(text('on-nan'));
  const workersText = text('workers');
  const requestedWorkers = workersText === undefined || workersText === 'auto' ? 'auto' : parseIntOption('workers', workersText, 1, 64)!;
  const threads = parseIntOption('threads', text('threads'), 1, 8);
  const backend = text('backend');
  if (backend !== undefined) parseBackendChoice(backend, '--backend');
  let example: Example | CustomExample;
  let config: TrainConfig | undefined;
  let source: ExampleSource;
  if (configFile !== undefined) {
    checkPathArgument(configFile, '--config');
    config = readConfigFile(configFile);
    if (values['print-config'] === true) {
      const resolved = resolvedConfig(config, { steps, seed, batchSize, onNan, gridEvery, evalSamples });
      process.stdout.write(`${JSON.stringify(resolved, null, 2)}\n`);
      return 0;
    }
    example = exampleFromConfig(config);
    source = { config: path.resolve(configFile) };
  } else {
    // A path is an example folder of the user's (its example.mjs), loaded now and, by its
    // absolute path, again in each worker; anything else names a built-in example.
    const folder = isExamplePath(exampleName!);
    if (folder) checkPathArgument(exampleName!, '--example');
    source = { example: folder ? path.resolve(exampleName!) : exampleName! };
    const found = folder ? await loadExampleFolder(exampleName!) : findExample(exampleName!);
    if (!found) {
      const guess = closest(exampleName!, exampleNames());
      throw new GankitError(
        'config',
        `unknown example ${quoted(exampleName)}${guess ? `; did you mean '${guess}'?` : ''}; one of: ${exampleNames().join(', ')}`,
      );
    }
    example = found;
  }
  const out = text('out') ?? path.join('out', example.name);
  checkOutputDir(out, text('out') === undefined ? `the default --out` : '--out');
  const tensorboardText = text('tensorboard');
  const tensorboard = tensorboardText === undefined ? undefined : tensorboardText === '' ? path.join(out, 'tensorboard') : tensorboardText;
  if (tensorboard !== undefined) checkOutputDir(tensorboard, '--tensorboard');
  if (config) checkConfigData(config);
  // An example that asks for kernel threads (`parallelism: 'threads'`) gets, under --workers auto
  // on wasm, one replica with a thread per core (up to 8) instead of data-parallel workers (on
  // --resume, when the run trained as one replica).
  // On --resume, 'auto' keeps the run's own worker count (another machine may have other cores).
  const recorded = values.resume === true ? recordedWorkers(out) : undefined;
  const oneReplica = (recorded ?? 1) === 1;
  const autoThreads =
    threads === undefined && requestedWorkers === 'auto' && oneReplica && prefersThreads(example) && (backend ?? 'wasm') === 'wasm'
      ? Math.min(8, availableParallelism())
      : undefined;
  const report = await initBackend({ backend, threads: threads ?? autoThreads });
  if (threads !== undefined && threads > 1 && report.backend !== 'wasm')
    throw new GankitError('config', `--threads is for the wasm backend; this run uses ${report.backend} (${report.package})`);
  const batch = batchSize ?? example.defaults.batchSize;
  const workers = chooseWorkers(
    requestedWorkers === 'auto' ? (recorded ?? 'auto') : requestedWorkers,
    example,
    report.backend,
    batch,
    Math.max(1, Math.floor(availableParallelism() / (threads ?? autoThreads ?? 1))),
  );
  if (config) checkTrainingFits(config, { batchSize: batch, backend: report.backend, workers });
  process.stderr.write(`backend: ${report.backend} (${report.reason})\n`);
  if (workers > 1) process.stderr.write(`workers: ${workers} data-parallel replicas, ${batch / workers} examples of each batch apiece\n`);
  else if (report.threads !== null && report.threads > 1) process.stderr.write(`threads: ${report.threads} in each wasm kernel\n`);
  const runOptions = {
    steps,
    seed: seed ?? config?.seed ?? 0,
    batchSize,
    out,
    backend: report.backend,
    progress: !values.quiet,
    checkpointEvery,
    keep,
    resume: values.resume === true,
    overwrite: values.overwrite === true,
    onNan: onNan ?? config?.onNan,
    gridEvery,
    evalSamples,
    tensorboard,
  };
  const result = isCustomExample(example)
    ? await example.train({ ...runOptions, workers })
    : workers > 1
      ? await trainInWorkers(source, runOptions, workers, threads)
      : await runTraining(example, runOptions);
  process.stderr.write(`${result.summary}\nwrote ${result.files.join(', ')}\n`);
  return result.fault ? 3 : 0;
}

/**
 * Lets `--<name>` be given without its value (`--tensorboard` alone, last or before another
 * option): it becomes `--<name>=`, which the command reads as "the default".
 */
function withOptionalValue(args: readonly string[], name: string): string[] {
  return args.map((a, i) => (a === `--${name}` && (i + 1 === args.length || args[i + 1].startsWith('-')) ? `--${name}=` : a));
}

/** Whether an example spends `--workers auto`'s cores on wasm kernel threads ({@link Example.parallelism}). */
function prefersThreads(example: Example | CustomExample): boolean {
  return !isCustomExample(example) && example.parallelism === 'threads';
}

/** Backends that run one thread per process in Node, where worker threads add cores. */
const SINGLE_THREADED_BACKENDS = ['wasm', 'cpu'];

/**
 * The number of data-parallel workers for `gankit train`: a number is checked against the batch;
 * `'auto'` picks, for image examples on a single-threaded backend, the most workers up to
 * min(cores, 4) that divide the batch (2-D examples train in milliseconds a step, where threads
 * do not pay), and 1 otherwise, also for examples that use the cores as kernel threads
 * (`parallelism: 'threads'`).
 */
export function chooseWorkers(
  requested: number | 'auto',
  example: Example | CustomExample,
  backend: string,
  batchSize: number,
  cores = availableParallelism(),
): number {
  if (requested !== 'auto') {
    if (batchSize % requested !== 0)
      throw new GankitError('config', `--workers ${requested} does not divide the batch of ${batchSize}; use a divisor of ${batchSize}`);
    return requested;
  }
  if (prefersThreads(example) || isCustomExample(example) || example.output !== 'images' || !SINGLE_THREADED_BACKENDS.includes(backend))
    return 1;
  for (let w = Math.min(cores, 4); w > 1; w--) if (batchSize % w === 0) return w;
  return 1;
}

/** The `train` command. */
export const trainCommand: CliCommand = {
  name: 'train',
  synopsis: ['train --example <name> [--steps N] [--seed S] [--out DIR] [--backend B]', 'train --config FILE.json [--out DIR]'],
  summary: 'train an example (or a JSON config) and write its samples and metrics',
  usage: TRAIN_USAGE,
  run: runTrain,
};
