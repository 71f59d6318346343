// The DCGAN-MNIST step (issue 3): a full trainer iteration at batch 64 — one discriminator update
// on real and fake, one generator update, non-saturating loss, Adam lr 2e-4, beta1 0.5 — on the
// default backend; the same step as a hand-written tfjs loop (the trainer's overhead); and a few
// steps on the pure-JS cpu backend. The trainer and the hand-written loop run interleaved (one
// step each, in turn) so that load from other processes hits both alike; the overhead is the
// median of the per-pair ratios. Every line carries the 1-minute load average.
// Then the same step data-parallel on two worker threads (@gankit/backend/node's DataParallel,
// replica in dcgan-replica.mjs: each thread its own wasm backend and half the batch), interleaved
// with the hand-written loop on one thread: tfjs's wasm backend runs one thread in Node.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { DataParallel } from '@gankit/backend/node';
import { countParameters, ensureGradients, RandomSource } from '@gankit/core';
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { Trainer } from '@gankit/trainer';
import { median, report, round, time, timeInterleaved } from './util.mjs';

const BATCH = 64;
const runs = Number(process.env.BENCH_RUNS ?? 15);

/** Real-looking data without disk access: a fixed pool of [-1, 1] images sampled per batch. */
function imageData() {
  const pool = tf.tidy(() => tf.tanh(tf.randomNormal([512, 28, 28, 1], 0, 2, 'float32', 7)));
  return {
    name: 'bench-images',
    sampleShape: [28, 28, 1],
    nextBatch(n, random) {
      const idx = random.permutation(512).slice(0, n);
      return { x: tf.tidy(() => tf.gather(pool, tf.tensor1d(Array.from(idx), 'int32'))) };
    },
  };
}

function models(tag) {
  return {
    generator: dcganMnistGenerator({ seed: 1, name: `generator_${tag}` }),
    discriminator: dcganMnistDiscriminator({ seed: 2, name: `discriminator_${tag}` }),
  };
}

function makeTrainer(tag) {
  const { generator, discriminator } = models(tag);
  const trainer = new Trainer({
    generator,
    discriminator,
    loss: nonSaturating,
    data: imageData(),
    batchSize: BATCH,
    generatorOptimizer: tf.train.adam(2e-4, 0.5),
    discriminatorOptimizer: tf.train.adam(2e-4, 0.5),
    seed: 0,
  });
  return {
    step: () => trainer.step(),
    params: { generatorParams: countParameters(generator), discriminatorParams: countParameters(discriminator) },
    dispose() {
      trainer.dispose();
      generator.dispose();
      discriminator.dispose();
    },
  };
}

function makeHandWritten() {
  ensureGradients();
  const { generator: G, discriminator: D } = models('hand');
  const data = imageData();
  const rng = new RandomSource(0);
  const gOpt = tf.train.adam(2e-4, 0.5);
  const dOpt = tf.train.adam(2e-4, 0.5);
  const dVars = [...D.trainableVariables];
  const gVars = [...G.trainableVariables];
  const step = () => {
    const { x } = data.nextBatch(BATCH, rng);
    const z1 = rng.normal([BATCH, 100]);
    const fake = tf.tidy(() => G.apply(z1, { training: true }));
    const dl = dOpt.minimize(() => tf.add(tf.mean(tf.softplus(tf.neg(D.apply(x, { training: true })))), tf.mean(tf.softplus(D.apply(fake, { training: true })))), true, dVars);
    const z2 = rng.normal([BATCH, 100]);
    const gl = gOpt.minimize(() => tf.mean(tf.softplus(tf.neg(D.apply(G.apply(z2, { training: true }), { training: true })))), true, gVars);
    tf.stack([dl, gl]).dataSync();
    tf.dispose([x, z1, fake, dl, gl, z2]);
  };
  return {
    step,
    dispose() {
      G.dispose();
      D.dispose();
      gOpt.dispose();
      dOpt.dispose();
    },
  };
}

const t0 = performance.now();
const chosen = await initBackend();
const trainer = makeTrainer(`t_${chosen.backend}`);
const hand = makeHandWritten();
const dpWorkers = Number(process.env.BENCH_DP_WORKERS ?? 2);
const dp = dpWorkers > 0 ? await DataParallel.start({ module: new URL('./dcgan-replica.mjs', import.meta.url), options: { batch: BATCH }, workers: dpWorkers }) : null;
const fns = { trainer: trainer.step, hand: hand.step };
if (dp) fns.dataParallel = () => dp.step();
const ms = await timeInterleaved(fns, { warmup: 2, runs });
const msT = median(ms.trainer);
const msH = median(ms.hand);
const ratios = ms.trainer.map((t, i) => t / ms.hand[i]);
report({
  bench: 'dcgan-mnist-step',
  backend: chosen.backend,
  batch: BATCH,
  msPerStep: round(msT),
  msMin: round(Math.min(...ms.trainer)),
  ...trainer.params,
  runs,
});
report({
  bench: 'dcgan-mnist-step-handwritten',
  backend: chosen.backend,
  batch: BATCH,
  msPerStep: round(msH),
  msMin: round(Math.min(...ms.hand)),
  trainerOverheadPercent: round((median(ratios) - 1) * 100),
  runs,
});
if (dp) {
  const weights = await dp.weights();
  const identical = weights.every((w) => Object.keys(w).every((k) => w[k].values.every((v, i) => Object.is(v, weights[0][k].values[i]))));
  report({
    bench: 'dcgan-mnist-step-data-parallel',
    backend: dp.backend,
    batch: BATCH,
    workers: dpWorkers,
    msPerStep: round(median(ms.dataParallel)),
    msMin: round(Math.min(...ms.dataParallel)),
    speedupVsHandwritten: round(median(ms.hand.map((h, i) => h / ms.dataParallel[i])), 2),
    replicasIdentical: identical,
    runs,
  });
  await dp.close();
}
trainer.dispose();
hand.dispose();

if (process.env.BENCH_SKIP_CPU !== '1') {
  // The pure-JS backend took 281 s a step here (quiet 2-core machine): one step, no warm-up, is
  // enough to show the gap (BENCH_SKIP_CPU=1 skips it).
  await initBackend({ backend: 'cpu' });
  const c = makeTrainer('t_cpu');
  const cms = await time(c.step, { warmup: 0, runs: 1 });
  report({ bench: 'dcgan-mnist-step', backend: 'cpu', batch: BATCH, msPerStep: round(median(cms), 0), ...c.params, runs: 1 });
  c.dispose();
}
report({ bench: 'dcgan-mnist-total', seconds: round((performance.now() - t0) / 1000) });
