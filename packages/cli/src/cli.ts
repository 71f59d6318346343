import path from 'node:path';
import { parseArgs } from 'node:util';
import { GankitError } from '@gankit/core';
import { BackendError, initBackend, parseBackendChoice } from '@gankit/backend';
import { CUSTOM_EXAMPLES, EXAMPLES, exampleNames } from './examples/index';
import { availableParallelism } from 'node:os';
import { runTraining } from './train';
import { recordedWorkers } from './run-dir';
import { parseOnNan } from './run-dir-loop';
import { trainInWorkers, type ExampleSource } from './replica';
import type { CustomExample, Example } from './examples/types';
import { MAX_BATCH_SIZE, MAX_SEED, MAX_STEPS, checkConfigData, exampleFromConfig, readConfigFile, type TrainConfig } from './config';
import { checkInterpolable, checkSampleOut, evalRun, interpolateRun, sampleRun } from './commands';
import { checkOutputDir, checkOutputFile, checkPathArgument } from './paths';
import { exampleOfRun, readRunConfig } from './run';
import { closest } from './schema';
import { checkTrainingFits } from './sizes';

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

Exit codes: 0 done; 2 a bad argument, config, path or data file (one line on stderr naming it,
before any training), or a run directory that is in use or holds another run; 3 training went NaN
or infinite (nothing non-finite is written); 1 an internal error (a stack trace: please report it).
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
  --steps <N>        training iterations, 1 to 100000000 (default: the example's)
  --seed <S>         run seed, 0 to 2147483647; the same seed repeats the run bit for bit on one
                     backend (default 0)
  --batch-size <N>   examples per batch, 1 to 4096 (default: the example's)
  --out <DIR>        output directory (default out/<example or config name>)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu (default: the fastest available)
  --workers <N|auto> data-parallel worker threads, each training on batch-size/N rows of every
                     batch (default auto: for image examples on wasm or cpu, as many as there are
                     cores, up to 4, that divide the batch; otherwise 1)
  --checkpoint-every <N>  a checkpoint in DIR/checkpoints/ every N iterations and at the last;
                     0: none (default: about every minute of training, and at the last iteration)
  --keep <K>         checkpoints to keep, newest first (default 3)
  --resume           go on with the run in DIR from its newest good checkpoint (or start it afresh
                     and say so); refused when DIR holds another run (the line names the difference)
  --overwrite        replace the run DIR holds (its config, checkpoints, final weights, logs, ...)
  --on-nan <P>       when a loss goes NaN or infinite: stop (default; exit 3, the last good
                     checkpoint kept), skip the iteration, or off; nothing non-finite is ever saved
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

/** A user's string for a one-line message: single-quoted, control characters escaped, at most 40 characters shown. */
function quoted(value: string | undefined): string {
  const s = value ?? '';
  return `'${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s).slice(1, -1)}'`;
}

/**
 * Parses a whole-number option strictly: decimal digits only (no `1e9`, `0x10`, `-3`, `2.0` or
 * empty string), from `min` to `max`.
 */
function parseIntOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,16}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max))
    throw new GankitError('config', `--${name} must be a whole number from ${min} to ${max} (decimal digits), got ${quoted(value)}`);
  return n;
}

/** Options of one command, as `util.parseArgs` takes them. */
type OptionSpecs = Record<string, { type: 'string' | 'boolean'; short?: string | undefined; default?: boolean | undefined }>;

/**
 * `util.parseArgs` (strict, no positional arguments) with one-line messages that name the
 * argument: a "did you mean" for an unknown option, a refusal of an option given twice.
 */
function parseOptions(command: string, args: readonly string[], options: OptionSpecs): Record<string, string | boolean | undefined> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    throw parseArgsError(command, err, Object.keys(options));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || token.name === 'help') continue;
    if (seen.has(token.name)) throw new GankitError('config', `${token.rawName} is given more than once`);
    seen.add(token.name);
  }
  return parsed.values as Record<string, string | boolean | undefined>;
}

/** A `util.parseArgs` error as a one-line GankitError naming the argument (anything else unchanged). */
function parseArgsError(command: string, err: unknown, names: readonly string[]): unknown {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : '';
  const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
  const help = `gankit ${command} --help lists the options`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = arg.startsWith('--') ? closest(arg.slice(2), names) : undefined;
    return new GankitError('config', `unknown option ${quoted(arg)}${guess ? `; did you mean '--${guess}'?` : ''} (${help})`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return new GankitError('config', `unexpected argument ${quoted(arg)}: every argument is an option, e.g. --steps 100 (${help})`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /^Option '(?:-\w, )?(-[^ ']*)/.exec(message)?.[1] ?? 'an option';
    if (message.includes('does not take an argument')) return new GankitError('config', `${flag} takes no value`);
    if (message.includes('ambiguous'))
      return new GankitError('config', `${flag} needs a value; for a value that starts with a dash write ${flag}=VALUE`);
    return new GankitError('config', `${flag} needs a value`);
  }
  return err;
}

/** Errors that come from what the user gave (arguments, config, paths, data): one line, exit code 2. */
function isUserError(err: unknown): err is Error {
  return err instanceof GankitError || err instanceof BackendError;
}

/** The commands, for "did you mean". */
const COMMANDS = ['train', 'sample', 'eval', 'interpolate'];

