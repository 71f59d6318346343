import * as tf from '@tensorflow/tfjs-core';
import { mlpDiscriminator, mlpGenerator } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { ringMixture } from '@gankit/data';
import { nonSaturating } from '@gankit/losses';
import { r1 } from '@gankit/regularizers';
import { learningRateSchedule, linearDecay, type Trainer } from '@gankit/trainer';
import { finishPointsRun } from '../points';
import type { Example, ExampleOutputs, RunFacts } from './types';

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
  r1Gamma: 0.1,
  emaDecay: 0.99,
  decayStart: 3000,
  decayFactor: 0.05,
  steps: 6000,
  batchSize: 128,
} as const;

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
  setup({ seed }) {
    const generator = mlpGenerator({ latentDim: RING8.latentDim, outputDim: 2, hidden: RING8.hidden, activation: RING8.generatorActivation, seed: seed * 2 + 1 });
    const discriminator = mlpDiscriminator({ inputDim: 2, hidden: RING8.hidden, seed: seed * 2 + 2 });
    const generatorOptimizer = tf.train.adam(RING8.learningRate, RING8.beta1);
    const discriminatorOptimizer = tf.train.adam(RING8.learningRate, RING8.beta1);
    // Decay both learning rates over the second half of the default run; the decay is a function of
    // the step, so shorter or longer runs (--steps) follow the same curve.
    const decay = linearDecay({ startStep: RING8.decayStart, endStep: RING8.steps, to: RING8.decayFactor });
    return {
      generator,
      discriminator,
      loss: nonSaturating,
      data: ringMixture({ modes: RING8.modes, radius: RING8.radius, std: RING8.std }),
      generatorOptimizer,
      discriminatorOptimizer,
      plugins: [r1({ gamma: RING8.r1Gamma }), ema({ decay: RING8.emaDecay }), learningRateSchedule({ optimizers: [generatorOptimizer, discriminatorOptimizer], schedule: decay })],
      discriminatorSteps: 1,
    };
  },
  finish: (trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> => finishPointsRun(trainer, facts, 'ring8'),
};
