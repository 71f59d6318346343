import {
  type AnyOptionsSchema,
  GankitError,
  type Network,
  type PartEntry,
  type WeightParametrizationFactory,
  createRegistry,
  definePart,
} from '@gankit/core';
import * as z from 'zod';
import { bigganGenerator } from './builders/biggan';
import { conditionalDiscriminator, conditionalGenerator } from './builders/conditional';
import { dcganDiscriminator, dcganGenerator } from './builders/dcgan';
import { mlpDiscriminator, mlpGenerator } from './builders/mlp';

/** What a network of an {@link GanArchitecture} is built for. */
export interface ArchitectureSpec {
  /** Seed of the initial weights. */
  readonly seed: number;
  /** Shape of one example of the data (`[28, 28, 1]`, `[2]`). */
  readonly exampleShape: readonly number[];
  /** Number of classes of labelled data (conditional architectures need it). */
  readonly numClasses?: number | undefined;
}

/** What the discriminator of an {@link GanArchitecture} is built for. */
export interface DiscriminatorSpec extends ArchitectureSpec {
  /** Reparametrizes every kernel (spectral norm), where the architecture allows one. */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
}

/** A generator and discriminator pair made from options: what an architecture entry makes. */
export interface GanArchitecture {
  /** Builds the generator. */
  generator(spec: ArchitectureSpec): Network;
  /** Builds the discriminator. */
  discriminator(spec: DiscriminatorSpec): Network;
}

/** What every architecture entry declares beyond the core contract. */
export interface ArchitectureTraits {
  /** What G generates: `'images'` or `'points'` (2-D). */
  readonly generates: 'images' | 'points';
  /** G and D take class labels, so the data must be labelled. */
  readonly conditional: boolean;
  /** D accepts a weight parametrization (spectral norm). */
  readonly weightParametrization: boolean;
  /**
   * The boolean option that, when `true`, makes D's outputs mix the examples of a batch, and why
   * (`{ option: 'batchNorm', why: 'batch norm mixes the batch' }`).
   */
  readonly batchMixing?: { readonly option: string; readonly why: string } | undefined;
  /**
   * Checks that concern two options at once, which the options schema cannot express: the option
   * at fault and what must change (`{ option: 'normalization', message: ... }`), or `undefined`
   * when the options agree. `create` refuses what it reports.
   */
  readonly check?: ((options: Record<string, unknown>) => { readonly option: string; readonly message: string } | undefined) | undefined;
}

/** An architecture entry: the core contract and {@link ArchitectureTraits}. */
function architecture<const N extends string, S extends AnyOptionsSchema>(
  entry: PartEntry<N, S, GanArchitecture> & ArchitectureTraits,
): PartEntry<N, S, GanArchitecture> & ArchitectureTraits {
  return definePart(entry);
}

const latentDim = (fallback: number) => z.int().min(1).max(4096).default(fallback).describe('length of the latent vector z');
const baseFilters = () => z.int().min(1).max(1024).default(64).describe('filters of the widest conv layer next to the image');
const batchNorm = () => z.boolean().default(true).describe('batch norm in D (must be false with a gradient penalty)');
const BATCH_NORM_MIXES = { option: 'batchNorm', why: 'batch norm mixes the batch' } as const;
const normalization = () =>
  z
    .literal(['batch', 'layer', 'none'])
    .optional()
    .describe(
      "D's normalization: 'batch', 'layer' (per example, so a gradient penalty may use it, as WGAN-GP's critics do) or 'none'; 'layer' and 'none' need batchNorm false",
    );

/** Refuses a `normalization` that the `batchNorm` option (true unless set) contradicts. */
function normalizationAgrees(o: Record<string, unknown>): { option: string; message: string } | undefined {
  const n = o.normalization;
  if (n === undefined || o.batchNorm === (n === 'batch')) return undefined;
  return {
    option: 'normalization',
    message: `'${String(n)}' needs "batchNorm": ${n === 'batch'} (batchNorm is ${String(o.batchNorm)}${n === 'batch' ? '' : ', its default'})`,
  };
}

/** Throws the problem {@link normalizationAgrees} finds. */
function agreeingNormalization(o: { batchNorm: boolean; normalization?: 'batch' | 'layer' | 'none' | undefined }, what: string) {
  const problem = normalizationAgrees(o);
  if (problem) throw new GankitError('config', `${what}: ${problem.option} ${problem.message}`);
  return o.normalization;
}

/** The image shape `[h, w, c]` of the data, checked. */
function imageShape(spec: ArchitectureSpec, what: string): [number, number, number] {
  const s = spec.exampleShape;
  if (s.length !== 3) throw new GankitError('config', `${what} generates images, but the data's examples have shape [${s.join(', ')}]`);
  return [s[0], s[1], s[2]];
}

function classes(spec: ArchitectureSpec): number {
  if (spec.numClasses === undefined) throw new GankitError('config', 'conditional: the data must be labelled (numClasses)');
  return spec.numClasses;
}

/**
 * The generator/discriminator pairs of `@gankit/architectures` that a configured run names, with
 * the schema of their options: what `gankit train --config` offers as `"architecture"`. Each
 * entry makes a {@link GanArchitecture} whose builders take the seed and the data's example shape;
 * its {@link ArchitectureTraits} say what it generates and what D allows.
 */
