// Trains the mnist-superres example (or, with --l1, mnist-superres-l1) from code, with the same
// settings as `gankit train --example mnist-superres` (MNIST_SUPERRES in example.ts beside this
// file, which @gankit/cli compiles in and exports with trainMnistSuperres).
// Usage: node train.mjs [steps] [seed] [outDir] [--l1] [--overwrite]
import { initBackend } from '@gankit/backend';
import { trainMnistSuperres } from '@gankit/cli';

// --overwrite anywhere replaces a run already in the output folder (as `gankit train --overwrite`);
// --l1 trains the control on the pixel L1 loss alone.
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const variant = flags.includes('--l1') ? 'l1' : 'srgan';
const [steps, seed, out = variant === 'l1' ? 'out/mnist-superres-l1' : 'out/mnist-superres'] = args;
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await trainMnistSuperres(
  {
    steps: steps === undefined ? undefined : Number(steps),
    seed: seed === undefined ? 0 : Number(seed),
    out,
    overwrite: flags.includes('--overwrite'),
    backend: backend.backend,
  },
  variant,
).catch((err) => {
  // gankit's own errors name the problem in one line; anything else is a bug worth its stack.
  if (err?.name !== 'GankitError') throw err;
  console.error(`train.mjs: ${err.message}`);
  process.exit(2);
});
console.log(result.summary);
