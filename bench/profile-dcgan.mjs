// Where the DCGAN-MNIST trainer step's time goes, per kernel, on the default backend (not part of
// `npm run bench`; run `node bench/profile-dcgan.mjs [steps]` after a build).
//
// tf.profile records nested kernels (a gankit kernel built from other ops) as well as their parent,
// so this script wraps every registered kernel of the active backend with a timer that keeps a
// stack: `selfMs` is a kernel's own time (children excluded), `totalMs` includes its children.
// Prints one JSON line per kernel name, largest self time first, averaged per step.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { Trainer } from '@gankit/trainer';

const STEPS = Number(process.argv[2] ?? 5);
const BATCH = Number(process.env.BENCH_BATCH ?? 64);
const chosen = await initBackend();
const backend = chosen.backend;

const stats = new Map();
const stack = [];
for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  const wrapped = {
    ...config,
    kernelFunc: (args) => {
      const frame = { child: 0 };
      stack.push(frame);
      const t0 = performance.now();
      try {
        return inner(args);
      } finally {
        const ms = performance.now() - t0;
        stack.pop();
        if (stack.length) stack[stack.length - 1].child += ms;
        const shapes = Object.values(args.inputs)
          .map((t) => (t ? `[${t.shape}]` : '-'))
          .join('');
        let key = config.kernelName;
        if (process.env.PROFILE_SHAPES === '1')
          key += ' ' + shapes + (args.attrs?.transposeA ? ' tA' : '') + (args.attrs?.transposeB ? ' tB' : '');
        const s = stats.get(key) ?? { calls: 0, selfMs: 0, totalMs: 0 };
        s.calls++;
        s.selfMs += ms - frame.child;
        s.totalMs += ms;
        stats.set(key, s);
      }
    },
  };
  tf.unregisterKernel(config.kernelName, backend);
  tf.registerKernel(wrapped);
}

const pool = tf.tidy(() => tf.tanh(tf.randomNormal([512, 28, 28, 1], 0, 2, 'float32', 7)));
const data = {
  name: 'bench-images',
  sampleShape: [28, 28, 1],
  nextBatch(n, random) {
    const idx = random.permutation(512).slice(0, n);
    return { x: tf.tidy(() => tf.gather(pool, tf.tensor1d(Array.from(idx), 'int32'))) };
  },
};
const generator = dcganMnistGenerator({ seed: 1 });
const discriminator = dcganMnistDiscriminator({ seed: 2 });
const trainer = new Trainer({
  generator,
  discriminator,
  loss: nonSaturating,
  data,
  batchSize: BATCH,
  generatorOptimizer: tf.train.adam(2e-4, 0.5),
  discriminatorOptimizer: tf.train.adam(2e-4, 0.5),
  seed: 0,
});
await trainer.step();
await trainer.step();
stats.clear();
const t0 = performance.now();
for (let i = 0; i < STEPS; i++) await trainer.step();
const stepMs = (performance.now() - t0) / STEPS;
const rows = [...stats.entries()].sort((a, b) => b[1].selfMs - a[1].selfMs);
const kernelSelf = rows.reduce((a, [, s]) => a + s.selfMs, 0) / STEPS;
console.log(
  JSON.stringify({
    backend,
    batch: BATCH,
    steps: STEPS,
    stepMs: +stepMs.toFixed(1),
    kernelSelfMs: +kernelSelf.toFixed(1),
    load1: os.loadavg()[0],
  }),
);
for (const [name, s] of rows) {
  console.log(
    JSON.stringify({
      kernel: name,
      callsPerStep: s.calls / STEPS,
      selfMs: +(s.selfMs / STEPS).toFixed(2),
      totalMs: +(s.totalMs / STEPS).toFixed(2),
    }),
  );
}
trainer.dispose();
