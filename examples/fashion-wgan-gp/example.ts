// fashion-wgan-gp: `gankit train --example fashion-wgan-gp`.
import * as tf from '@tensorflow/tfjs-core';
import { dcganDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { loadFashionMnist } from '@gankit/data/node';
import { wasserstein } from '@gankit/losses';
import { gradientPenalty } from '@gankit/regularizers';
import { imageExample, type Example } from '@gankit/cli';

/** The fashion-wgan-gp example's settings (the defaults of `gankit train --example fashion-wgan-gp`). */
export const FASHION_WGAN_GP = {
  latentDim: 100,
  lambda: 10,
  criticSteps: 5,
  learningRate: 1e-4,
  beta1: 0.5,
  beta2: 0.9,
  emaDecay: 0.999,
  steps: 1000,
  batchSize: 64,
  gridEvery: 50,
  evalSamples: 1000,
} as const;

/** Fashion-MNIST from `dir`, `GANKIT_FASHION_MNIST_DIR` or Debian's folder (moved to `@gankit/data/node`; re-exported here). */
export { loadFashionMnist };

/**
 * fashion-wgan-gp: WGAN-GP (Gulrajani et al. 2017) on Fashion-MNIST: Wasserstein loss, gradient
 * penalty λ = 10 at random interpolates, k = 5 critic updates per generator update, Adam 1e-4
 * (β₁ 0.5, β₂ 0.9), a DCGAN critic without batch norm (the penalty needs per-example outputs),
 * the DCGAN-MNIST generator and an EMA of its weights. It reads the IDX files of Debian's
 * `dataset-fashion-mnist`, or those in the folder that `GANKIT_FASHION_MNIST_DIR` names.
 */
export const fashionWganGp: Example = imageExample({
  name: 'fashion-wgan-gp',
  description: 'WGAN-GP on Fashion-MNIST (Debian dataset-fashion-mnist): Wasserstein loss, gradient penalty 10, 5 critic steps',
  title: 'WGAN-GP on Fashion-MNIST',
  defaults: {
    steps: FASHION_WGAN_GP.steps,
    batchSize: FASHION_WGAN_GP.batchSize,
    gridEvery: FASHION_WGAN_GP.gridEvery,
    evalSamples: FASHION_WGAN_GP.evalSamples,
  },
  data: () => loadFashionMnist(),
  metric: 'digit-features',
  generator: (seed) => dcganMnistGenerator({ latentDim: FASHION_WGAN_GP.latentDim, seed }),
  discriminator: (seed) => dcganDiscriminator({ imageShape: [28, 28, 1], batchNorm: false, seed }),
  loss: wasserstein,
  optimizers: () => ({
    generator: tf.train.adam(FASHION_WGAN_GP.learningRate, FASHION_WGAN_GP.beta1, FASHION_WGAN_GP.beta2),
    discriminator: tf.train.adam(FASHION_WGAN_GP.learningRate, FASHION_WGAN_GP.beta1, FASHION_WGAN_GP.beta2),
  }),
  plugins: () => [gradientPenalty({ lambda: FASHION_WGAN_GP.lambda }), ema({ decay: FASHION_WGAN_GP.emaDecay, rampUp: true })],
  discriminatorSteps: FASHION_WGAN_GP.criticSteps,
  settings: {
    data: 'fashion-mnist (train split, 60,000 images)',
    architecture: 'dcganMnistGenerator / dcganDiscriminator without batch norm',
    loss: 'wasserstein',
    regularizers: 'gradient penalty lambda 10',
    criticSteps: 5,
    optimizer: 'adam lr 1e-4 beta1 0.5 beta2 0.9 (G and D)',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

export default fashionWganGp;
