// fashion-wgan-gp: `gankit train --example fashion-wgan-gp`.
import { GankitError, type GanPlugin } from '@gankit/core';
import { dcganDiscriminator, dcganGenerator } from '@gankit/architectures';
import type { DcganUpsampling } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { loadFashionMnist } from '@gankit/data/node';
import { wasserstein } from '@gankit/losses';
import { fashionClassifier, fidPlugin } from '@gankit/metrics';
import { gradientPenalty } from '@gankit/regularizers';
import { fusedAdam, learningRateSchedule, linearDecay } from '@gankit/trainer';
import { imageExample, realFeatureStatistics, type Example, type RealImages } from '@gankit/cli';

/** What {@link fashionWganGpExample} builds a WGAN-GP example on Fashion-MNIST from. */
export interface FashionWganGpSettings {
  /** Length of z. */
  readonly latentDim: number;
  /** Dense units after z in G and after the convolutions in the critic (none when undefined). */
  readonly hiddenUnits?: number | undefined;
  /** Filters of G's last transposed convolution (`dcganGenerator`'s `baseFilters`). */
  readonly generatorFilters: number;
  /** How G doubles the size (`dcganGenerator`'s `upsampling`; default `'transposed'`). */
  readonly generatorUpsampling?: DcganUpsampling | undefined;
  /** Filters of the critic's first convolution (`dcganDiscriminator`'s `baseFilters`). */
  readonly discriminatorFilters: number;
  /** The critic's normalization: none, or layer norm where DCGAN has batch norm (WGAN-GP's choice). */
  readonly criticNormalization: 'none' | 'layer';
  /** Gradient-penalty weight λ. */
  readonly lambda: number;
  /** Critic updates per generator update. */
  readonly criticSteps: number;
  /** The critic's Adam learning rate. */
  readonly learningRate: number;
  /** The generator's Adam learning rate. */
  readonly generatorLearningRate: number;
  /** Adam β₁ (both players). */
  readonly beta1: number;
  /** Adam β₂ (both players). */
  readonly beta2: number;
  /**
   * Iteration after which both learning rates fall linearly (`learningRateSchedule` with
   * `linearDecay` of `@gankit/trainer`); constant rates when undefined.
   */
  readonly lrDecayStart?: number | undefined;
  /** Iteration at which the falling learning rates reach `lrDecayTo` × their initial value (needed with `lrDecayStart`). */
  readonly lrDecayEnd?: number | undefined;
  /** Factor of the initial learning rates from `lrDecayEnd` on (default 0). */
  readonly lrDecayTo?: number | undefined;
  /** Decay of the EMA of G's weights (with ramp-up). */
  readonly emaDecay: number;
  /** Iterations. */
  readonly steps: number;
  /** Batch size. */
  readonly batchSize: number;
  /** Iterations between sample grids. */
  readonly gridEvery: number;
  /** Samples of the final evaluation. */
  readonly evalSamples: number;
  /** Log the raw generator's Fashion FD of `fdSamples` samples every this many iterations (0: never). */
  readonly fdEvery: number;
  /** Samples of each logged Fashion FD. */
  readonly fdSamples: number;
}

/**
 * The fashion-wgan-gp example's settings (the defaults of `gankit train --example fashion-wgan-gp`):
 * mnist-dcgan's networks (a dense layer of 1,024 units in G and in the critic, 32 base filters),
 * layer norm in the critic where mnist-dcgan's D has batch norm, and one critic update per
 * generator update, as Progressive GAN trains WGAN-GP, with Adam 2·10⁻⁴ (β₁ 0.5, β₂ 0.9) for both
 * players; 1,500 iterations.
 */
export const FASHION_WGAN_GP = {
  latentDim: 100,
  hiddenUnits: 1024,
  generatorFilters: 32,
  discriminatorFilters: 32,
  criticNormalization: 'layer',
  lambda: 10,
  criticSteps: 1,
  learningRate: 2e-4,
  generatorLearningRate: 2e-4,
  beta1: 0.5,
  beta2: 0.9,
  emaDecay: 0.999,
  steps: 1500,
  batchSize: 64,
  gridEvery: 250,
  /** As many samples as the 10,000 real test images they are scored against (fewer add bias). */
  evalSamples: 10000,
  fdEvery: 250,
  fdSamples: 2000,
} as const satisfies FashionWganGpSettings;

/** Fashion-MNIST from `dir`, `GANKIT_FASHION_MNIST_DIR` or Debian's folder (moved to `@gankit/data/node`; re-exported here). */
export { loadFashionMnist };

/**
 * Plugins that log the generator's Fréchet distance to `real` in the features of `@gankit/metrics`'
 * `fashionClassifier` every `every` iterations (`logs.jsonl`, `metrics.fashionFd`), from `samples`
 * samples: `fidPlugin` with the classifier, and a plugin that frees the classifier with the trainer.
 */
export function fashionFdCurve(every: number, samples: number, real: RealImages): GanPlugin[] {
  const extractor = fashionClassifier();
  const realStatistics = realFeatureStatistics(real, { metric: 'fashion', progress: false });
  const plugin = fidPlugin({ every, extractor, realStatistics, samples, key: 'fashionFd', name: 'fashion-fd' });
  // The plugin does not own its extractor: this one frees it with the trainer.
  return [plugin, { name: 'fashion-fd-extractor', dispose: () => extractor.dispose() }];
}

