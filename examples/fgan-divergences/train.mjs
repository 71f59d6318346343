// Trains the fgan-mixture or fgan-mnist example from code, with the same settings as
// `gankit train --example fgan-mixture` (or fgan-mnist). The examples are example.ts beside this
// file, which @gankit/cli compiles in and exports (trainFganMixture, trainFganMnist, FGAN_MIXTURE, ...).
// Usage: node train.mjs [mixture|mnist] [steps] [seed] [outDir] [--overwrite]
import { initBackend } from '@gankit/backend';
import { trainFganMixture, trainFganMnist } from '@gankit/cli';

// --overwrite anywhere replaces runs already in the output folder (as `gankit train --overwrite`).
const args = process.argv.slice(2).filter((a) => a !== '--overwrite');
const overwrite = args.length < process.argv.length - 2;
const [which = 'mixture', steps, seed, out = `out/fgan-${which}`] = args;
if (which !== 'mixture' && which !== 'mnist') {
  console.error(`train.mjs: the first argument is mixture or mnist, got '${which}'`);
  process.exit(2);
}
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const train = which === 'mixture' ? trainFganMixture : trainFganMnist;
const result = await train({
  steps: steps === undefined ? undefined : Number(steps),
  seed: seed === undefined ? 0 : Number(seed),
  out,
  overwrite,
  backend: backend.backend,
}).catch((err) => {
  // gankit's own errors name the problem in one line; anything else is a bug worth its stack.
  if (err?.name !== 'GankitError') throw err;
  console.error(`train.mjs: ${err.message}`);
  process.exit(2);
});
console.log(result.summary);
