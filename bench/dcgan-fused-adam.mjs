// The DCGAN-MNIST trainer step (dcgan-setup.mjs, wasm, one thread) with tf.train.adam against the
// same step with fusedAdam (@gankit/trainer: one GankitFusedAdam kernel call per variable). Each
// variant runs in its own process (same variable names: the weights are compared) and steps when
// this parent says so, in turn, so that load from other processes hits both alike; medians of
// BENCH_RUNS (default 8) after 2 warm-up steps. `cpuMsPerStep*`: the stepping thread's CPU time
// per step (Linux, 10 ms ticks, mean over the runs), which a loaded machine does not inflate. The
// two runs' weights must hash the same: fusedAdam gives tf.train.adam's numbers bit for bit.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ask, next, median, report, round, threadCpuMs } from './util.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 8);
const warmup = 2;

if (process.argv[2] === 'child') await child(process.argv[3]);
else await parent();

async function parent() {
  const kids = [];
  for (const optimizer of ['adam', 'fusedAdam']) {
    const k = fork(fileURLToPath(import.meta.url), ['child', optimizer]);
    const ready = await next(k);
    kids.push({ k, optimizer, backend: ready.backend, ms: [], cpu: [] });
  }
  for (let i = 0; i < warmup + runs; i++) {
    for (const kid of kids) {
      const { ms, cpu } = await ask(kid.k, { cmd: 'step' });
      if (i < warmup) continue;
      kid.ms.push(ms);
      kid.cpu.push(cpu);
    }
  }
  for (const kid of kids) kid.weights = (await ask(kid.k, { cmd: 'stop' })).weights;
  const [adam, fused] = kids;
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  report({
    bench: 'dcgan-mnist-step-trainer-fused-adam',
    backend: fused.backend,
    batch: 64,
    msPerStep: round(median(fused.ms)),
    cpuMsPerStep: round(mean(fused.cpu)),
    adamMsPerStep: round(median(adam.ms)),
    adamCpuMsPerStep: round(mean(adam.cpu)),
    sameWeightsAsAdam: adam.weights === fused.weights,
    runs,
  });
}

async function child(optimizer) {
  const { initBackend } = await import('@gankit/backend');
  const { networkVariables } = await import('@gankit/core');
  const { fusedAdam } = await import('@gankit/trainer');
  const { makeTrainer } = await import('./dcgan-setup.mjs');
  const { backend } = await initBackend();
  const run = makeTrainer('fused', undefined, optimizer === 'fusedAdam' ? () => fusedAdam(2e-4, 0.5) : undefined);
  process.send({ backend });
  process.on('message', async (m) => {
    if (m.cmd === 'step') {
      const c0 = threadCpuMs();
      const t0 = performance.now();
      await run.step();
      process.send({ ms: performance.now() - t0, cpu: threadCpuMs() - c0 });
      return;
    }
    const hash = createHash('sha256');
    for (const w of [...networkVariables(run.generator), ...networkVariables(run.discriminator)]) hash.update(w.dataSync());
    run.dispose();
    process.send({ weights: hash.digest('hex') });
    process.disconnect();
  });
}
