// What every command's argument parsing shares: strict options with one-line messages, a "did you
// mean" for an unknown option, whole numbers checked strictly, a user's string quoted for a message.
import { parseArgs } from 'node:util';
import { GankitError, closest } from '@gankit/core';

/** One `gankit` command: its name, its lines in the top-level usage, its help text and what it does. */
export interface CliCommand {
  /** The word on the command line (`gankit <name> ...`). */
  readonly name: string;
  /** Its synopsis lines in `gankit --help` (each without the leading `gankit `). */
  readonly synopsis: readonly string[];
  /** One line on what it does, for the command list in `gankit --help`. */
  readonly summary: string;
  /** The whole help text of `gankit <name> --help`. */
  readonly usage: string;
  /**
   * Runs it with the arguments after the command's name and returns the exit code. Mistakes in
   * what the user gave are thrown as `GankitError`s (the dispatcher prints one line, exit code 2).
   */
  run(args: readonly string[]): Promise<number>;
}

/** What `util.parseArgs` gave back: option name → its string, or true/false for a flag. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** Options of one command, as `util.parseArgs` takes them. */
export type OptionSpecs = Record<string, { type: 'string' | 'boolean'; short?: string | undefined; default?: boolean | undefined }>;

/** A user's string for a one-line message: single-quoted, control characters escaped, at most 40 characters shown. */
export function quoted(value: string | undefined): string {
  const s = value ?? '';
  return `'${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s).slice(1, -1)}'`;
}

/**
 * Parses a whole-number option strictly: decimal digits only (no `1e9`, `0x10`, `-3`, `2.0` or
 * empty string), from `min` to `max`.
 */
export function parseIntOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,16}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max))
    throw new GankitError('config', `--${name} must be a whole number from ${min} to ${max} (decimal digits), got ${quoted(value)}`);
  return n;
}

/**
 * `util.parseArgs` (strict, no positional arguments) with one-line messages that name the
 * argument: a "did you mean" for an unknown option, a refusal of an option given twice.
 */
export function parseOptions(command: string, args: readonly string[], options: OptionSpecs): OptionValues {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    throw parseArgsError(command, err, args, Object.keys(options));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || token.name === 'help') continue;
    if (seen.has(token.name)) throw new GankitError('config', `${token.rawName} is given more than once`);
    seen.add(token.name);
  }
  return parsed.values as OptionValues;
}

/**
 * The option an unknown one was likely meant to be: `--stpes` → `steps`. A long option written
 * with one dash (`-steps`), which `util.parseArgs` reads as the short option `-s`, is found among
 * the arguments and shown whole.
 */
function unknownOption(arg: string, args: readonly string[], names: readonly string[]): { shown: string; guess: string | undefined } {
  if (arg.startsWith('--')) return { shown: arg, guess: closest(arg.slice(2), names) };
  const single = args.find((a) => /^-[^-]/.test(a) && a.length > 2 && a.startsWith(arg));
  const word = single?.split('=')[0];
  const guess = word !== undefined ? closest(word.slice(1), names) : undefined;
  return guess !== undefined && word !== undefined ? { shown: word, guess } : { shown: arg, guess: undefined };
}

/** A `util.parseArgs` error as a one-line GankitError naming the argument (anything else unchanged). */
function parseArgsError(command: string, err: unknown, args: readonly string[], names: readonly string[]): unknown {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : '';
  const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
  const help = `gankit ${command} --help lists the options`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const { shown, guess } = unknownOption(arg, args, names);
    return new GankitError('config', `unknown option ${quoted(shown)}${guess ? `; did you mean '--${guess}'?` : ''} (${help})`);
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
export function isUserError(err: unknown): err is Error {
  return err instanceof GankitError; // BackendError included: it is a GankitError
}
