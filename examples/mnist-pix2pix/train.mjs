// Trains the mnist-pix2pix example from code, with the same settings as
// `gankit train --example mnist-pix2pix` (MNIST_PIX2PIX in example.ts beside this file, which
// @gankit/cli compiles in and exports with trainMnistPix2pix).
// Usage: node train.mjs [steps] [seed] [outDir] [--overwrite]
import { initBackend } from '@gankit/backend';
import { trainMnistPix2pix } from '@gankit/cli';

// --overwrite anywhere replaces a run already in the output folder (as `gankit train --overwrite`).
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const [steps, seed, out = 'out/mnist-pix2pix'] = args;
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await trainMnistPix2pix({
  steps: steps === undefined ? undefined : Number(steps),
  seed: seed === undefined ? 0 : Number(seed),
  out,
  overwrite: flags.includes('--overwrite'),
  backend: backend.backend,
}).catch((err) => {
  // gankit's own errors name the problem in one line; anything else is a bug worth its stack.
  if (err?.name !== 'GankitError') throw err;
  console.error(`train.mjs: ${err.message}`);
  process.exit(2);
});
console.log(result.summary);
