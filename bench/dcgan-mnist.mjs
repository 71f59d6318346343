// The DCGAN-MNIST step (issue 3): a full trainer iteration at batch 64 — one discriminator update
// on real and fake, one generator update, non-saturating loss, Adam lr 2e-4, beta1 0.5 — on the
// default backend; the same step as a hand-written tfjs loop (the trainer's overhead); and a few
// steps on the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { countParameters, ensureGradients, RandomSource } from '@gankit/core';
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { Trainer } from '@gankit/trainer';
import { median, report, time } from './util.mjs';

const BATCH = 64;
const runs = Number(process.env.BENCH_RUNS ?? 10);

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

async function trainerStep(backend, stepRuns) {
  const { generator, discriminator } = models(`t_${backend}`);
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
  const ms = await time(() => trainer.step(), { warmup: 2, runs: stepRuns });
  const out = { generatorParams: countParameters(generator), discriminatorParams: countParameters(discriminator), ms };
  trainer.dispose();
  generator.dispose();
  discriminator.dispose();
  return out;
}

async function handWrittenStep(stepRuns) {
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
  const ms = await time(step, { warmup: 2, runs: stepRuns });
  G.dispose();
  D.dispose();
  return ms;
}

const chosen = await initBackend();
const t = await trainerStep(chosen.backend, runs);
const h = await handWrittenStep(runs);
const msT = median(t.ms);
const msH = median(h);
report({
  bench: 'dcgan-mnist-step',
  backend: chosen.backend,
  batch: BATCH,
  msPerStep: Number(msT.toFixed(1)),
  generatorParams: t.generatorParams,
  discriminatorParams: t.discriminatorParams,
  runs,
});
report({ bench: 'dcgan-mnist-step-handwritten', backend: chosen.backend, batch: BATCH, msPerStep: Number(msH.toFixed(1)), trainerOverheadPercent: Number((((msT - msH) / msH) * 100).toFixed(1)) });

if (process.env.BENCH_SKIP_CPU !== '1') {
  await initBackend({ backend: 'cpu' });
  const c = await trainerStep('cpu', 2);
  report({ bench: 'dcgan-mnist-step', backend: 'cpu', batch: BATCH, msPerStep: Number(median(c.ms).toFixed(0)), generatorParams: c.generatorParams, discriminatorParams: c.discriminatorParams, runs: 2 });
}
