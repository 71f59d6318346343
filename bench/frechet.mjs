// frechetDistance at d = 2048 (FID on Inception pool features): the first call (which also
// touches its ~100 MB workspace for the first time) and the median of the next ones, with the
// relative error against the closed form. The two covariances share eigenvectors
// (Σᵢ = Q Dᵢ Qᵀ, Q dense: a product of 16 random Householder reflections), so the exact value
// is ‖μ₁ − μ₂‖² + Σ (√d₁ − √d₂)², while the solver sees two dense, non-diagonal matrices
// (packages/metrics/test/frechet-case.mjs, which the browser check runs in a page too).
// Alone: `node bench/frechet.mjs` (after building @gankit/metrics), or `node bench/run.mjs frechet`.
import { frechetDistance } from '@gankit/metrics';
import { sharedEigenvectorCase } from '../packages/metrics/test/frechet-case.mjs';
import { median, report, round } from './util.mjs';

const d = Number(process.env.BENCH_FRECHET_DIM ?? 2048);
const runs = Number(process.env.BENCH_FRECHET_RUNS ?? 3);

const { a, b, exact } = sharedEigenvectorCase(d);

let t = performance.now();
let fid = frechetDistance(a, b);
const firstMs = performance.now() - t;
const ms = [];
const cpuMs = []; // CPU time of this thread: steadier than wall time on a shared machine
for (let r = 0; r < runs; r++) {
  const c = process.cpuUsage();
  t = performance.now();
  fid = frechetDistance(a, b);
  ms.push(performance.now() - t);
  const u = process.cpuUsage(c);
  cpuMs.push((u.user + u.system) / 1000);
}
report({
  bench: 'frechet-distance',
  d,
  ms: round(median(ms), 0),
  minMs: round(Math.min(...ms), 0),
  cpuMs: round(median(cpuMs), 0),
  firstCallMs: round(firstMs, 0),
  relError: Number((Math.abs(fid - exact) / exact).toExponential(2)),
  runs,
});
