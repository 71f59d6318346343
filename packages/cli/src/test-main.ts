// Test helper (not part of the package's API): runs `main` in this process and captures its output.
import { main } from './cli';

/** What one `gankit` command line did: its exit code and everything it wrote. */
export interface MainResult {
  /** The exit code `main` returned. */
  readonly code: number;
  /** What it wrote to stdout. */
  readonly stdout: string;
  /** What it wrote to stderr. */
  readonly stderr: string;
}

/**
 * Runs `main(argv)` with stdout and stderr captured. A throw (which the `gankit` binary would turn
 * into a stack trace and exit code 1) is rethrown with the command line in its message.
 */
export async function runMain(argv: readonly string[]): Promise<MainResult> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stdout: out.join(''), stderr: err.join('') };
  } catch (e) {
    throw new Error(`gankit ${JSON.stringify(argv)} threw instead of exiting 0 or 2: ${(e as Error).stack}`);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
