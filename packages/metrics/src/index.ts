/**
 * `@gankit/metrics`: evaluating GANs. Most of it is float64 arithmetic in plain TypeScript; the
 * pairwise kernels of KID and precision/recall run on the active tfjs backend.
 *
 * - {@link modeCoverage} with {@link ringModes} / {@link gridModes}: modes captured and
 *   high-quality fraction on Gaussian-mixture toys.
 * - {@link assignmentAccuracy} / {@link bestAssignment}: the accuracy of the best one-to-one
 *   code→class assignment (Hungarian algorithm), e.g. InfoGAN's categorical code against digit classes.
 * - {@link FeatureStatistics} / {@link featureStatistics}: streaming float64 mean and covariance.
 * - {@link frechetDistance}: the Fréchet distance between Gaussians (FID on Inception features).
 * - {@link inceptionScore}, {@link kernelInceptionDistance}, {@link precisionRecall}.
 * - {@link peakSignalToNoiseRatio} / {@link structuralSimilarity}: PSNR and SSIM of outputs against
 *   their true targets (paired translation, super-resolution).
 * - {@link symmetricEigenvalues}: the float64 symmetric eigensolver behind the FID.
 * - Feature extractors: {@link digitClassifier} (a small convnet for 28×28 grey images, weights
 *   bundled) with {@link mnistScore} / {@link mnistFrechetDistance}, its Fashion-MNIST twin
 *   {@link fashionClassifier} with {@link fashionFrechetDistance}, and {@link loadFidInception}
 *   (the FID Inception-v3, weights converted from pytorch-fid's file by the user).
 * - Plugins: {@link metricsPlugin} (any metrics every N steps) and {@link fidPlugin}.
 * - {@link metrics}: the metrics a configured run names (`fid`, `mode-coverage`), with the schema
 *   of their options.
 *
 * @packageDocumentation
 */
export type { Rows, RowMajorRows } from './matrix';
export { modeCoverage, ringModes, gridModes } from './mode-coverage';
export type { ModeCoverageOptions, ModeCoverageResult } from './mode-coverage';
export { assignmentAccuracy, bestAssignment } from './assignment';
export type { Assignment, AssignmentAccuracy } from './assignment';
export { FeatureStatistics, featureStatistics } from './feature-statistics';
export { frechetDistance, symmetricEigenvalues } from './frechet';
export type { FrechetDistanceOptions, GaussianStatistics, SquareMatrixLike, VectorLike } from './frechet';
export { inceptionScore } from './inception-score';
export type { InceptionScoreOptions, ScoreWithStd } from './inception-score';
export { kernelInceptionDistance } from './kernel-inception-distance';
export type { KernelInceptionDistanceOptions } from './kernel-inception-distance';
export { precisionRecall } from './precision-recall';
export type { PrecisionRecallOptions, PrecisionRecallResult } from './precision-recall';
export type { FeatureExtractor, ImageClassifier } from './feature-extractor';
export type { WeightsFiles, WeightsSource, WeightSpec } from './weights-io';
export {
  DIGIT_CLASSIFIER_WEIGHT_SPECS,
  createDigitClassifier,
  digitClassifier,
  digitClassifierInfo,
  loadDigitClassifier,
} from './digit-classifier';
export type { DigitClassifier, DigitClassifierInfo } from './digit-classifier';
export { fashionClassifier, fashionClassifierInfo } from './fashion-classifier';
export type { FashionClassifierInfo } from './fashion-classifier';
export { extractFeatureStatistics, fashionFrechetDistance, mnistFrechetDistance, mnistScore } from './mnist-metrics';
export type { ExtractOptions, FashionFrechetOptions, Images, MnistFrechetOptions, MnistScoreOptions } from './mnist-metrics';
export {
  FID_INCEPTION_ACTIVATIONS,
  FID_INCEPTION_BN_EPSILON,
  FID_INCEPTION_CLASSES,
  FID_INCEPTION_FEATURE_DIM,
  FID_INCEPTION_INPUT_SIZE,
  FID_INCEPTION_WEIGHT_SPECS,
  loadFidInception,
} from './fid-inception';
export type { FidInception, FidInceptionActivation } from './fid-inception';
export { METRICS_PLUGIN_ORDER, fidPlugin, metricsPlugin } from './plugins';
export type { FidPluginOptions, MetricsPluginOptions } from './plugins';
export { peakSignalToNoiseRatio, structuralSimilarity } from './image-similarity';
export type { ImageSimilarityOptions, PairedImageScore, StructuralSimilarityOptions } from './image-similarity';
export { metrics } from './registry';
export type { FidPluginContext, MetricEntry, MetricTraits, ModeCoverageEvaluator, PluginMetricEntry } from './registry';
