import path from 'node:path';
import { GankitError } from '@gankit/core';
import { trainConfigJsonSchema } from '../config';
import { checkOutputFile, writeOutputFile } from '../paths';
import { type CliCommand, parseOptions, quoted } from './flags';

/** `gankit schema --help`. */
export const SCHEMA_USAGE = `gankit schema — write the JSON Schema of a config file (gankit train --config), for editors

Usage:
  gankit schema [--out FILE.json]

Options:
  --out <FILE>   write the schema into FILE (a .json file) instead of stdout
  -h, --help     this help

The schema lists every data set, architecture, loss, regularizer, averaging and metric that
gankit's packages offer, with their options, bounds and defaults. Point an editor at it for your
config files (VS Code: "json.schemas" in settings.json, with "fileMatch" and "url").
`;

/** The JSON Schema text `gankit schema` writes (two-space indents, one final newline). */
export function schemaText(): string {
  return `${JSON.stringify(trainConfigJsonSchema(), null, 2)}\n`;
}

/** `gankit schema`: writes the JSON Schema of a configuration file to stdout or `--out`. */
export async function runSchema(args: readonly string[]): Promise<number> {
  const values = parseOptions('schema', args, { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) {
    process.stdout.write(SCHEMA_USAGE);
    return 0;
  }
  const out = values.out as string | undefined;
  if (out === undefined) {
    process.stdout.write(schemaText());
    return 0;
  }
  if (path.extname(out).toLowerCase() !== '.json') throw new GankitError('config', `--out must end in .json, got ${quoted(out)}`);
  checkOutputFile(out, '--out');
  writeOutputFile(out, schemaText());
  process.stderr.write(`wrote ${out}\n`);
  return 0;
}

/** The `schema` command. */
export const schemaCommand: CliCommand = {
  name: 'schema',
  synopsis: ['schema [--out FILE.json]'],
  summary: 'write the JSON Schema of a config file (for editors)',
  usage: SCHEMA_USAGE,
  run: runSchema,
};
