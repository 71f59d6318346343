// What the commands that read a trained run (sample, eval, interpolate) share: their common
// options, the checks of --run, --seed, --backend and --out, and starting the backend.
import path from 'node:path';
import { GankitError } from '@gankit/core';
import { initBackend, parseBackendChoice } from '@gankit/backend';
import { MAX_SEED } from '../config';
import type { Example } from '../examples/types';
import { checkOutputFile, checkPathArgument } from '../paths';
import { exampleOfRun, readRunConfig } from '../run';
import { type OptionSpecs, type OptionValues, parseIntOption, parseOptions, quoted } from './flags';

/** Parses a run command's options (`extra` adds command-specific ones); one line per mistake. */
export function parseRunArgs(command: string, args: readonly string[], extra: OptionSpecs): OptionValues {
  return parseOptions(command, args, {
    run: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...extra,
  });
}

/** A path option that must be given: `--<name> is required` otherwise. */
export function requireString(values: OptionValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string') throw new GankitError('config', `--${name} is required`);
  checkPathArgument(v, `--${name}`);
  return v;
}

/**
 * What every run command shares, checked before the backend starts: `--seed`, the `--backend`
 * name, and `--run`, a directory whose config.json names a run these commands can load.
 */
export function checkRunArgs(values: OptionValues): { run: string; seed: number | undefined; example: Example } {
  const run = requireString(values, 'run');
  const seed = parseIntOption('seed', values.seed as string | undefined, 0, MAX_SEED);
  if (typeof values.backend === 'string') parseBackendChoice(values.backend, '--backend');
  return { run, seed, example: exampleOfRun(readRunConfig(run), run) };
}

/** `--out`: a writable file path whose name ends in one of `extensions`. */
export function checkOutArg(values: OptionValues, extensions: readonly string[]): string {
  const out = requireString(values, 'out');
  if (!extensions.includes(path.extname(out).toLowerCase()))
    throw new GankitError('config', `--out must end in ${extensions.join(' or ')}, got ${quoted(out)}`);
  checkOutputFile(out, '--out');
  return out;
}

/** Starts the backend `--backend` names (or the fastest) and says which on stderr. */
export async function startBackend(name: string | boolean | undefined): Promise<void> {
  const report = await initBackend({ backend: typeof name === 'string' ? name : undefined });
  process.stderr.write(`backend: ${report.backend} (${report.reason})\n`);
}
