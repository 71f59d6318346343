// Benchmarks the wasm kernels @gankit/backend registers against tfjs's built-in wasm kernels, at
// DCGAN-MNIST shapes, batch 64: conv2d forward for scale, the two conv backprop kernels, and the
// wrapped BatchMatMul (transposed), Sum (leading axes), Greater (against a scalar), Identity and
// LeakyRelu.
// Built-in and gankit calls alternate (the registration is switched between calls) so that load
// from other processes hits both alike; each call gets freshly computed inputs (tfjs's wasm
// matMul caches packed weights per buffer, so repeating one input would flatter it).
// Prints one JSON object per line, with the load average. Build first: `npx tsup`; run:
// `node bench/kernels.mjs`.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';

const BATCH = Number(process.env.BENCH_BATCH ?? 64);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

await initBackend({ backend: 'wasm' });

const emit = (o) =>
  console.log(JSON.stringify({ backend: tf.getBackend(), batch: BATCH, runs: RUNS, ...o, load1: Number(os.loadavg()[0].toFixed(2)) }));

/** ms of one call of `f(...inputs)`, reading the result back; inputs made fresh, outside the timing. */
function once(make, f) {
  const inputs = make();
  const t0 = performance.now();
  const y = f(...inputs);
  y.dataSync();
  const ms = performance.now() - t0;
  tf.dispose([y, ...inputs]);
  return ms;
}

const med = (xs) => Number([...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(2));

/** Median ms of the built-in kernel (null if it has none) and of gankit's, interleaved. */
function compare(make, f, hasBuiltin = true) {
  const builtin = [];
  const gankit = [];
  for (let r = 0; r <= RUNS; r++) {
    // r = 0 warms both up.
    if (hasBuiltin) {
      unregisterWasmTrainingKernels();
      const ms = once(make, f);
      if (r > 0) builtin.push(ms);
    }
    registerWasmTrainingKernels();
    const ms = once(make, f);
    if (r > 0) gankit.push(ms);
  }
  return { builtinMs: hasBuiltin ? med(builtin) : null, gankitMs: med(gankit) };
}

const fresh =
  (...ts) =>
  () =>
    ts.map((t) => tf.mul(t, 1.0001));

// D's layers; G's conv2dTranspose layers are the Conv2DBackpropInput of the same shapes.
const layers = [
  { name: '28x28x1->14x14x64', x: [BATCH, 28, 28, 1], filter: [4, 4, 1, 64] },
  { name: '14x14x64->7x7x128', x: [BATCH, 14, 14, 64], filter: [4, 4, 64, 128] },
];
for (const layer of layers) {
  const x = tf.randomNormal(layer.x);
  const filter = tf.randomNormal(layer.filter);
  const y = tf.conv2d(x, filter, 2, 'same');
  const dy = tf.randomNormal(y.shape);
  y.dispose();
  const conv = compare(fresh(x, filter), (a, w) => tf.conv2d(a, w, 2, 'same'), false);
  emit({ bench: 'Conv2D', layer: layer.name, ms: conv.gankitMs, note: 'forward, for scale (not replaced)' });
  const filterGrad = (a, d) =>
    tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x: a, dy: d }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: layer.filter });
  const inputGrad = (d, w) =>
    tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy: d, filter: w }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: layer.x });
  emit({
    bench: 'Conv2DBackpropFilter',
    layer: layer.name,
    ...compare(fresh(x, dy), filterGrad, false),
    note: 'no built-in wasm kernel in tfjs 4.22',
  });
  emit({ bench: 'Conv2DBackpropInput', layer: layer.name, ...compare(fresh(dy, filter), inputGrad) });
  tf.dispose([x, filter, dy]);
}

const z = tf.randomNormal([BATCH, 100]);
const dDense = tf.randomNormal([BATCH, 6272]);
emit({
  bench: 'BatchMatMul',
  layer: "G dense weight gradient z'·dy [64,100]'x[64,6272]",
  ...compare(fresh(z, dDense), (a, b) => tf.matMul(a, b, true, false)),
});
const dLogit = tf.randomNormal([BATCH, 1]);
const wD = tf.randomNormal([6272, 1]);
emit({
  bench: 'BatchMatMul',
  layer: "D dense input gradient dy·W' [64,1]x[6272,1]'",
  ...compare(fresh(dLogit, wD), (a, b) => tf.matMul(a, b, false, true)),
});
const act = tf.randomNormal([BATCH, 14, 14, 64]);
emit({ bench: 'Sum', layer: 'bias gradient over [0,1,2] of [64,14,14,64]', ...compare(fresh(act), (a) => tf.sum(a, [0, 1, 2])) });
emit({ bench: 'Mean', layer: 'batch-norm mean over [0,1,2] of [64,14,14,64]', ...compare(fresh(act), (a) => tf.mean(a, [0, 1, 2], true)) });
emit({ bench: 'Greater', layer: "leaky ReLU's mask x > 0 of [64,14,14,64]", ...compare(fresh(act), (a) => tf.greater(a, 0)) });
emit({ bench: 'Identity', layer: 'tf.clone of [64,14,14,64]', ...compare(fresh(act), (a) => tf.clone(a)) });
emit({ bench: 'LeakyRelu', layer: "D's activation, alpha 0.2, of [64,14,14,64]", ...compare(fresh(act), (a) => tf.leakyRelu(a, 0.2)) });
tf.dispose([z, dDense, dLogit, wD, act]);
