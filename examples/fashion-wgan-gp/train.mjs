// Trains the fashion-wgan-gp example from code, with the same settings as `gankit train --example fashion-wgan-gp`.
// Usage: node train.mjs [steps] [seed] [outDir]
import { initBackend } from '@gankit/backend';
import { EXAMPLES, runTraining } from '@gankit/cli';

const [steps, seed, out = 'out/fashion-wgan-gp'] = process.argv.slice(2);
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await runTraining(EXAMPLES['fashion-wgan-gp'], {
  steps: steps === undefined ? undefined : Number(steps),
  seed: seed === undefined ? 0 : Number(seed),
  out,
  backend: backend.backend,
});
console.log(result.summary);
