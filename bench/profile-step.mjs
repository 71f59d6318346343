// Where the DCGAN-MNIST trainer step's time goes, by category (issue 18): the `npm run bench`
// trainer step (bench/dcgan-setup.mjs: batch 64, Adam 2e-4/0.5 for G and D), one thread, on the
// default backend (wasm where no native binding is installed). Not part of `npm run bench`; run
// `node bench/profile-step.mjs [steps]` after a build. `PROFILE_KERNELS=1` also prints each
// kernel's time as a top-level call and its self time (nested kernels excluded, Adam's included); `PROFILE_OPTIMIZER=fused` runs the step with `fusedAdam` (@gankit/trainer);
// `PROFILE_BASELINE=1` with tfjs's own wasm `LeakyRelu`, `Select` and `tf.train.adam` (the step before issue 18's kernels).
//
// Every registered kernel of the backend is wrapped with a timer that reads both the wall clock
// and the process's CPU time (`process.cpuUsage`: with one wasm thread that is this thread's work
// plus V8's few helper threads), keeping a stack so that a kernel nested in another (the transposes
// and conv2d calls inside gankit's backprop kernels) counts once, for the outermost kernel. A top-level
// kernel's category comes from its name, except:
//   - inside an optimizer's `applyGradients` → "adam" (the whole call is timed, JS dispatch included);
//   - inside a batch-norm layer's forward, or in the backward function of a tape node it recorded
//     (`engine.addTapeNode` is wrapped) → "batch norm";
// Synchronous and async reads (`backend.readSync`/`read`: dataSync/data) and writes of JS values
// into the backend (`backend.write`: scalars, indices, `tf.tensor`) are timed on the backend
// instance. "outside kernels" is the step's time minus all of the above: JS dispatch, the tape,
// tidy/dispose, the trainer's own code. The categories add up to the step (100 %).
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { makeTrainer } from './dcgan-setup.mjs';
import { round } from './util.mjs';

const STEPS = Number(process.argv[2] ?? 5);
const chosen = await initBackend();
const backend = chosen.backend;
// PROFILE_BASELINE=1: the step as before issue 18's kernels (tfjs's own wasm LeakyRelu and Select, tf.train.adam).
const baseline = process.env.PROFILE_BASELINE === '1';
if (baseline && backend === 'wasm') {
  for (const name of ['LeakyRelu', 'Select']) {
    const original = tf.getKernel(name, 'wasm')?.[Symbol.for('@gankit/backend:replaced')];
    if (original) {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(original);
    }
  }
}

const CATEGORY = {
  convolution: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'FusedConv2D', 'DepthwiseConv2dNative'],
  matmul: ['BatchMatMul', '_FusedMatMul'],
  reductions: ['Sum', 'Mean', 'Max', 'Min', 'Prod', 'ArgMax', 'All', 'Any'],
  copies: [
    'Transpose',
    'Reshape',
    'Identity',
    'Slice',
    'Pack',
    'Unpack',
    'Concat',
    'Tile',
    'GatherV2',
    'Reverse',
    'Fill',
    'ZerosLike',
    'OnesLike',
    'Cast',
    'StridedSlice',
    'PadV2',
  ],
};
const categoryOfKernel = new Map(Object.entries(CATEGORY).flatMap(([c, ks]) => ks.map((k) => [k, c])));
const categoryOf = (kernel) => categoryOfKernel.get(kernel) ?? 'element-wise';

const ORDER = ['convolution', 'matmul', 'batch norm', 'element-wise', 'reductions', 'adam', 'copies', 'reads', 'writes', 'outside kernels'];
const cats = new Map(ORDER.map((c) => [c, { wallMs: 0, cpuMs: 0, calls: 0 }]));
const kernels = new Map();
let scope = null; // 'adam' | 'batch norm' | null
let depth = 0;
const stack = []; // per running kernel: CPU ms of the kernels nested in it

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function charge(cat, wall, cpu) {
  const c = cats.get(cat);
  c.wallMs += wall;
  c.cpuMs += cpu;
  c.calls++;
}
/** Runs `fn` with `tag` as the scope (unless an outer scope is set already). */
function inScope(tag, fn) {
  if (scope) return fn();
  scope = tag;
  try {
    return fn();
  } finally {
    scope = null;
  }
}

for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const top = depth === 0;
      depth++;
      stack.push(0);
      const w0 = performance.now();
      const c0 = cpuNow();
      try {
        return inner(args);
      } finally {
        const wall = performance.now() - w0;
        const cpu = cpuNow() - c0;
        depth--;
        const childCpu = stack.pop();
        if (stack.length) stack[stack.length - 1] += cpu;
        if (top && scope !== 'adam') charge(scope ?? categoryOf(config.kernelName), wall, cpu);
        const k = kernels.get(config.kernelName) ?? { calls: 0, topWallMs: 0, topCpuMs: 0, selfCpuMs: 0 };
        k.calls++;
        k.selfCpuMs += cpu - childCpu;
        if (top) {
          k.topWallMs += wall;
          k.topCpuMs += cpu;
        }
        kernels.set(config.kernelName, k);
      }
    },
  });
}

