// Trains the mnist-began examples from code, with the same settings as `gankit train --example mnist-began`
// (γ = 0.7) or `--example mnist-began-low-gamma` (γ = 0.3). The examples are example.ts beside this file,
// which @gankit/cli compiles in and exports (mnistBegan, mnistBeganLowGamma).
// Usage: node train.mjs [steps] [seed] [outDir] [--low-gamma | --gamma G [--initial-k K]] [--overwrite]
import { initBackend } from '@gankit/backend';
import { mnistBegan, mnistBeganLowGamma, mnistBeganWithGamma, runTraining } from '@gankit/cli';

// --overwrite anywhere replaces a run already in the output folder (as `gankit train --overwrite`);
// --low-gamma trains mnist-began-low-gamma (γ = 0.3) instead of mnist-began (γ = 0.7); --gamma G
// (and --initial-k K) the same example with γ = G and k_0 = K (the README's γ sweep).
const argv = process.argv.slice(2);
const valued = new Map();
for (const name of ['--gamma', '--initial-k']) {
  const i = argv.indexOf(name);
  if (i < 0) continue;
  const value = Number(argv[i + 1]);
  if (argv[i + 1] === undefined || !Number.isFinite(value)) {
    console.error(`train.mjs: ${name} needs a number, got ${JSON.stringify(argv[i + 1] ?? null)}`);
    process.exit(2);
  }
  valued.set(name, value);
  argv.splice(i, 2);
}
const flags = new Set(argv.filter((a) => a.startsWith('--')));
// k_0 only applies to the γ sweep, and --low-gamma names a γ of its own: refuse rather than ignore.
if (valued.has('--initial-k') && !valued.has('--gamma')) {
  console.error('train.mjs: --initial-k sets k_0 for --gamma G; give --gamma too (the registered examples start at k_0 = 0)');
  process.exit(2);
}
if (valued.has('--gamma') && flags.has('--low-gamma')) {
  console.error('train.mjs: --gamma G and --low-gamma both set γ; give one of them');
  process.exit(2);
}
const args = argv.filter((a) => !a.startsWith('--'));
const example = valued.has('--gamma')
  ? mnistBeganWithGamma(valued.get('--gamma'), valued.get('--initial-k') ?? 0)
  : flags.has('--low-gamma')
    ? mnistBeganLowGamma
    : mnistBegan;
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
