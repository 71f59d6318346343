import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import { dcganDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { FASHION_MNIST_DIR, checkFashionMnist, fashionMnist, findFashionMnistFiles, type Split } from '@gankit/data/node';
import { wasserstein } from '@gankit/losses';
import { gradientPenalty } from '@gankit/regularizers';
import { imageExample } from '../images';

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

/**
 * The environment variable that points the fashion-wgan-gp example (and `--config` runs on
 * `fashion-mnist` without a `dir`) at another folder of Fashion-MNIST IDX files
 * (`train-images-idx3-ubyte` and `train-labels-idx1-ubyte`, gzipped or not) than the one where
 * Debian's `dataset-fashion-mnist` installs them.
 */
const FASHION_MNIST_DIR_ENV = 'GANKIT_FASHION_MNIST_DIR';

/**
 * Fashion-MNIST's images of one split (`'train'`, the default, or `'test'`: the `t10k-*` files)
 * from `dir`, else from the folder that the environment variable `GANKIT_FASHION_MNIST_DIR` names,
 * else from Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist`). Absent files
 * give a message saying how to install them; a damaged file gives its own cause (truncated, wrong
 * magic number, …), not "not installed".
 */
export function loadFashionMnist(
  dir: string | undefined = process.env[FASHION_MNIST_DIR_ENV] || undefined,
  split: Split = 'train',
): ReturnType<typeof fashionMnist> {
  requireFashionMnist(dir, split);
  return fashionMnist(dir === undefined ? { split } : { dir, split });
}

/**
 * Checks, without loading them, that one split's Fashion-MNIST files are there and whole (see
 * {@link loadFashionMnist} for where it looks); returns the number of images. Lets `gankit train`
 * refuse missing or damaged data before the backend starts.
 */
export function checkFashionMnistData(
  dir: string | undefined = process.env[FASHION_MNIST_DIR_ENV] || undefined,
  split: Split = 'train',
): number {
  requireFashionMnist(dir, split);
  return checkFashionMnist(dir === undefined ? { split } : { dir, split });
}

/** Throws the "not installed" message when a split's files are absent (and only then). */
function requireFashionMnist(dir: string | undefined, split: Split): void {
  const files = findFashionMnistFiles(dir === undefined ? { split } : { dir, split });
  if (files.missing.length === 0) return;
  throw new GankitError(
    'data',
    `Fashion-MNIST is not installed in ${files.dir}. Install it with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu; the files land in ${FASHION_MNIST_DIR}), or set ${FASHION_MNIST_DIR_ENV} to the folder with the IDX files, or train with --config and "data": { "name": "fashion-mnist", "dir": "<folder with the IDX files>" }. (missing: ${files.missing.map((m) => `${m}(.gz)`).join(', ')})`,
  );
}

/**
 * fashion-wgan-gp: WGAN-GP (Gulrajani et al. 2017) on Fashion-MNIST: Wasserstein loss, gradient
 * penalty λ = 10 at random interpolates, k = 5 critic updates per generator update, Adam 1e-4
 * (β₁ 0.5, β₂ 0.9), a DCGAN critic without batch norm (the penalty needs per-example outputs),
 * the DCGAN-MNIST generator and an EMA of its weights. It reads the IDX files of Debian's
 * `dataset-fashion-mnist`, or those in the folder that `GANKIT_FASHION_MNIST_DIR` names.
 */
export const fashionWganGp = imageExample({
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
