// Trains the cyclegan-digits example from code, with the same settings as
// `gankit train --example cyclegan-digits` (CYCLEGAN_DIGITS in example.ts beside this file, which
// @gankit/cli compiles in and exports; pass overrides as the second argument of
// trainCycleganDigits, e.g. { domainB: 'bold' }).
// Usage: node train.mjs [steps] [seed] [outDir] [batchSize] [domainB: rotated | bold] [--overwrite]
import { initBackend } from '@gankit/backend';
import { trainCycleganDigits } from '@gankit/cli';

// --overwrite anywhere replaces a run already in the output folder (as `gankit train --overwrite`).
const args = process.argv.slice(2).filter((a) => a !== '--overwrite');
const overwrite = args.length < process.argv.length - 2;
const [steps, seed, out = 'out/cyclegan-digits', batchSize, domainB] = args;
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await trainCycleganDigits(
  {
    steps: steps === undefined ? undefined : Number(steps),
    seed: seed === undefined ? 0 : Number(seed),
    batchSize: batchSize === undefined ? undefined : Number(batchSize),
    out,
    overwrite,
    backend: backend.backend,
  },
  domainB === undefined ? {} : { domainB },
).catch((err) => {
  // gankit's own errors name the problem in one line; anything else is a bug worth its stack.
  if (err?.name !== 'GankitError') throw err;
  console.error(`train.mjs: ${err.message}`);
  process.exit(2);
});
console.log(result.summary);
