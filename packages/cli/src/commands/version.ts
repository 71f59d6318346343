import { readFileSync } from 'node:fs';
import { type CliCommand, parseOptions } from './flags';

/** `gankit version --help`. */
export const VERSION_USAGE = `gankit version — print the version of @gankit/cli

Usage:
  gankit version
  gankit --version
`;

/**
 * The version of @gankit/cli, read at run time from its package.json (one folder above the built
 * `dist/` and the `src/` of the tests alike), so it is the published version.
 */
export function cliVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    let pkg: { name?: unknown; version?: unknown };
    try {
      pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    if (pkg.name === '@gankit/cli' && typeof pkg.version === 'string') return pkg.version;
  }
  throw new Error("cannot find @gankit/cli's package.json next to its code");
}

/** `gankit version` (and `gankit --version`): prints the version on stdout. */
export async function runVersion(args: readonly string[]): Promise<number> {
  const values = parseOptions('version', args, { help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) {
    process.stdout.write(VERSION_USAGE);
    return 0;
  }
  process.stdout.write(`${cliVersion()}\n`);
  return 0;
}

/** The `version` command. */
export const versionCommand: CliCommand = {
  name: 'version',
  synopsis: ['--version'],
  summary: 'print the version of @gankit/cli',
  usage: VERSION_USAGE,
  run: runVersion,
};
