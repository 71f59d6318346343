// Trains the mnist-acgan example from code, with the same settings as `gankit train --example mnist-acgan`.
// Usage: node train.mjs [steps] [seed] [outDir]
import { initBackend } from '@gankit/backend';
import { EXAMPLES, runTraining } from '@gankit/cli';

const [steps, seed, out = 'out/mnist-acgan'] = process.argv.slice(2);
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await runTraining(EXAMPLES['mnist-acgan'], {
  steps: steps === undefined ? undefined : Number(steps),
  seed: seed === undefined ? 0 : Number(seed),
  out,
  backend: backend.backend,
});
console.log(result.summary);
