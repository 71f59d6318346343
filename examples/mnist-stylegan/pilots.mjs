// The pilot runs of the README's "What was tried": variants of mnist-stylegan's recipe, scored with the
// usual samples, grids and raw/EMA FID (no style pictures). Not the example itself (that is example.ts).
// Usage: node pilots.mjs '<json options>' steps seed outDir
//   options (defaults = the first, collapsing recipe): bn (DCGAN D with batch norm, true), mbstd (minibatch
//   stddev in the batch-norm-free D, false), lrMul (mapping lr multiplier, 1 = none), mix (0.9), r1 (γ, 0 = none)
//   and r1Every (lazy R1), lr, beta1, beta2, dFilters (32), gFilters (16), batch (32).
// e.g. the pilots: '{"bn":false,"mbstd":true}' 500 0 ... ; '{"bn":false,"mbstd":true,"lrMul":0.01}' 400 0 ... ;
//   '{"lrMul":0.01}' 400 0 ...
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import {
  conv2d,
  dense,
  flatten,
  leakyRelu,
  minibatchStddev,
  sequential,
  styleGenerator,
  styleMixingLatent,
  dcganDiscriminator,
} from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { r1 } from '@gankit/regularizers';
import { meanStyleTracker } from '@gankit/trainer';
import { ema } from '@gankit/averaging';
import { mnistDigits } from '@gankit/data/node';
import { imageExample, runTraining } from '@gankit/cli';

const [json, steps, seed, out] = process.argv.slice(2);
const o = {
  bn: true,
  mbstd: false,
  r1: 0,
  r1Every: 1,
  mix: 0.9,
  lrMul: 1,
  lr: 2e-4,
  beta1: 0.5,
  beta2: 0.999,
  dFilters: 32,
  gFilters: 16,
  batch: 32,
  ...JSON.parse(json),
};
console.error(JSON.stringify(o));
const latent = styleMixingLatent({ numStyles: 6, latentDim: 32, probability: o.mix });
const lazyR1 = (gamma, every) => {
  const inner = r1({ gamma: gamma * every });
  return { ...inner, discriminatorLoss: (s) => (s.step % every === 0 ? inner.discriminatorLoss(s) : {}) };
};
const disc = (seed) =>
  o.bn
    ? dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: o.dFilters, seed })
    : sequential({
        name: 'discriminator',
        inputShape: [28, 28, 1],
        seed,
        layers: [
          conv2d({ filters: o.dFilters, kernelSize: 4, strides: 2 }),
          leakyRelu({ alpha: 0.2 }),
          conv2d({ filters: 2 * o.dFilters, kernelSize: 4, strides: 2 }),
          leakyRelu({ alpha: 0.2 }),
          ...(o.mbstd ? [minibatchStddev()] : []),
          flatten(),
          dense({ units: 1 }),
        ],
      });
const ex = imageExample({
  name: 'stylegan-pilot',
  description: 'pilot',
  title: 'pilot',
  defaults: { steps: 500, batchSize: o.batch, gridEvery: 100, evalSamples: 1000 },
  data: () => mnistDigits({ split: 'train' }),
  metric: 'mnist',
  generator: (seed) =>
    styleGenerator({
      latentDim: 32,
      styleDim: 64,
      mappingLayers: 4,
      baseFilters: o.gFilters,
      imageShape: [28, 28, 1],
      seed,
      ...(o.lrMul !== 1 ? { mappingLrMultiplier: o.lrMul } : {}),
    }),
  latent,
  discriminator: disc,
  loss: nonSaturating,
  optimizers: () => ({ generator: tf.train.adam(o.lr, o.beta1, o.beta2), discriminator: tf.train.adam(o.lr, o.beta1, o.beta2) }),
  plugins: () => [
    ...(o.r1 > 0 ? [o.r1Every > 1 ? lazyR1(o.r1, o.r1Every) : r1({ gamma: o.r1 })] : []),
    meanStyleTracker({ decay: 0.995 }),
    ema({ decay: 0.999, rampUp: true }),
  ],
  discriminatorSteps: 1,
  settings: { pilot: json },
});
const backend = await initBackend();
const t0 = Date.now();
const result = await runTraining(ex, {
  steps: Number(steps),
  seed: Number(seed),
  out,
  overwrite: true,
  backend: backend.backend,
  quiet: true,
});
console.log(result.summary);
console.log(`wall ${((Date.now() - t0) / 1000).toFixed(0)} s`);
