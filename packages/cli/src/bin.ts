#!/usr/bin/env node
import { main } from './cli';

// `main` answers every mistake in the arguments, config, paths or data with one line and exit
// code 2; what reaches here is a bug in gankit, so its stack trace is kept for the report.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `gankit: internal error (please report it with the command you ran): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
