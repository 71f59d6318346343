// Trains the mnist-sagan example from code, with the same settings as `gankit train --example mnist-sagan`.
// The examples are example.ts beside this file, which @gankit/cli compiles in and exports (mnistSagan,
// mnistSaganNoAttention). Usage: node train.mjs [steps] [seed] [outDir] [--overwrite] [--no-attention]
import { initBackend } from '@gankit/backend';
import { mnistSagan, mnistSaganNoAttention, runTraining } from '@gankit/cli';

// --overwrite anywhere replaces a run already in the output folder (as `gankit train --overwrite`);
// --no-attention trains the control without the self-attention layers (mnist-sagan-no-attention).
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const overwrite = flags.includes('--overwrite');
const example = flags.includes('--no-attention') ? mnistSaganNoAttention : mnistSagan;
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
