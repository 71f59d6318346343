// grid25: `gankit train --example grid25`.
import { gridMixture } from '@gankit/data';
import type { Trainer } from '@gankit/trainer';
import {
  finishPointsRun,
  MIXTURE_GAN_DEFAULTS,
  mixtureGanSetup,
  mixtureLatent,
  type Example,
  type ExampleOutputs,
  type RunFacts,
} from '@gankit/cli';

/** The grid25 example's settings (the defaults of `gankit train --example grid25`). */
export const GRID25 = {
  ...MIXTURE_GAN_DEFAULTS,
  /** Modes per side of the grid. */
  side: 5,
  /** Distance between neighbouring means. */
  spacing: 2,
  /** Standard deviation of each Gaussian. */
  std: 0.05,
  /** Examples per batch (the mixture recipe's 128, doubled). */
  batchSize: 256,
  /** A categorical latent code of 25 values, one per mode, read back by a Q head on D (InfoGAN). */
  codeCategories: 25,
} as const;

/**
 * grid25: an MLP GAN on a 5 × 5 grid of Gaussians with standard deviation 0.05 and means at
 * `{-4, -2, 0, 2, 4}²` (the 2-D grid of VEEGAN and PacGAN), trained with ring8's recipe
 * ({@link mixtureGanSetup} with {@link GRID25}'s settings: {@link MIXTURE_GAN_DEFAULTS} with a
 * batch of 256 and a categorical code of 25 values, InfoGAN's, as ring8's 8).
 */
export const grid25: Example = {
  name: 'grid25',
  description: 'MLP GAN on a 5x5 grid of Gaussians (spacing 2, std 0.05): the second mode-collapse benchmark',
  defaults: { steps: GRID25.steps, batchSize: GRID25.batchSize },
  setup: ({ seed }) => mixtureGanSetup(GRID25, gridMixture({ side: GRID25.side, spacing: GRID25.spacing, std: GRID25.std }), seed),
  finish: (trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> => finishPointsRun(trainer, facts, 'grid25'),
  latent: mixtureLatent(GRID25),
};

export default grid25;