export const architectures = /* @__PURE__ */ createRegistry('architecture', () => [
  architecture({
    name: 'dcgan',
    kind: 'architecture',
    summary: 'DCGAN (Radford et al. 2016): transposed convolutions up to the image, strided convolutions down to one logit',
    generates: 'images',
    conditional: false,
    weightParametrization: true,
    batchMixing: BATCH_NORM_MIXES,
    check: normalizationAgrees,
    schema: z.strictObject({
      latentDim: latentDim(100),
      baseFilters: baseFilters(),
      batchNorm: batchNorm(),
      normalization: normalization(),
      selfAttention: z
        .int()
        .min(1)
        .optional()
        .describe('SAGAN: a self-attention layer after the blocks of G and D with feature maps of this size (7 or 14 for 28×28)'),
      upsampling: z
        .literal(['transposed', 'nearest'])
        .optional()
        .describe(
          "how G doubles the size: 'transposed' (4×4 stride-2 transposed convolutions, the default) or 'nearest' (nearest-neighbour ×2, then a 3×3 conv: Odena et al.'s resize-convolution, free of the uneven-overlap checkerboard)",
        ),
    }),
    create: (o): GanArchitecture => {
      const normalization = agreeingNormalization(o, "architecture 'dcgan'");
      return {
        generator: (spec) =>
          dcganGenerator({
            imageShape: imageShape(spec, 'dcgan'),
            latentDim: o.latentDim,
            baseFilters: o.baseFilters,
            selfAttention: o.selfAttention,
            upsampling: o.upsampling,
            seed: spec.seed,
          }),
        discriminator: (spec) =>
          dcganDiscriminator({
            imageShape: imageShape(spec, 'dcgan'),
            baseFilters: o.baseFilters,
            batchNorm: o.batchNorm,
            normalization,
            selfAttention: o.selfAttention,
            weightParametrization: spec.weightParametrization,
            seed: spec.seed,
          }),
      };
    },
  }),
  architecture({
    name: 'conditional',
    kind: 'architecture',
    summary: 'a class-conditional DCGAN: the label enters G by embedding or one-hot, and D by embedding, one-hot or projection',
    generates: 'images',
    conditional: true,
    weightParametrization: true,
    batchMixing: BATCH_NORM_MIXES,
    schema: z.strictObject({
      latentDim: latentDim(100),
      baseFilters: baseFilters(),
      batchNorm: batchNorm(),
      generatorConditioning: z.literal(['embedding', 'one-hot']).default('embedding').describe('how the label enters G'),
      discriminatorConditioning: z.literal(['embedding', 'one-hot', 'projection']).default('projection').describe('how the label enters D'),
    }),
    create: (o): GanArchitecture => ({
      generator: (spec) =>
        conditionalGenerator({
          numClasses: classes(spec),
          conditioning: o.generatorConditioning,
          imageShape: imageShape(spec, 'conditional'),
          latentDim: o.latentDim,
          baseFilters: o.baseFilters,
          seed: spec.seed,
        }),
      discriminator: (spec) =>
        conditionalDiscriminator({
          numClasses: classes(spec),
          conditioning: o.discriminatorConditioning,
          imageShape: imageShape(spec, 'conditional'),
          baseFilters: o.baseFilters,
          batchNorm: o.batchNorm,
          weightParametrization: spec.weightParametrization,
          seed: spec.seed,
        }),
    }),
  }),
  architecture({
    name: 'mlp',
    kind: 'architecture',
    summary: 'multilayer perceptrons for 2-D points: ReLU G, leaky-ReLU D, the same hidden widths',
    generates: 'points',
    conditional: false,
    weightParametrization: false,
    schema: z.strictObject({
      latentDim: latentDim(16),
      hidden: z.array(z.int().min(1).max(65536)).min(1).max(16).default([128, 128]).describe('widths of the hidden layers of G and D'),
    }),
    create: (o): GanArchitecture => ({
      generator: (spec) => mlpGenerator({ latentDim: o.latentDim, outputDim: spec.exampleShape[0], hidden: o.hidden, seed: spec.seed }),
      discriminator: (spec) => mlpDiscriminator({ inputDim: spec.exampleShape[0], hidden: o.hidden, seed: spec.seed }),
    }),
  }),
  architecture({
    name: 'biggan',
    kind: 'architecture',
    summary:
      "BigGAN's conditioning (Brock et al. 2019) on a DCGAN-sized G: z split across the blocks, each chunk with a shared class embedding into conditional batch norm; a projection D",
    generates: 'images',
    conditional: true,
    weightParametrization: true,
    batchMixing: BATCH_NORM_MIXES,
    schema: z.strictObject({
      latentDim: z.int().min(1).max(4096).default(96).describe('length of z, a multiple of the number of chunks (3 for 28×28)'),
      embeddingDim: z.int().min(1).max(1024).default(16).describe('length of the shared class embedding'),
      baseFilters: baseFilters(),
      batchNorm: batchNorm(),
    }),
    create: (o): GanArchitecture => ({
      generator: (spec) =>
        bigganGenerator({
          numClasses: classes(spec),
          imageShape: imageShape(spec, 'biggan'),
          latentDim: o.latentDim,
          embeddingDim: o.embeddingDim,
          baseFilters: o.baseFilters,
          seed: spec.seed,
        }),
      discriminator: (spec) =>
        conditionalDiscriminator({
          numClasses: classes(spec),
          conditioning: 'projection',
          imageShape: imageShape(spec, 'biggan'),
          baseFilters: o.baseFilters,
          batchNorm: o.batchNorm,
          weightParametrization: spec.weightParametrization,
          seed: spec.seed,
        }),
    }),
  }),
]);

/** One entry of {@link architectures}. */
export type ArchitectureEntry = (typeof architectures.entries)[number];
