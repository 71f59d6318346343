// npm run bench: one JSON object a line per benchmark. Timings are medians over repeated runs
// after warm-up, and every line carries the 1-minute load average (`load1`): run it on an
// otherwise idle machine, and compare absolute numbers only at a similar load. Takes ~5 minutes,
// most of it the pure-JS cpu backend's DCGAN step (BENCH_SKIP_CPU=1 skips it).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const benches = [
  ['dcgan-mnist.mjs', []],
  ['dcgan-threads.mjs', []],
  ['dcgan-fused-adam.mjs', []],
  ['ring8.mjs', []],
  ['frechet.mjs', []],
  [path.join('..', 'packages', 'backend', 'bench', 'kernels.mjs'), []],
];
let failed = 0;
const t0 = performance.now();
for (const [file, args] of benches) {
  if (only && !file.includes(only)) continue;
  // Each benchmark in its own process: a fresh tfjs engine, no interference between backends.
  const r = spawnSync(process.execPath, [path.join(here, file), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    console.log(JSON.stringify({ bench: file, error: `exited with ${r.status ?? r.signal}` }));
  }
}
console.log(JSON.stringify({ bench: 'total', seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), failed }));
process.exitCode = failed ? 1 : 0;
