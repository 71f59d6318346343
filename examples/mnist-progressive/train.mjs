// Trains the mnist-progressive example from code, with the same settings as `gankit train --example mnist-progressive`.
// The examples are example.ts beside this file, which @gankit/cli compiles in and exports (mnistProgressive,
// mnistProgressiveNoGrowth). Usage: node train.mjs [steps] [seed] [outDir] [--overwrite] [--no-growth]
import { initBackend } from '@gankit/backend';
import { mnistProgressive, mnistProgressiveNoGrowth, runTraining } from '@gankit/cli';

// --overwrite anywhere replaces a run already in the output folder (as `gankit train --overwrite`);
// --no-growth trains the control, the same networks at 28×28 without the growth (mnist-progressive-no-growth).
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const overwrite = flags.includes('--overwrite');
const example = flags.includes('--no-growth') ? mnistProgressiveNoGrowth : mnistProgressive;
const [steps, seed, out = `out/${example.name}`] = args;
const backend = await initBackend();
console.error(`backend: ${backend.backend} (${backend.reason})`);
const result = await runTraining(example, {
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
