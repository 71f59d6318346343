import {
  type AnyOptionsSchema,
  type GanPlugin,
  type PartEntry,
  type WeightParametrizationFactory,
  createRegistry,
  definePart,
} from '@gankit/core';
import * as z from 'zod';
import { DIFF_AUGMENT_POLICIES, diffAugment } from './diff-augment';
import { gradientPenalty } from './gradient-penalty';
import { instanceNoise } from './instance-noise';
import { orthogonalRegularization } from './orthogonal';
import { r1, r2 } from './r1';
import { spectralNorm } from './spectral-norm';
import { weightClipping } from './weight-clipping';

/** What a `'weight-parametrization'` regularizer needs when the discriminator is built. */
export interface WeightParametrizationContext {
  /** The seed its state starts from (the discriminator's seed, so a run repeats bit for bit). */
  readonly seed: number;
}

/** What every regularizer entry declares beyond the core contract. */
export interface RegularizerTraits {
  /**
   * Set when the regularizer needs a critic whose outputs do not mix the examples of a batch (no
   * batch norm): why, as a phrase (`'the penalty needs per-example critic outputs'`).
   */
  readonly perExampleCritic?: string | undefined;
}

/** A regularizer entry: the core contract and {@link RegularizerTraits}. */
function regularizer<const N extends string, S extends AnyOptionsSchema, P, C = void>(
  entry: PartEntry<N, S, P, C> & RegularizerTraits,
): PartEntry<N, S, P, C> & RegularizerTraits {
  return definePart(entry);
}

const weight = (what: string, fallback: number) => z.number().positive().default(fallback).describe(what);

/**
 * Every regularizer of `@gankit/regularizers` by name, with the schema of its options: what
 * `gankit train --config` offers in `"regularizers"`. An entry's `kind` says what it makes:
 *
 * - `'plugin'`: a `GanPlugin` (`create(options)`), added to the trainer's plugins;
 * - `'weight-parametrization'`: a `WeightParametrizationFactory` for the discriminator's builder
 *   (`create(options, { seed })`), such as spectral norm.
 *
 * `perExampleCritic` ({@link RegularizerTraits}), where set, says why the regularizer needs a
 * critic whose outputs do not mix the examples of a batch. A new regularizer is its file, its entry here, its
 * export from `index.ts` and its test; the CLI finds it here.
 */
export const regularizers = /* @__PURE__ */ createRegistry('regularizer', () => [
  regularizer({
    name: 'diff-augment',
    kind: 'plugin',
    summary: 'DiffAugment (Zhao et al. 2020): differentiable color, translation and cutout of the real and fake images D sees',
    schema: z.strictObject({
      policy: z
        .array(z.literal(DIFF_AUGMENT_POLICIES))
        .min(1)
        .default([...DIFF_AUGMENT_POLICIES])
        .describe('the transform families, applied in this order'),
      translationRatio: z.number().min(0).max(1).default(0.125).describe('largest shift as a fraction of the image size'),
      cutoutRatio: z.number().min(0).max(1).default(0.5).describe('side of the cut-out rectangle as a fraction of the image size'),
    }),
    create: (o): GanPlugin => diffAugment({ policy: o.policy, translationRatio: o.translationRatio, cutoutRatio: o.cutoutRatio }),
  }),
  regularizer({
    name: 'gradient-penalty',
    kind: 'plugin',
    summary: "WGAN-GP's gradient penalty λ·E[(‖∇D(x̂)‖ − 1)²] at interpolates (or one-sided, or DRAGAN's at perturbed reals)",
    perExampleCritic: 'the penalty needs per-example critic outputs',
    schema: z.strictObject({
      lambda: weight('weight λ of the penalty', 10),
      variant: z
        .literal(['two-sided', 'one-sided', 'dragan'])
        .default('two-sided')
        .describe('where and how the gradient norm is penalised'),
    }),
    create: (o): GanPlugin => gradientPenalty({ lambda: o.lambda, variant: o.variant }),
  }),
  regularizer({
    name: 'instance-noise',
    kind: 'plugin',
    summary: 'instance noise (Sønderby et al. 2016): N(0, σ²) added to the real and fake batches D sees, σ optionally annealed to 0',
    schema: z.strictObject({
      std: z.number().min(0).default(0.1).describe('σ of the noise at step 0'),
      anneal: z
        .strictObject({ steps: z.int().min(1).describe('iterations over which σ falls linearly to 0') })
        .optional()
        .describe('linear annealing of σ (default: none, σ constant)'),
    }),
    create: (o): GanPlugin => instanceNoise({ std: o.std, anneal: o.anneal }),
  }),
  regularizer({
    name: 'orthogonal',
    kind: 'plugin',
    summary: "BigGAN's orthogonal regularization β·Σ‖WᵀW ⊙ (1 − I)‖²_F over the generator's kernels (Brock et al. 2019)",
    schema: z.strictObject({
      beta: z.number().min(0).default(1e-4).describe('weight β of the penalty'),
      network: z.literal(['generator', 'discriminator']).default('generator').describe('the network whose kernels are penalised'),
    }),
    create: (o): GanPlugin => orthogonalRegularization({ beta: o.beta, network: o.network }),
  }),
  regularizer({
    name: 'r1',
    kind: 'plugin',
    summary: 'R1 (Mescheder et al. 2018): γ/2·E‖∇D(x)‖² on the real batch',
    schema: z.strictObject({ gamma: weight('weight γ of the penalty', 10) }),
    create: (o): GanPlugin => r1({ gamma: o.gamma }),
  }),
  regularizer({
    name: 'r2',
    kind: 'plugin',
    summary: 'R2 (Mescheder et al. 2018): γ/2·E‖∇D(G(z))‖² on the generated batch',
    schema: z.strictObject({ gamma: weight('weight γ of the penalty', 10) }),
    create: (o): GanPlugin => r2({ gamma: o.gamma }),
  }),
  regularizer({
    name: 'spectral-norm',
    kind: 'weight-parametrization',
    summary: 'spectral normalization (Miyato et al. 2018) of every kernel of the discriminator',
    schema: z.strictObject({
      powerIterations: z.int().min(1).max(100).default(1).describe('power-iteration steps per training forward pass'),
    }),
    create: (o, context: WeightParametrizationContext): WeightParametrizationFactory =>
      spectralNorm({ powerIterations: o.powerIterations, seed: context.seed }),
  }),
  regularizer({
    name: 'weight-clipping',
    kind: 'plugin',
    summary: "the original WGAN's clipping of the critic's weights into [−c, c] after each update",
    schema: z.strictObject({ c: weight('the clip bound c', 0.01) }),
    create: (o): GanPlugin => weightClipping({ c: o.c }),
  }),
]);

/** One entry of {@link regularizers}. */
export type RegularizerEntry = (typeof regularizers.entries)[number];

/** A name of {@link regularizers}. */
export type RegularizerName = RegularizerEntry['name'];
