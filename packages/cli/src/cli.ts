// The `gankit` dispatcher: the top-level usage, `--help` and `--version`, and one line for a
// mistake. Each command lives in commands/<name>.ts (its help text and its run function).
import { type CliCommand, isUserError, quoted } from './commands/flags';
import { evalCommand } from './commands/eval';
import { interpolateCommand } from './commands/interpolate';
import { sampleCommand } from './commands/sample';
import { schemaCommand } from './commands/schema';
import { trainCommand } from './commands/train';
import { versionCommand } from './commands/version';
import { closest } from '@gankit/core';

export { chooseWorkers } from './commands/train';

/** The commands, in the order `gankit --help` lists them. */
const COMMANDS: readonly CliCommand[] = [trainCommand, sampleCommand, evalCommand, interpolateCommand, schemaCommand];

/** Commands that tell about gankit itself rather than work on runs: found, not listed among the commands. */
const META_COMMANDS: readonly CliCommand[] = [versionCommand];

const USAGE = `gankit — train and evaluate GANs on TensorFlow.js

Usage:
${COMMANDS.flatMap((c) => c.synopsis.map((s) => `  gankit ${s}\n`)).join('')}  gankit <command> --help
  gankit --version

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}\n`).join('')}
Backends: tfjs-node-gpu, tfjs-node, wasm (the embedded default), cpu; GANKIT_BACKEND also picks one.

Exit codes: 0 done; 2 a bad argument, config, path or data file (one line on stderr naming it,
before any training), or a run directory that is in use or holds another run; 3 training went NaN
or infinite (nothing non-finite is written); 1 an internal error (a stack trace: please report it).
`;

/** The command a first argument names (`--version` and `-v` name `version`). */
function findCommand(word: string): CliCommand | undefined {
  const name = word === '--version' || word === '-v' ? 'version' : word;
  return [...COMMANDS, ...META_COMMANDS].find((c) => c.name === name);
}

/**
 * Runs the `gankit` command with the given arguments (without `node` and the script) and returns an
 * exit code: 0 when done; 2 for a bad argument, config, path or data file, with one line on stderr
 * that names it (no arguments at all print the usage on stderr, also 2). Anything else thrown is
 * an internal error, left to the caller (the `gankit` binary prints its stack and exits 1).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [word, ...rest] = argv;
  if (word === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (word === '-h' || word === '--help' || word === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const command = findCommand(word);
  if (!command) {
    const listed = COMMANDS.map((c) => c.name);
    const guess = closest(word, [...listed, ...META_COMMANDS.map((c) => c.name)]);
    process.stderr.write(
      `gankit: unknown command ${quoted(word)}${guess ? `; did you mean '${guess}'?` : ''} (commands: ${listed.join(', ')}; gankit --help)\n`,
    );
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (isUserError(err)) {
      process.stderr.write(`gankit ${command.name}: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    throw err;
  }
}
