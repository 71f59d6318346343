// Trains the cyclegan-digits example from code, with the same settings as
// `gankit train --example cyclegan-digits` (CYCLEGAN_DIGITS in @gankit/cli; pass overrides as the
// second argument of trainCycleganDigits, e.g. { domainB: 'bold' }).
// Usage: node train.mjs [steps] [seed] [outDir] [batchSize] [domainB: rotated | bold]
import { initBackend } from '@gankit/backend';
import { trainCycleganDigits } from '@gankit/cli';

const [steps, seed, out = 'out/cyclegan-digits', batchSize, domainB] = process.argv.slice(2);
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await trainCycleganDigits(
  {
    steps: steps === undefined ? undefined : Number(steps),
    seed: seed === undefined ? 0 : Number(seed),
    batchSize: batchSize === undefined ? undefined : Number(batchSize),
    out,
    backend: backend.backend,
  },
  domainB === undefined ? {} : { domainB },
);
console.log(result.summary);
