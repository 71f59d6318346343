// The example kit: what an example's definition imports from '@gankit/cli'. The built-in examples
// (examples/<name>/example.ts) are compiled into this package with '@gankit/cli' resolved to this
// file (tsconfig paths, the tsup and vitest aliases), so they use exactly what a user's own
// example folder gets from the published package.

export type {
  CustomExample,
  EvaluateOptions,
  Example,
  ExampleOutputs,
  ExampleModuleDefault,
  ExampleSetup,
  GeneratorSampler,
  RunFacts,
  SetupOptions,
} from './types';
export { MIXTURE_GAN_DEFAULTS, mixtureGanSetup, mixtureLatent } from './mixture';
export type { MixtureGanSettings } from './mixture';
export { MNIST_DENSE_LAYOUT, MNIST_IMAGE_DEFAULTS, mnistImageExample } from './mnist-image';
export type { MnistImageSettings, MnistImageSpec } from './mnist-image';
export {
  MAX_REAL_IMAGES,
  evaluateImages,
  findAverager,
  imageExample,
  networkSampler,
  realFeatureRows,
  realFeatureStatistics,
  rowPerClassLabels,
} from '../images';
export type { ImageExampleSpec, ImageMetric, ImageScores, RealImages } from '../images';
export { finishPointsRun } from '../points';
export { scatterPng } from '../scatter';
export type { PointLayer, ScatterOptions } from '../scatter';
export { Progress } from '../progress';
export type { ProgressOptions } from '../progress';
export { endGameRun, faultResult, runTraining } from '../train';
export type { GameRunEnd, RunOptions, RunResult } from '../train';
// What an example with a training loop of its own (cyclegan-digits) writes its run directory with.
export { identityDifference, lockRunDirectory, openRunDirectory } from '../run-dir';
export type { OnNan, OpenRunOptions, OpenedRun, RunIdentity, RunLock } from '../run-dir';
export { DEFAULT_CHECKPOINT_SECONDS, RunCheckpoints, faultLine, resumeRun, yieldNow } from '../run-dir-loop';
export type { CheckpointCadence } from '../run-dir-loop';
// The paired digit examples' runner (mnist-superres, mnist-pix2pix).
export { digitPairs, trainPairedDigits, writeHeldOutPicture } from './paired-digits';
export type { HeldOutPairs, PairedDigitsSpec, PairedFinishContext } from './paired-digits';
