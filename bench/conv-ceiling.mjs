// The convolution ceiling of the DCGAN-MNIST trainer step on wasm (issue 18): the least time the
// step's own XNNPACK conv2d calls can take on this machine, with 1 thread and with BENCH_THREADS
// (default 2) threads inside each kernel. Not part of `npm run bench`; run
// `node bench/conv-ceiling.mjs` after a build (~2 minutes).
//
// Each of two child processes (wasm, 1 thread / N threads: the thread count is fixed when the
// backend starts) records every `Conv2D` kernel call of one trainer step (bench/dcgan-setup.mjs),
// including the conv2d calls inside gankit's `Conv2DBackpropInput`/`Conv2DBackpropFilter` (the
// sub-pixel transposed convolution, the filter gradient), and groups them by shape. The parent then
// has the two children run each shape in turn, BENCH_RUNS (default 15) times each, with fresh
// inputs (wasm kernels run synchronously: no read-back); it prints per shape the FLOPs (2·N·OH·OW·CO·KH·KW·CI), the
// best and median wall ms and the median process CPU ms of one call (with N threads, the pool
// threads' CPU too), hence GFLOP/s. The best wall time is the nearest to an idle machine that a
// shared one shows; the per-step ceiling sums each shape's best time × its calls per step.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ask, next, median, report, round } from './util.mjs';

const threads = Number(process.env.BENCH_THREADS ?? 2);
const runs = Number(process.env.BENCH_RUNS ?? 15);

if (process.argv[2] === 'child') await child(Number(process.argv[3]));
else await parent();

async function parent() {
  const kids = [];
  for (const t of [1, threads]) {
    const k = fork(fileURLToPath(import.meta.url), ['child', String(t)]);
    const ready = await next(k);
    kids.push({ k, threads: t, shapes: ready.shapes });
  }
  const shapes = kids[0].shapes;
  const totals = kids.map(() => ({ best: 0, median: 0, cpu: 0 }));
  let flopsPerStep = 0;
  for (let s = 0; s < shapes.length; s++) {
    const times = kids.map(() => ({ wall: [], cpu: [] }));
    for (let r = 0; r <= runs; r++) {
      for (let i = 0; i < kids.length; i++) {
        const { wall, cpu } = await ask(kids[i].k, { cmd: 'run', shape: s });
        if (r === 0) continue; // warm-up (XNNPACK operator creation)
        times[i].wall.push(wall);
        times[i].cpu.push(cpu);
      }
    }
    const sh = shapes[s];
    flopsPerStep += sh.flops * sh.calls;
    kids.forEach((kid, i) => {
      const best = Math.min(...times[i].wall);
      const med = median(times[i].wall);
      const cpu = median(times[i].cpu);
      totals[i].best += best * sh.calls;
      totals[i].median += med * sh.calls;
      totals[i].cpu += cpu * sh.calls;
      report({
        bench: 'dcgan-mnist-conv-shape',
        threads: kid.threads,
        x: sh.x,
        filter: sh.filter,
        strides: sh.strides,
        pad: sh.pad,
        callsPerStep: sh.calls,
        mflop: round(sh.flops / 1e6, 1),
        bestMs: round(best, 2),
        medianMs: round(med, 2),
        cpuMs: round(cpu, 2),
        gflopsBest: round(sh.flops / best / 1e6, 1),
        gflopsPerCoreCpu: round(sh.flops / cpu / 1e6, 1),
      });
    });
  }
  kids.forEach((kid, i) =>
    report({
      bench: 'dcgan-mnist-conv-ceiling',
      threads: kid.threads,
      gflopPerStep: round(flopsPerStep / 1e9, 2),
      convCallsPerStep: shapes.reduce((a, s) => a + s.calls, 0),
      bestMsPerStep: round(totals[i].best),
      medianMsPerStep: round(totals[i].median),
      cpuMsPerStep: round(totals[i].cpu),
      gflopsBest: round(flopsPerStep / totals[i].best / 1e6, 1),
      gflopsPerCoreCpu: round(flopsPerStep / totals[i].cpu / 1e6, 1),
    }),
  );
  for (const kid of kids) kid.k.send({ cmd: 'stop' });
}

async function child(t) {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('@gankit/backend');
  const { makeTrainer } = await import('./dcgan-setup.mjs');
  await initBackend({ backend: 'wasm', threads: t });
  const seen = new Map();
  const config = tf.getKernel('Conv2D', 'wasm');
  const inner = config.kernelFunc;
  tf.unregisterKernel('Conv2D', 'wasm');
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const { x, filter } = args.inputs;
      const a = args.attrs;
      const key = JSON.stringify([x.shape, filter.shape, a.strides, a.pad, a.dataFormat, a.dilations, a.dimRoundingMode]);
      const out = inner(args);
      const s = seen.get(key) ?? { calls: 0, out: out.shape };
      s.calls++;
      seen.set(key, s);
      return out;
    },
  });
  const run = makeTrainer(`ceiling${t}`);
  await run.step(); // builds the optimizer slots: the second step is the steady one
  seen.clear();
  await run.step();
  run.dispose();
  tf.unregisterKernel('Conv2D', 'wasm');
  tf.registerKernel(config);
  const shapes = [...seen.entries()].map(([key, s]) => {
    const [x, filter, strides, pad, dataFormat, dilations, dimRoundingMode] = JSON.parse(key);
    const [kh, kw, ci] = filter;
    const out = s.out;
    const flops = 2 * out.reduce((a, b) => a * b, 1) * kh * kw * ci;
    return { x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, calls: s.calls, flops };
  });
  shapes.sort((a, b) => b.flops * b.calls - a.flops * a.calls);
  process.send({ shapes });
  process.on('message', (m) => {
    if (m.cmd === 'stop') process.exit(0);
    const sh = shapes[m.shape];
    const x = tf.randomNormal(sh.x);
    const f = tf.randomNormal(sh.filter);
    const fmt = sh.dataFormat === 'NCHW' ? 'NCHW' : 'NHWC';
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const y = tf.conv2d(x, f, sh.strides, sh.pad, fmt, sh.dilations, sh.dimRoundingMode);
    const wall = performance.now() - w0;
    const c = process.cpuUsage(c0);
    tf.dispose([x, f, y]);
    process.send({ wall, cpu: (c.user + c.system) / 1000 });
  });
}
