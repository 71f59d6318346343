// The ring8 example's iteration time on the default backend (its default settings), and the
// tensor count and process memory over a 10,000-step soak (BENCH_RING8_STEPS changes it), so that
// leaks show as slopes per step: tensors (must be 0), JS heap and resident set size.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { RING8, ring8 } from '@gankit/cli';
import { Trainer } from '@gankit/trainer';
import { median, report } from './util.mjs';

const chosen = await initBackend();
const steps = Number(process.env.BENCH_RING8_STEPS ?? 10000);
const setup = ring8.setup({ seed: 0, batchSize: RING8.batchSize });
const trainer = new Trainer({ ...setup, batchSize: RING8.batchSize, seed: 0 });
await trainer.fit({ steps: 20 });
const ms = [];
const tensors = [];
const heap = [];
const rss = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  await trainer.step();
  ms.push(performance.now() - t0);
  if (i % 50 === 0) {
    tensors.push(tf.memory().numTensors);
    heap.push(process.memoryUsage().heapUsed);
    rss.push(process.memoryUsage().rss);
  }
}
const slope = (ys) => {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    num += (i - mx) * (y - my);
    den += (i - mx) ** 2;
  });
  return den ? num / den / 50 : 0;
};
report({
  bench: 'ring8-step',
  backend: chosen.backend,
  batch: RING8.batchSize,
  msPerStep: Number(median(ms).toFixed(2)),
  projectedDefaultRunSeconds: Number(((median(ms) * RING8.steps) / 1000).toFixed(1)),
  steps,
  tensorsPerStepSlope: slope(tensors),
  heapBytesPerStepSlope: Number(slope(heap).toFixed(1)),
  rssBytesPerStepSlope: Number(slope(rss).toFixed(1)),
  tensorsAtEnd: tf.memory().numTensors,
});
trainer.dispose();
setup.generator.dispose();
setup.discriminator.dispose();