// Reads and writes between JS and the backend's memory.
const be = tf.engine().backend;
for (const [method, cat] of [
  ['readSync', 'reads'],
  ['write', 'writes'],
]) {
  const f = be[method].bind(be);
  be[method] = (...args) => {
    if (depth > 0 || scope === 'adam') return f(...args); // inside a kernel / Adam: theirs
    const w0 = performance.now();
    const c0 = cpuNow();
    try {
      return f(...args);
    } finally {
      charge(cat, performance.now() - w0, cpuNow() - c0);
    }
  };
}
const read = be.read.bind(be);
be.read = async (...args) => {
  const w0 = performance.now();
  const c0 = cpuNow();
  try {
    return await read(...args);
  } finally {
    charge('reads', performance.now() - w0, cpuNow() - c0);
  }
};

// Batch-norm backward: tape nodes recorded inside a batch-norm layer's forward keep the scope.
const engine = tf.engine();
const addTapeNode = engine.addTapeNode.bind(engine);
engine.addTapeNode = (...args) => {
  addTapeNode(...args);
  if (scope !== 'batch norm') return;
  const tape = engine.state.activeTape;
  const node = tape?.[tape.length - 1];
  if (!node?.gradient) return;
  const grad = node.gradient;
  node.gradient = (dys) =>
    inScope('batch norm', () => {
      const fns = grad(dys);
      return Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, () => inScope('batch norm', f)]));
    });
};

const fused = process.env.PROFILE_OPTIMIZER === 'fused' && !baseline;
let optimizer;
if (fused) {
  const { fusedAdam } = await import('@gankit/trainer');
  optimizer = () => fusedAdam(2e-4, 0.5);
}
const run = makeTrainer('profile', undefined, optimizer);
const { trainer } = run;
for (const net of [run.generator, run.discriminator]) {
  for (const layer of net.layers) {
    if (!/norm/i.test(layer.constructor.name)) continue;
    const apply = layer.apply.bind(layer);
    layer.apply = (...a) => inScope('batch norm', () => apply(...a));
  }
}
const wrapOptimizer = (opt) => {
  const apply = opt.applyGradients.bind(opt);
  opt.applyGradients = (g) => {
    const w0 = performance.now();
    const c0 = cpuNow();
    try {
      return inScope('adam', () => apply(g));
    } finally {
      charge('adam', performance.now() - w0, cpuNow() - c0);
    }
  };
};
wrapOptimizer(run.optimizers.generator);
wrapOptimizer(run.optimizers.discriminator);

await trainer.step();
await trainer.step();
for (const c of cats.values()) Object.assign(c, { wallMs: 0, cpuMs: 0, calls: 0 });
kernels.clear();
const w0 = performance.now();
const c0 = cpuNow();
for (let i = 0; i < STEPS; i++) await trainer.step();
const stepWall = (performance.now() - w0) / STEPS;
const stepCpu = (cpuNow() - c0) / STEPS;

const inside = { wallMs: 0, cpuMs: 0 };
for (const [name, c] of cats) {
  if (name === 'outside kernels') continue;
  inside.wallMs += c.wallMs / STEPS;
  inside.cpuMs += c.cpuMs / STEPS;
}
const outside = cats.get('outside kernels');
outside.wallMs = (stepWall - inside.wallMs) * STEPS;
outside.cpuMs = (stepCpu - inside.cpuMs) * STEPS;
const load1 = round(os.loadavg()[0], 2);
console.log(
  JSON.stringify({
    bench: 'dcgan-mnist-step-profile',
    backend,
    optimizer: fused ? 'fusedAdam' : 'tf.train.adam',
    baseline,
    steps: STEPS,
    stepWallMs: round(stepWall),
    stepCpuMs: round(stepCpu),
    load1,
  }),
);
for (const [name, c] of cats) {
  console.log(
    JSON.stringify({
      category: name,
      callsPerStep: round(c.calls / STEPS, 1),
      wallMs: round(c.wallMs / STEPS, 1),
      cpuMs: round(c.cpuMs / STEPS, 1),
      cpuShare: round((100 * c.cpuMs) / STEPS / stepCpu, 1),
      wallShare: round((100 * c.wallMs) / STEPS / stepWall, 1),
    }),
  );
}
if (process.env.PROFILE_KERNELS === '1') {
  const rows = [...kernels.entries()].sort((a, b) => b[1].topCpuMs - a[1].topCpuMs);
  for (const [name, k] of rows)
    console.log(
      JSON.stringify({
        kernel: name,
        callsPerStep: k.calls / STEPS,
        topLevelCpuMs: round(k.topCpuMs / STEPS, 2),
        topLevelWallMs: round(k.topWallMs / STEPS, 2),
        selfCpuMs: round(k.selfCpuMs / STEPS, 2),
      }),
    );
}
run.dispose();