/**
 * A WGAN-GP (Gulrajani et al. 2017) image example on Fashion-MNIST with `settings`: Wasserstein
 * loss, gradient penalty λ at random interpolates, `criticSteps` critic updates per generator
 * update, Adam for both players, `dcganGenerator` and a `dcganDiscriminator` critic without batch
 * norm (the penalty needs each image's own critic output; `criticNormalization: 'layer'` puts layer
 * norm in its place), an EMA of G. It trains on the 60,000
 * training images and scores samples against the 10,000 test images in the features of
 * `@gankit/metrics`' `fashionClassifier` (metric `'fashion'`); with `fdEvery` it also logs that
 * distance for the raw generator during training (`logs.jsonl`, `metrics.fashionFd`).
 */
export function fashionWganGpExample(settings: FashionWganGpSettings, name = 'fashion-wgan-gp'): Example {
  const adam = (lr: number) => fusedAdam(lr, settings.beta1, settings.beta2);
  const { lrDecayStart, lrDecayEnd, lrDecayTo = 0 } = settings;
  if ((lrDecayStart === undefined) !== (lrDecayEnd === undefined))
    throw new GankitError('config', `fashionWganGpExample: lrDecayStart and lrDecayEnd go together, got ${lrDecayStart} and ${lrDecayEnd}`);
  // Built here, so that bad iterations are refused before any data is read.
  const decay =
    lrDecayStart === undefined ? undefined : linearDecay({ startStep: lrDecayStart, endStep: lrDecayEnd as number, to: lrDecayTo });
  // The test split, loaded once: the final scores and the logged curve both compare with it.
  let test: RealImages | undefined;
  const testImages = (): RealImages => {
    test ??= loadFashionMnist(undefined, 'test');
    return test;
  };
  return imageExample({
    name,
    // The dense layers make data-parallel workers slower than one replica with kernel threads.
    parallelism: 'threads',
    description: `WGAN-GP on Fashion-MNIST (Debian dataset-fashion-mnist): Wasserstein loss, gradient penalty ${settings.lambda}, ${settings.criticSteps} critic steps`,
    title: 'WGAN-GP on Fashion-MNIST',
    defaults: { steps: settings.steps, batchSize: settings.batchSize, gridEvery: settings.gridEvery, evalSamples: settings.evalSamples },
    data: () => loadFashionMnist(),
    // Scored like the reference of @gankit/metrics' README: against the 10,000 t10k test images.
    realImages: testImages,
    metric: 'fashion',
    generator: (seed) =>
      dcganGenerator({
        imageShape: [28, 28, 1],
        latentDim: settings.latentDim,
        hiddenUnits: settings.hiddenUnits,
        baseFilters: settings.generatorFilters,
        upsampling: settings.generatorUpsampling,
        seed,
      }),
    discriminator: (seed) =>
      dcganDiscriminator({
        imageShape: [28, 28, 1],
        hiddenUnits: settings.hiddenUnits,
        baseFilters: settings.discriminatorFilters,
        normalization: settings.criticNormalization,
        seed,
      }),
    loss: wasserstein,
    optimizers: () => ({ generator: adam(settings.generatorLearningRate), discriminator: adam(settings.learningRate) }),
    plugins: (optimizers) => [
      gradientPenalty({ lambda: settings.lambda }),
      ...(decay ? [learningRateSchedule({ optimizers: [optimizers.generator, optimizers.discriminator], schedule: decay })] : []),
      ema({ decay: settings.emaDecay, rampUp: true }),
      ...(settings.fdEvery > 0 ? fashionFdCurve(settings.fdEvery, settings.fdSamples, testImages()) : []),
    ],
    discriminatorSteps: settings.criticSteps,
    settings: {
      data: 'fashion-mnist (train split, 60,000 images; scored against the 10,000 test images)',
      architecture: `dcganGenerator / dcganDiscriminator (normalization ${settings.criticNormalization}), hiddenUnits ${settings.hiddenUnits ?? 'none'}, baseFilters ${settings.generatorFilters} / ${settings.discriminatorFilters}${settings.generatorUpsampling ? `, G upsampling ${settings.generatorUpsampling}` : ''}`,
      loss: 'wasserstein',
      regularizers: `gradient penalty lambda ${settings.lambda}`,
      criticSteps: settings.criticSteps,
      optimizer: `adam lr ${settings.generatorLearningRate} (G) / ${settings.learningRate} (D), beta1 ${settings.beta1} beta2 ${settings.beta2}`,
      averaging: `ema decay ${settings.emaDecay}, ramp-up`,
      ...(decay ? { learningRateDecay: `linear from iteration ${lrDecayStart} to ${lrDecayTo} × at ${lrDecayEnd}` } : {}),
    },
  });
}

/**
 * fashion-wgan-gp: {@link fashionWganGpExample} with {@link FASHION_WGAN_GP}. It reads the IDX
 * files of Debian's `dataset-fashion-mnist`, or those in the folder that `GANKIT_FASHION_MNIST_DIR`
 * names.
 */
export const fashionWganGp: Example = fashionWganGpExample(FASHION_WGAN_GP);

export default fashionWganGp;
