import * as tf from '@tensorflow/tfjs-core';
import { mlpDiscriminator, mlpGenerator, packDiscriminator, type MlpActivation } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import type { DataSource } from '@gankit/core';
import { ringMixture } from '@gankit/data';
import { nonSaturating } from '@gankit/losses';
import { r1 } from '@gankit/regularizers';
import { learningRateSchedule, linearDecay, type Trainer } from '@gankit/trainer';
import { finishPointsRun } from '../points';
import type { Example, ExampleOutputs, ExampleSetup, RunFacts } from './types';

/** Settings of an MLP GAN on a 2-D Gaussian mixture (ring8's and grid25's recipe). */
export interface MixtureGanSettings {
  /** Length of the latent vector. */
  readonly latentDim: number;
  /** Hidden widths of G and of D. */
  readonly hidden: readonly number[];
  /** G's hidden activation (D's is leaky ReLU). */
  readonly generatorActivation: MlpActivation;
  /** Adam's initial learning rate, for both players. */
  readonly learningRate: number;
  /** Adam's β₁. */
  readonly beta1: number;
  /** Weight γ of the R1 penalty on D (0: none). */
  readonly r1Gamma: number;
  /** Decay of the EMA of G's weights that samples are drawn from. */
  readonly emaDecay: number;
  /** Step at which the learning rates start decaying linearly. */
  readonly decayStart: number;
  /** Final factor of the learning rates. */
  readonly decayFactor: number;
  /** Default number of iterations (the decay ends there). */
  readonly steps: number;
  /** Default batch size. */
  readonly batchSize: number;
  /** Samples D judges jointly (PacGAN's m, via `packDiscriminator`); 1 is no packing. */
  readonly packing: number;
  /** Discriminator updates per iteration. */
  readonly discriminatorSteps: number;
}

/** The ring8 example's settings (the defaults of `gankit train --example ring8`). */
export const RING8 = {
  modes: 8,
  radius: 2,
  std: 0.02,
  latentDim: 16,
  hidden: [128, 128, 128],
  generatorActivation: 'tanh',
  learningRate: 1e-3,
  beta1: 0.5,
  r1Gamma: 0,
  emaDecay: 0.99,
  decayStart: 4000,
  decayFactor: 0.05,
  steps: 8000,
  batchSize: 128,
  packing: 1,
  discriminatorSteps: 1,
} as const satisfies MixtureGanSettings & { modes: number; radius: number; std: number };

/**
 * The setup of an MLP GAN on a 2-D mixture: a `generatorActivation` MLP generator, a leaky-ReLU
 * MLP discriminator (packed when `packing > 1`), non-saturating loss, R1 on D, Adam for both
 * players decayed linearly from `decayStart` to the end of the default run, and an EMA of G.
 */
export function mixtureGanSetup(settings: MixtureGanSettings, data: DataSource, seed: number): ExampleSetup {
  const generator = mlpGenerator({
    latentDim: settings.latentDim,
    outputDim: 2,
    hidden: settings.hidden,
    activation: settings.generatorActivation,
    seed: seed * 2 + 1,
  });
  const inner = mlpDiscriminator({ inputDim: 2 * settings.packing, hidden: settings.hidden, seed: seed * 2 + 2 });
  const discriminator = settings.packing > 1 ? packDiscriminator(inner, { samples: settings.packing }) : inner;
  const generatorOptimizer = tf.train.adam(settings.learningRate, settings.beta1);
  const discriminatorOptimizer = tf.train.adam(settings.learningRate, settings.beta1);
  // The decay is a function of the step, so shorter or longer runs (--steps) follow the same curve.
  const decay = linearDecay({ startStep: settings.decayStart, endStep: settings.steps, to: settings.decayFactor });
  return {
    generator,
    discriminator,
    loss: nonSaturating,
    data,
    generatorOptimizer,
    discriminatorOptimizer,
    plugins: [
      ...(settings.r1Gamma > 0 ? [r1({ gamma: settings.r1Gamma })] : []),
      ema({ decay: settings.emaDecay }),
      learningRateSchedule({ optimizers: [generatorOptimizer, discriminatorOptimizer], schedule: decay }),
    ],
    discriminatorSteps: settings.discriminatorSteps,
  };
}

/**
 * ring8: an MLP GAN on a mixture of 8 Gaussians evenly spaced on a circle of radius 2 with standard
 * deviation 0.02 (Metz et al.'s mode-collapse benchmark): a tanh MLP generator (saturating units make
 * the near-constant plateaus and sharp steps that tight, separate clusters need; a ReLU generator
 * left ~4x more points between the modes at the same step count), a leaky-ReLU MLP discriminator,
 * non-saturating loss, an R1 penalty on D (γ = 0.1) against early collapse, Adam at 1e-3 decayed
 * linearly to 5% over the second half, and an EMA of G's weights (decay 0.99) for sampling.
 */
export const ring8: Example = {
  name: 'ring8',
  description: 'MLP GAN on a ring of 8 Gaussians (radius 2, std 0.02): the mode-collapse benchmark',
  defaults: { steps: RING8.steps, batchSize: RING8.batchSize },
  setup: ({ seed }) => mixtureGanSetup(RING8, ringMixture({ modes: RING8.modes, radius: RING8.radius, std: RING8.std }), seed),
  finish: (trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> => finishPointsRun(trainer, facts, 'ring8'),
};
