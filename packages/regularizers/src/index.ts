/**
 * `@gankit/regularizers`: regularizers for GAN discriminators as gankit plugins and weight
 * parametrizations.
 *
 * - {@link gradientPenalty}: WGAN-GP (two-sided), its one-sided form, and DRAGAN.
 * - {@link r1} / {@link r2}: zero-centred gradient penalties on real / generated data.
 * - {@link weightClipping}: the original WGAN's clipping of the critic's weights.
 * - {@link spectralNorm}: spectral normalization as a `WeightParametrizationFactory` for layers;
 *   {@link spectralNormOf} estimates a matrix's largest singular value.
 * - {@link instanceNoise}: Gaussian noise on the real and fake batches D sees (annealable).
 * - {@link diffAugment}: DiffAugment's differentiable color / translation / cutout of the real and
 *   fake images D sees.
 * - {@link affineAugment}: random, differentiable rotations, shears, scales and shifts of image
 *   batches ({@link affineSample} resamples on any affine grid), e.g. for the fakes InfoGAN's Q
 *   reads the categorical code from.
 * - {@link orthogonalRegularization}: BigGAN's orthogonal regularization of the generator's kernels
 *   ({@link orthogonalPenalty} is the term itself).
 * - {@link regularizers}: all of them by name, with the schema of their options.
 *
 * The gradient penalties differentiate through `tf.grad` (second-order gradients) and call
 * `ensureGradients()` from `@gankit/core` themselves.
 *
 * @packageDocumentation
 */
export { gradientPenalty } from './gradient-penalty';
export type { GradientPenaltyOptions, GradientPenaltyPlugin, GradientPenaltyVariant } from './gradient-penalty';
export { r1, r2 } from './r1';
export type { GradientRegularizerOptions, GradientRegularizerPlugin } from './r1';
export { weightClipping } from './weight-clipping';
export type { WeightClippingOptions, WeightClippingPlugin } from './weight-clipping';
export { spectralNorm, spectralNormOf } from './spectral-norm';
export type { SpectralNormOptions } from './spectral-norm';
export { instanceNoise } from './instance-noise';
export type { InstanceNoiseOptions, InstanceNoisePlugin } from './instance-noise';
export { DIFF_AUGMENT_POLICIES, diffAugment } from './diff-augment';
export type { DiffAugmentOptions, DiffAugmentPlugin, DiffAugmentPolicy } from './diff-augment';
export { affineAugment, affineSample } from './affine-augment';
export type { AffineAugmentOptions, ImageAugment } from './affine-augment';
export { orthogonalPenalty, orthogonalRegularization } from './orthogonal';
export type { OrthogonalRegularizationOptions, OrthogonalRegularizationPlugin } from './orthogonal';
export { regularizers } from './registry';
export type { RegularizerEntry, RegularizerName, RegularizerTraits, WeightParametrizationContext } from './registry';
