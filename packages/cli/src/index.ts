/**
 * `@gankit/cli`: the `gankit` command (`gankit train --example mnist-dcgan ...`, `gankit sample`,
 * `gankit eval`, `gankit interpolate`) and its building blocks, usable from code: the examples,
 * the training runner, config validation, run loading, the progress bar and the picture writers.
 *
 * @packageDocumentation
 */
export { main } from './cli';
export { CUSTOM_EXAMPLES, EXAMPLES, exampleNames } from './examples/index';
export {
  CYCLEGAN_DIGITS,
  cycleganDigits,
  digitDomains,
  embolden,
  rotate90,
  trainCycleganDigits,
  transformDigits,
} from './examples/cyclegan-digits';
export type { CycleganDigitsSettings, DigitTransform } from './examples/cyclegan-digits';
export type {
  CustomExample,
  EvaluateOptions,
  Example,
  ExampleOutputs,
  ExampleSetup,
  GeneratorSampler,
  RunFacts,
  SetupOptions,
} from './examples/index';
export { RING8, mixtureGanSetup, ring8 } from './examples/ring8';
export type { MixtureGanSettings } from './examples/ring8';
export { GRID25, grid25 } from './examples/grid25';
export { RING8_VARIANTS, ring8Replay, ring8Unrolled } from './examples/ring8-variants';
export { MNIST_ACGAN, mnistAcgan } from './examples/mnist-acgan';
export type { AcganSetup } from './examples/mnist-acgan';
export { MNIST_DCGAN, mnistDcgan } from './examples/mnist-dcgan';
export { MNIST_CGAN, mnistCgan } from './examples/mnist-cgan';
export { FASHION_WGAN_GP, fashionWganGp, loadFashionMnist } from './examples/fashion-wgan-gp';
export { MNIST_SNGAN_HINGE, mnistSnganHinge } from './examples/mnist-sngan-hinge';
export { runTraining } from './train';
export type { RunOptions, RunResult } from './train';
export { loadExample, trainInWorkers } from './replica';
export type { ExampleSource, WorkerRunOptions } from './replica';
export {
  MAX_REAL_IMAGES,
  evaluateImages,
  findAverager,
  imageExample,
  networkSampler,
  realFeatureStatistics,
  rowPerClassLabels,
} from './images';
export type { ImageExampleSpec, ImageMetric, ImageScores, RealImages } from './images';
export {
  TRAIN_CONFIG_SCHEMA,
  evaluatePoints,
  exampleFromConfig,
  parseConfig,
  readConfigFile,
  resolvedConfig,
  trainConfigJsonSchema,
  validateConfig,
} from './config';
export type { Schema } from './schema';
export { optimizers } from './optimizers';
export type { OptimizerEntry } from './optimizers';
export type {
  ArchitectureConfig,
  AveragingConfig,
  ConfigOverrides,
  DataConfig,
  LossConfig,
  MetricsConfig,
  OptimizerConfig,
  RegularizerConfig,
  TrainConfig,
} from './config';
export { exampleOfRun, loadRun, readRunConfig } from './run';
export type { LoadedRun, RunConfigFile, RunWeights } from './run';
export { evalRun, interpolateRun, sampleRun } from './commands/index';
export type { CommandResult, EvalOptions, InterpolateOptions, SampleOptions } from './commands/index';
export { Progress } from './progress';
export type { ProgressOptions } from './progress';
export { scatterPng } from './scatter';
export type { PointLayer, ScatterOptions } from './scatter';
