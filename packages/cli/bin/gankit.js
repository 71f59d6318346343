#!/usr/bin/env node
// The `gankit` command. npm links a package's bin at install time, and only to a file that exists
// then, so the command is this committed file, which runs the build in ../dist (tsup's output of
// src/bin.ts). In a fresh clone `npm ci` builds it; where it is missing, say how to build it.
import fs from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!fs.existsSync(built)) {
  process.stderr.write(
    'gankit: @gankit/cli is not built yet (no dist/bin.js); run `npm run build` in the gankit repository, then try again\n',
  );
  process.exit(2);
}
await import(built.href);
