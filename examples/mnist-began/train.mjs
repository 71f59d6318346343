// Trains the mnist-began examples from code, with the same settings as `gankit train --example mnist-began`
// (γ = 0.7) or `--example mnist-began-low-gamma` (γ = 0.3). The examples are example.ts beside this file,
// which @gankit/cli compiles in and exports (mnistBegan, mnistBeganLowGamma).
// Usage: node train.mjs [steps] [seed] [outDir] [--low-gamma] [--overwrite]
import { initBackend } from '@gankit/backend';
import { mnistBegan, mnistBeganLowGamma, runTraining } from '@gankit/cli';

// --overwrite anywhere replaces a run already in the output folder (as `gankit train --overwrite`);
// --low-gamma trains mnist-began-low-gamma (γ = 0.3) instead of mnist-began (γ = 0.7).
const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const example = flags.has('--low-gamma') ? mnistBeganLowGamma : mnistBegan;
const [steps, seed, out = `out/${example.name}`] = args;
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await runTraining(example, {
  steps: steps === undefined ? undefined : Number(steps),
  seed: seed === undefined ? 0 : Number(seed),
  out,
  overwrite: flags.has('--overwrite'),
  backend: backend.backend,
}).catch((err) => {
  // gankit's own errors name the problem in one line; anything else is a bug worth its stack.
  if (err?.name !== 'GankitError') throw err;
  console.error(`train.mjs: ${err.message}`);
  process.exit(2);
});
console.log(result.summary);