/**
 * Runs the `gankit` command with the given arguments (without `node` and the script) and returns an
 * exit code: 0 when done; 2 for a bad argument, config, path or data file, with one line on stderr
 * that names it (no arguments at all print the usage on stderr, also 2). Anything else thrown is
 * an internal error, left to the caller (the `gankit` binary prints its stack and exits 1).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    if (command === 'train') return await trainCommand(rest);
    if (command === 'sample') return await sampleCommand(rest);
    if (command === 'eval') return await evalCommand(rest);
    if (command === 'interpolate') return await interpolateCommand(rest);
    const guess = closest(command, COMMANDS);
    process.stderr.write(
      `gankit: unknown command ${quoted(command)}${guess ? `; did you mean '${guess}'?` : ''} (commands: ${COMMANDS.join(', ')}; gankit --help)\n`,
    );
    return 2;
  } catch (err) {
    if (isUserError(err)) {
      process.stderr.write(`gankit ${command}: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    throw err;
  }
}

async function trainCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions('train', args, {
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
    'grid-every': { type: 'string' },
    'eval-samples': { type: 'string' },
    workers: { type: 'string' },
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
  const backend = text('backend');
  if (backend !== undefined) parseBackendChoice(backend, '--backend');
  let example: Example | CustomExample;
  let config: TrainConfig | undefined;
  let source: ExampleSource;
  if (configFile !== undefined) {
    checkPathArgument(configFile, '--config');
    config = readConfigFile(configFile);
    example = exampleFromConfig(config);
    source = { config: path.resolve(configFile) };
  } else {
    source = { example: exampleName! };
    const found = Object.hasOwn(EXAMPLES, exampleName!)
      ? EXAMPLES[exampleName!]
      : Object.hasOwn(CUSTOM_EXAMPLES, exampleName!)
        ? CUSTOM_EXAMPLES[exampleName!]
        : undefined;
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
  if (config) checkConfigData(config);
  const report = await initBackend({ backend });
  const batch = batchSize ?? example.defaults.batchSize;
  // On --resume, 'auto' keeps the run's own worker count (another machine may have other cores).
  const workers = chooseWorkers(
    requestedWorkers === 'auto' && values.resume === true ? (recordedWorkers(out) ?? 'auto') : requestedWorkers,
    example,
    report.backend,
    batch,
  );
  if (config) checkTrainingFits(config, { batchSize: batch, backend: report.backend, workers });
  process.stderr.write(`backend: ${report.backend} (${report.reason})\n`);
  if (workers > 1) process.stderr.write(`workers: ${workers} data-parallel replicas, ${batch / workers} examples of each batch apiece\n`);
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
  };
  const result = isCustomExample(example)
    ? await example.train({ ...runOptions, workers })
    : workers > 1
      ? await trainInWorkers(source, runOptions, workers)
      : await runTraining(example, runOptions);
  process.stderr.write(`${result.summary}\nwrote ${result.files.join(', ')}\n`);
  return result.fault ? 3 : 0;
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
  if (isCustomExample(example) || example.output !== 'images' || !SINGLE_THREADED_BACKENDS.includes(backend)) return 1;
  for (let w = Math.min(cores, 4); w > 1; w--) if (batchSize % w === 0) return w;
  return 1;
}

/** Parses a run command's options (`extra` adds command-specific ones); one line per mistake. */
function parseRunArgs(command: string, args: readonly string[], extra: OptionSpecs): Record<string, string | boolean | undefined> {
  return parseOptions(command, args, {
    run: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...extra,
  });
}

function requireString(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string') throw new GankitError('config', `--${name} is required`);
  checkPathArgument(v, `--${name}`);
  return v;
}

/**
 * What every run command shares, checked before the backend starts: `--seed`, the `--backend`
 * name, and `--run`, a directory whose config.json names a run these commands can load.
 */
function checkRunArgs(values: Record<string, string | boolean | undefined>): { run: string; seed: number | undefined; example: Example } {
  const run = requireString(values, 'run');
  const seed = parseIntOption('seed', values.seed as string | undefined, 0, MAX_SEED);
  if (typeof values.backend === 'string') parseBackendChoice(values.backend, '--backend');
  return { run, seed, example: exampleOfRun(readRunConfig(run), run) };
}

/** `--out`: a writable file path whose name ends in one of `extensions`. */
function checkOutArg(values: Record<string, string | boolean | undefined>, extensions: readonly string[]): string {
  const out = requireString(values, 'out');
  if (!extensions.includes(path.extname(out).toLowerCase()))
    throw new GankitError('config', `--out must end in ${extensions.join(' or ')}, got ${quoted(out)}`);
  checkOutputFile(out, '--out');
  return out;
}

async function startBackend(name: string | boolean | undefined): Promise<void> {
  const report = await initBackend({ backend: typeof name === 'string' ? name : undefined });
  process.stderr.write(`backend: ${report.backend} (${report.reason})\n`);
}

async function sampleCommand(args: readonly string[]): Promise<number> {
  const values = parseRunArgs('sample', args, { out: { type: 'string' }, n: { type: 'string' }, raw: { type: 'boolean', default: false } });
  if (values.help) {
    process.stdout.write(SAMPLE_USAGE);
    return 0;
  }
  const n = parseIntOption('n', values.n as string | undefined, 1, 100_000);
  const { run, seed, example } = checkRunArgs(values);
  const out = checkOutArg(values, ['.png', '.csv']);
  checkSampleOut(out, example.output, example.name);
  await startBackend(values.backend);
  const r = await sampleRun({ run, out, n, seed, raw: values.raw === true, progress: !values.quiet });
  process.stderr.write(`${r.summary}\n`);
  return 0;
}

async function evalCommand(args: readonly string[]): Promise<number> {
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

async function interpolateCommand(args: readonly string[]): Promise<number> {
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
