import { parseArgs } from 'node:util';
import { GankitError } from '@gankit/core';
import { initBackend } from '@gankit/backend';
import { EXAMPLES, exampleNames } from './examples/index';
import { runTraining } from './train';

const USAGE = `gankit — train and evaluate GANs on TensorFlow.js

Usage:
  gankit train --example <name> [--steps N] [--seed S] [--out DIR] [--backend B]
  gankit <command> --help

Commands:
  train     train an example and write its samples and metrics

Backends: tfjs-node-gpu, tfjs-node, wasm (the embedded default), cpu; GANKIT_BACKEND also picks one.
`;

const TRAIN_USAGE = `gankit train — train an example GAN

Usage:
  gankit train --example <name> [options]

Options:
  --example <name>   which example to train: ${exampleNames().join(', ')}
  --steps <N>        training iterations (default: the example's)
  --seed <S>         run seed; the same seed repeats the run bit for bit on one backend (default 0)
  --batch-size <N>   examples per batch (default: the example's)
  --out <DIR>        output directory (default out/<example>)
  --backend <B>      tfjs-node-gpu | tfjs-node | wasm | cpu (default: the fastest available)
  --checkpoint-every <N>  write a checkpoint to DIR/checkpoints/ every N iterations
  --keep <K>         checkpoints to keep, newest first (default 3)
  --resume           go on from the newest good checkpoint in DIR (or start afresh and say so)
  --quiet            no progress bar
  -h, --help         this help

Writes DIR/config.json, DIR/final/ (weights), DIR/samples.csv, DIR/samples.png and DIR/metrics.json.
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
    process.stderr.write(`gankit: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  } catch (err) {
    if (err instanceof GankitError || (err instanceof Error && (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')) {
      process.stderr.write(`gankit ${command}: ${err.message}\n`);
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(TRAIN_USAGE);
    return 0;
  }
  if (!values.example) throw new GankitError('config', `--example is required; one of: ${exampleNames().join(', ')}`);
  const example = EXAMPLES[values.example];
  if (!example) throw new GankitError('config', `unknown example '${values.example}'; one of: ${exampleNames().join(', ')}`);
  const report = await initBackend({ backend: values.backend });
  process.stderr.write(`backend: ${report.backend} (${report.reason})\n`);
  const result = await runTraining(example, {
    steps: parseIntOption('steps', values.steps, 0),
    seed: parseIntOption('seed', values.seed, 0),
    batchSize: parseIntOption('batch-size', values['batch-size'], 1),
    out: values.out ?? `out/${example.name}`,
    backend: report.backend,
    progress: !values.quiet,
    checkpointEvery: parseIntOption('checkpoint-every', values['checkpoint-every'], 1),
    keep: parseIntOption('keep', values.keep, 1),
    resume: values.resume,
  });
  process.stderr.write(`${result.summary}\nwrote ${result.files.join(', ')}\n`);
  return 0;
}
