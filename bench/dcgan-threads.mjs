// Threads inside kernels against data-parallel workers on the DCGAN-MNIST trainer step (issue 18):
// the trainer of dcgan-setup.mjs on wasm with 1 thread, with BENCH_THREADS (default 2) XNNPACK
// threads inside each kernel (initBackend({ threads })), on 2 data-parallel workers of 1 thread
// (runReplicas, as `gankit train --workers 2`), and on 2 workers of BENCH_THREADS threads each.
// Each variant runs in its own process (a process starts the wasm backend once) and steps only
// when this parent says so: one step of each variant in turn, so that load from other processes
// hits them alike; medians over BENCH_RUNS (default 8) after 2 warm-up steps. Every variant's
// weights are hashed at the end: N threads must give the weights of 1 thread bit for bit, and
// 2 workers × N threads those of 2 workers × 1 thread.
// `cpuMsPerStep` is the CPU time per step of the thread that steps (the main thread, or replica 0;
// Linux only, 10 ms ticks, mean over the runs): the pool threads and the other replica do the rest
// beside it, so on idle cores a step takes about that long. Where other processes load the cores
// and inflate wall times, the ratio of these CPU times estimates the idle machine's speed-up.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ask, next, median, report, round, threadCpuMs } from './util.mjs';

const threads = Number(process.env.BENCH_THREADS ?? 2);
const runs = Number(process.env.BENCH_RUNS ?? 8);
const warmup = 2;

if (process.argv[2] === 'child') await child(JSON.parse(process.argv[3]));
else await parent();

async function parent() {
  const variants = [
    { name: 'oneThread', workers: 1, threads: 1 },
    { name: 'threads', workers: 1, threads },
    { name: 'workers', workers: 2, threads: 1 },
    { name: 'workersThreads', workers: 2, threads },
  ];
  const kids = [];
  for (const v of variants) {
    const k = fork(fileURLToPath(import.meta.url), ['child', JSON.stringify(v)]);
    k.on('exit', (code) => {
      if (code) throw new Error(`variant ${v.name} exited with ${code}`);
    });
    const ready = await next(k);
    kids.push({ v, k, ms: [], cpu: [], backend: ready.backend });
  }
  for (let i = 0; i < warmup + runs; i++) {
    for (const kid of kids) {
      const { ms, cpu } = await ask(kid.k, { cmd: 'step' });
      if (i >= warmup) {
        kid.ms.push(ms);
        kid.cpu.push(cpu);
      }
    }
  }
  for (const kid of kids) kid.weights = (await ask(kid.k, { cmd: 'stop' })).weights;
  const [one, intra, dp, both] = kids;
  const msOne = median(one.ms);
  const line = (bench, kid, extra) =>
    report({
      bench,
      backend: kid.backend,
      batch: 64,
      workers: kid.v.workers,
      threads: kid.v.threads,
      msPerStep: round(median(kid.ms)),
      msMin: round(Math.min(...kid.ms)),
      cpuMsPerStep: round(mean(kid.cpu)),
      oneThreadMsPerStep: round(msOne),
      oneThreadMsMin: round(Math.min(...one.ms)),
      oneThreadCpuMsPerStep: round(mean(one.cpu)),
      speedup: round(msOne / median(kid.ms), 2),
      ...extra,
      runs,
    });
  line('dcgan-mnist-step-trainer-threads', intra, { sameWeightsAsOneThread: intra.weights === one.weights });
  line('dcgan-mnist-step-trainer-workers-threads', both, {
    workersOneThreadMsPerStep: round(median(dp.ms)),
    workersOneThreadCpuMsPerStep: round(mean(dp.cpu)),
    sameWeightsAsWorkersOneThread: both.weights === dp.weights,
  });
}

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

async function child(v) {
  const { initBackend } = await import('@gankit/backend');
  let step;
  let stop;
  if (v.workers === 1) {
    const { networkVariables } = await import('@gankit/core');
    const { makeTrainer } = await import('./dcgan-setup.mjs');
    const chosen = await initBackend({ backend: 'wasm', threads: v.threads });
    const t = makeTrainer('threads'); // one name for every variant: the weights are compared
    step = async () => {
      const t0 = performance.now();
      const c0 = threadCpuMs();
      await t.step();
      return { ms: performance.now() - t0, cpu: threadCpuMs() - c0 };
    };
    stop = () => {
      const hash = createHash('sha256');
      for (const w of [...networkVariables(t.trainer.generator), ...networkVariables(t.trainer.discriminator)]) hash.update(w.dataSync());
      t.dispose();
      return hash.digest('hex');
    };
    process.send({ backend: chosen.backend });
  } else {
    const { runReplicas } = await import('@gankit/backend/node');
    const gate = new Int32Array(new SharedArrayBuffer(12));
    const times = new Float64Array(new SharedArrayBuffer(16 * (warmup + runs + 1)));
    const results = runReplicas({
      module: new URL('./dcgan-threads-replica.mjs', import.meta.url),
      options: { gate: gate.buffer, times: times.buffer },
      workers: v.workers,
      threads: v.threads,
    });
    let done = 0;
    step = async () => {
      Atomics.add(gate, 0, 1);
      Atomics.notify(gate, 0);
      await Atomics.waitAsync(gate, 1, done).value;
      done++;
      return { ms: times[2 * done - 2], cpu: times[2 * done - 1] };
    };
    stop = async () => {
      Atomics.store(gate, 2, 1);
      Atomics.add(gate, 0, 1);
      Atomics.notify(gate, 0);
      return (await results)[0];
    };
    process.send({ backend: 'wasm' });
  }
  process.on('message', async (m) => {
    if (m.cmd === 'step') process.send(await step());
    else {
      process.send({ weights: await stop() });
      process.disconnect();
    }
  });
}
