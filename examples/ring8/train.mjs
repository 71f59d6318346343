// Trains the ring8 example from code, with the same settings as `gankit train --example ring8`.
// Usage: node train.mjs [steps] [seed] [outDir]
import { initBackend } from '@gankit/backend';
import { ring8, runTraining } from '@gankit/cli';

const [steps, seed, out = 'out/ring8'] = process.argv.slice(2);
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await runTraining(ring8, {
  steps: steps === undefined ? undefined : Number(steps),
  seed: seed === undefined ? 0 : Number(seed),
  out,
  backend: backend.backend,
});
console.log(result.summary);
