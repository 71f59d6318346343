// The DCGAN-MNIST step (issue 3): a full trainer iteration at batch 64 — one discriminator update
// on real and fake, one generator update, non-saturating loss, Adam lr 2e-4, beta1 0.5 — on the
// default backend; the same step as a hand-written tfjs loop (the trainer's overhead); and a few
// steps on the pure-JS cpu backend. The trainer and the hand-written loop run interleaved (one
// step each, in turn) so that load from other processes hits both alike; the overhead is the
// median of the per-pair ratios. Every line carries the 1-minute load average.
// Then the same trainer step data-parallel on two worker threads (Trainer replicas through
// @gankit/backend/node's runReplicas, in dcgan-trainer-replica.mjs: each thread its own wasm
// backend and half the batch; tfjs's wasm backend runs one thread in Node), timed after the
// interleaved pair, with the one-thread trainer timed again right after it for the speed-up.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { runReplicas } from '@gankit/backend/node';
import { ensureGradients, RandomSource } from '@gankit/core';
import { BATCH, imageData, makeTrainer, models } from './dcgan-setup.mjs';
import { median, report, round, time, timeInterleaved } from './util.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 15);

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
    const dl = dOpt.minimize(
      () => tf.add(tf.mean(tf.softplus(tf.neg(D.apply(x, { training: true })))), tf.mean(tf.softplus(D.apply(fake, { training: true })))),
      true,
      dVars,
    );
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
const ms = await timeInterleaved({ trainer: trainer.step, hand: hand.step }, { warmup: 2, runs });
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
const dpWorkers = Number(process.env.BENCH_DP_WORKERS ?? 2);
if (dpWorkers > 1) {
  const replicas = await runReplicas({
    module: new URL('./dcgan-trainer-replica.mjs', import.meta.url),
    options: { warmup: 2, runs },
    workers: dpWorkers,
    backend: chosen.backend,
  });
  const after = await time(trainer.step, { warmup: 0, runs: Math.min(runs, 6) });
  const msDp = median(replicas[0].ms);
  report({
    bench: 'dcgan-mnist-step-trainer-workers',
    backend: chosen.backend,
    batch: BATCH,
    workers: dpWorkers,
    msPerStep: round(msDp),
    msMin: round(Math.min(...replicas[0].ms)),
    oneThreadMsPerStep: round(median(after)),
    speedup: round(median(after) / msDp, 2),
    replicasIdentical: replicas.every((r) => r.weights === replicas[0].weights),
    runs,
  });
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
