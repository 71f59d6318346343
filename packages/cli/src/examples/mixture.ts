import { mlpDiscriminator, mlpGenerator, packDiscriminator, type MlpActivation } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { type DataSource, GankitError } from '@gankit/core';
import { nonSaturating } from '@gankit/losses';
import { r1 } from '@gankit/regularizers';
import {
  type LatentSampler,
  fusedAdam,
  infogan,
  infoganAdversarialOutput,
  infoganLatent,
  learningRateSchedule,
  linearDecay,
} from '@gankit/trainer';
import type { ExampleSetup } from './types';

/** Settings of an MLP GAN on a 2-D Gaussian mixture (the recipe of the ring8 and grid25 examples). */
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
  /**
   * Values of a categorical latent code (InfoGAN, Chen et al. 2016): G gets one of them, one-hot,
   * beside `latentDim` values of noise, and a Q head on D's body (D's output columns 1 …) learns to
   * read it back; the information term pushes each value to a region of its own. 0 (the default): no code.
   */
  readonly codeCategories?: number | undefined;
  /** λ of the code's information term (the `infogan` plugin's `categoricalWeight`, for G and D; default 0.1). */
  readonly codeWeight?: number | undefined;
}

/**
 * The settings of the mixture recipe that ring8 and grid25 spread into theirs (`RING8`, `GRID25`):
 * a tanh MLP generator (latent 16, 3 × 128), Adam 1e-3 (β₁ 0.5) decayed linearly to 5% over steps
 * 4,000–8,000, no R1, an EMA of G (decay 0.99), batch 128, no packing, one D step per iteration,
 * no categorical code (ring8 and grid25 set `codeCategories` to their number of modes).
 */
export const MIXTURE_GAN_DEFAULTS = {
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
  codeCategories: 0,
  codeWeight: 0.1,
} as const satisfies MixtureGanSettings;

/**
 * The setup of an MLP GAN on a 2-D mixture: a `generatorActivation` MLP generator, a leaky-ReLU
 * MLP discriminator (packed when `packing > 1`), non-saturating loss, R1 on D, Adam for both
 * players decayed linearly from `decayStart` to the end of the default run, and an EMA of G. With
 * `codeCategories > 0`, InfoGAN's categorical code: G reads the noise and a one-hot code
 * (`latent`: {@link mixtureLatent}), D puts out its logit and Q's code logits
 * (`adversarialOutput`: `infoganAdversarialOutput`), and the `infogan` plugin adds the
 * information term with weight `codeWeight` to both players' losses.
 *
 * @throws GankitError when a code is asked for together with packing (Q reads one sample)
 */
export function mixtureGanSetup(settings: MixtureGanSettings, data: DataSource, seed: number): ExampleSetup {
  const codes = settings.codeCategories ?? 0;
  if (!Number.isInteger(codes) || codes < 0)
    throw new GankitError('config', `mixtureGanSetup: codeCategories must be an integer >= 0, got ${String(settings.codeCategories)}`);
  if (codes > 0 && settings.packing > 1)
    throw new GankitError(
      'config',
      'mixtureGanSetup: a categorical code (codeCategories > 0) and packing > 1 do not combine: Q reads one sample',
    );
  const generator = mlpGenerator({
    latentDim: settings.latentDim + codes,
    outputDim: 2,
    hidden: settings.hidden,
    activation: settings.generatorActivation,
    seed: seed * 2 + 1,
  });
  const inner = mlpDiscriminator({ inputDim: 2 * settings.packing, hidden: settings.hidden, outputDim: 1 + codes, seed: seed * 2 + 2 });
  const discriminator = settings.packing > 1 ? packDiscriminator(inner, { samples: settings.packing }) : inner;
  const generatorOptimizer = fusedAdam(settings.learningRate, settings.beta1);
  const discriminatorOptimizer = fusedAdam(settings.learningRate, settings.beta1);
  // The decay is a function of the step, so shorter or longer runs (--steps) follow the same curve.
  const decay = linearDecay({ startStep: settings.decayStart, endStep: settings.steps, to: settings.decayFactor });
  return {
    generator,
    discriminator,
    loss: nonSaturating,
    data,
    generatorOptimizer,
    discriminatorOptimizer,
    ...(codes > 0 ? { latent: mixtureLatent(settings), adversarialOutput: infoganAdversarialOutput } : {}),
    plugins: [
      ...(codes > 0
        ? [infogan({ ...mixtureCodes(settings), categoricalWeight: settings.codeWeight ?? MIXTURE_GAN_DEFAULTS.codeWeight })]
        : []),
      ...(settings.r1Gamma > 0 ? [r1({ gamma: settings.r1Gamma })] : []),
      ema({ decay: settings.emaDecay }),
      learningRateSchedule({ optimizers: [generatorOptimizer, discriminatorOptimizer], schedule: decay }),
    ],
    discriminatorSteps: settings.discriminatorSteps,
  };
}

function mixtureCodes(settings: MixtureGanSettings) {
  return { noiseDim: settings.latentDim, numCategories: settings.codeCategories ?? 0, numContinuous: 0 };
}

/**
 * G's latent distribution under a mixture recipe: a standard normal of `latentDim` without a code,
 * else `infoganLatent` (the noise, then the code one-hot). `undefined` without a code.
 */
export function mixtureLatent(settings: MixtureGanSettings): LatentSampler | undefined {
  return (settings.codeCategories ?? 0) > 0 ? infoganLatent(mixtureCodes(settings)) : undefined;
}
