/**
 * `@gankit/metrics`: evaluating GANs. Most of it is float64 arithmetic in plain TypeScript; the
 * pairwise kernels of KID and precision/recall run on the active tfjs backend.
 *
 * - {@link modeCoverage} with {@link ringModes} / {@link gridModes}: modes captured and
 *   high-quality fraction on Gaussian-mixture toys.
 * - {@link FeatureStatistics} / {@link featureStatistics}: streaming float64 mean and covariance.
 * - {@link frechetDistance}: the Fréchet distance between Gaussians (FID on Inception features).
 * - {@link inceptionScore}, {@link kernelInceptionDistance}, {@link precisionRecall}.
 * - {@link symmetricEigenvalues}: the float64 symmetric eigensolver behind the FID.
 *
 * @packageDocumentation
 */
export type { Rows, RowMajorRows } from './matrix';
export { modeCoverage, ringModes, gridModes } from './mode-coverage';
export type { ModeCoverageOptions, ModeCoverageResult } from './mode-coverage';
export { FeatureStatistics, featureStatistics } from './feature-statistics';
export { frechetDistance, symmetricEigenvalues } from './frechet';
export type { FrechetDistanceOptions, GaussianStatistics, SquareMatrixLike, VectorLike } from './frechet';
export { inceptionScore } from './inception-score';
export type { InceptionScoreOptions, ScoreWithStd } from './inception-score';
export { kernelInceptionDistance } from './kernel-inception-distance';
export type { KernelInceptionDistanceOptions } from './kernel-inception-distance';
export { precisionRecall } from './precision-recall';
export type { PrecisionRecallOptions, PrecisionRecallResult } from './precision-recall';
