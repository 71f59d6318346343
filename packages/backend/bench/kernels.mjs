// Benchmarks the wasm convolution kernels at DCGAN-MNIST shapes, batch 64: conv2d forward, and the
// two backprop kernels, tfjs's built-in wasm kernel (where one exists) against @gankit/backend's.
// Prints one JSON object per line. Build first: `npx tsup`; run: `node bench/kernels.mjs`.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';

const BATCH = Number(process.env.BENCH_BATCH ?? 64);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

await initBackend({ backend: 'wasm' });

/** Median ms per call of `f` over RUNS runs after one warm-up; reads the result back each time. */
function median(f) {
  const once = () => {
    const t0 = performance.now();
    const y = f();
    y.dataSync();
    const ms = performance.now() - t0;
    y.dispose();
    return ms;
  };
  once();
  const times = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
  return Number(times[Math.floor(times.length / 2)].toFixed(2));
}

// D's layers; G's conv2dTranspose layers are the Conv2DBackpropInput of the same shapes.
const layers = [
  { name: '28x28x1->14x14x64', x: [BATCH, 28, 28, 1], filter: [4, 4, 1, 64] },
  { name: '14x14x64->7x7x128', x: [BATCH, 14, 14, 64], filter: [4, 4, 64, 128] },
];

const emit = (o) => console.log(JSON.stringify({ backend: tf.getBackend(), batch: BATCH, runs: RUNS, ...o }));

for (const layer of layers) {
  const x = tf.randomNormal(layer.x);
  const filter = tf.randomNormal(layer.filter);
  const y = tf.conv2d(x, filter, 2, 'same');
  const dy = tf.randomNormal(y.shape);
  y.dispose();
  const filterGrad = () =>
    tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: layer.filter }
      );
  const inputGrad = () =>
    tf
      .engine()
      .runKernel(
        'Conv2DBackpropInput',
        { dy, filter },
        { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: layer.x }
      );

  emit({
    bench: 'Conv2D',
    layer: layer.name,
    impl: 'builtin',
    ms: median(() => tf.conv2d(x, filter, 2, 'same')),
  });

  unregisterWasmTrainingKernels();
  const builtinFilter = tf.getKernel('Conv2DBackpropFilter', 'wasm') != null;
  emit({
    bench: 'Conv2DBackpropFilter',
    layer: layer.name,
    impl: 'builtin',
    ms: builtinFilter ? median(filterGrad) : null,
    note: builtinFilter ? undefined : 'not registered for wasm in tfjs 4.22',
  });
  emit({ bench: 'Conv2DBackpropInput', layer: layer.name, impl: 'builtin', ms: median(inputGrad) });

  registerWasmTrainingKernels();
  emit({ bench: 'Conv2DBackpropFilter', layer: layer.name, impl: 'gankit', ms: median(filterGrad) });
  emit({ bench: 'Conv2DBackpropInput', layer: layer.name, impl: 'gankit', ms: median(inputGrad) });
  tf.dispose([x, filter, dy]);
}
