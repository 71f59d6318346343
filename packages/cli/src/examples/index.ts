// The examples `gankit train --example` knows: the built-in ones, one folder each under the
// repository's examples/ and compiled into the package at build time (scripts/build-examples.mjs
// writes src/generated/example-folders.ts), and a user's own folder given as a path.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GankitError } from '@gankit/core';
import { EXAMPLE_FOLDERS } from '../generated/example-folders';
import type { CustomExample, Example, ExampleModuleDefault } from './types';

/** Whether an example trains with its own loop (`train`) rather than `runTraining` (`setup` + `finish`). */
export function isCustomExample(example: Example | CustomExample): example is CustomExample {
  return typeof (example as Partial<CustomExample>).train === 'function';
}

const isPositiveInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** What is wrong with `value` as an example (undefined: nothing). */
function exampleProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `it is ${value === null ? 'null' : typeof value}, not an example object`;
  const e = value as Record<string, unknown>;
  if (typeof e.name !== 'string' || !/^[\w.-]+$/.test(e.name))
    return `its name must be a non-empty string of letters, digits, '.', '_' or '-'`;
  if (typeof e.description !== 'string') return `example '${e.name}' has no description (a string)`;
  const d = e.defaults as Record<string, unknown> | undefined;
  if (!d || !isPositiveInteger(d.steps) || !isPositiveInteger(d.batchSize))
    return `example '${e.name}' needs defaults: { steps, batchSize } (positive integers)`;
  if (typeof e.train === 'function') return undefined;
  if (typeof e.setup !== 'function' || typeof e.finish !== 'function')
    return `example '${e.name}' needs setup() and finish() (or train() for a loop of its own)`;
  return undefined;
}

/**
 * The examples an example folder's default export holds (one, or an array), each checked for the
 * fields `gankit train` uses; `where` names the definition in the one-line error.
 */
export function examplesOf(value: unknown, where: string): (Example | CustomExample)[] {
  if (value === undefined)
    throw new GankitError('config', `${where} has no default export: \`export default\` the example (or an array of examples)`);
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new GankitError('config', `${where}: its default export is an empty array; it holds no example`);
  for (const item of list) {
    const problem = exampleProblem(item);
    if (problem) throw new GankitError('config', `${where}: its default export is not an example: ${problem}`);
  }
  return list as (Example | CustomExample)[];
}

function builtIn(): { examples: Record<string, Example>; custom: Record<string, CustomExample> } {
  const examples: Record<string, Example> = {};
  const custom: Record<string, CustomExample> = {};
  const folderOf = new Map<string, string>();
  for (const [folder, value] of Object.entries(EXAMPLE_FOLDERS as Readonly<Record<string, ExampleModuleDefault>>)) {
    for (const example of examplesOf(value, `examples/${folder}/example.ts`)) {
      const other = folderOf.get(example.name);
      if (other !== undefined)
        throw new GankitError('config', `examples/${other} and examples/${folder} both define an example named '${example.name}'`);
      folderOf.set(example.name, folder);
      if (isCustomExample(example)) custom[example.name] = example;
      else examples[example.name] = example;
    }
  }
  return { examples, custom };
}

const builtins = builtIn();

/** Every built-in example that `runTraining` trains (and `gankit sample`, `eval`, `interpolate` read), by name. */
export const EXAMPLES: Readonly<Record<string, Example>> = builtins.examples;

/** Built-in examples with a training loop of their own (`gankit train` only), by name. */
export const CUSTOM_EXAMPLES: Readonly<Record<string, CustomExample>> = builtins.custom;

/** Every built-in example name `gankit train --example` accepts, sorted. */
export function exampleNames(): string[] {
  return [...Object.keys(EXAMPLES), ...Object.keys(CUSTOM_EXAMPLES)].sort();
}

/** The built-in example called `name`, or undefined. */
export function findExample(name: string): Example | CustomExample | undefined {
  if (Object.hasOwn(EXAMPLES, name)) return EXAMPLES[name];
  if (Object.hasOwn(CUSTOM_EXAMPLES, name)) return CUSTOM_EXAMPLES[name];
  return undefined;
}

/** Whether an `--example` value is a folder (a path: it holds a slash, or is `.` or `..`) rather than a name. */
export function isExamplePath(value: string): boolean {
  return /[\\/]/.test(value) || value === '.' || value === '..';
}

/** The files an example folder's definition may be in, in the order they are looked for. */
export const EXAMPLE_FOLDER_FILES: readonly string[] = ['example.mjs', 'example.js'];

/**
 * Loads the example an example folder defines (`gankit train --example ./my-gan`): the default
 * export of its `example.mjs` or `example.js`, which imports what it needs (the example kit from
 * `@gankit/cli`, the library packages) as the built-in examples' `example.ts` do. A default export
 * with several examples gives the one named like the folder. Every problem (no folder, no
 * definition, an `example.ts` only, a file that fails to load, a default export that is not an
 * example) is a one-line `GankitError` naming the file.
 */
export async function loadExampleFolder(folder: string): Promise<Example | CustomExample> {
  const dir = path.resolve(folder);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new GankitError('config', `--example ${folder}: no such folder (${dir}); built-in examples are given by name`);
  const file = EXAMPLE_FOLDER_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) {
    const ts = fs.existsSync(path.join(dir, 'example.ts'))
      ? '; its example.ts must be compiled to example.mjs first (e.g. npx esbuild example.ts --format=esm --outfile=example.mjs)'
      : '';
    throw new GankitError(
      'config',
      `--example ${folder}: ${dir} holds no ${EXAMPLE_FOLDER_FILES.join(' or ')} (the definition, whose default export is the example)${ts}`,
    );
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new GankitError('config', `--example ${folder}: ${file} failed to load: ${message.split('\n')[0]}`);
  }
  // A CommonJS file's `exports.default = ...` arrives as module.default.default.
  const value = module.default as { default?: unknown } | undefined;
  const exported = value && typeof value === 'object' && !Array.isArray(value) && 'default' in value ? value.default : value;
  const found = examplesOf(exported, file);
  if (found.length === 1) return found[0];
  const named = found.find((e) => e.name === path.basename(dir));
  if (named) return named;
  throw new GankitError(
    'config',
    `--example ${folder}: ${file} defines ${found.length} examples (${found.map((e) => e.name).join(', ')}) and none is named like the folder '${path.basename(dir)}'`,
  );
}
