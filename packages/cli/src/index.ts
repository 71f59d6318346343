/**
 * `@gankit/cli`: the `gankit` command (`gankit train --example mnist-dcgan ...`, `gankit sample`,
 * `gankit eval`, `gankit interpolate`) and its building blocks, usable from code: the examples,
 * the training runner, config validation, run loading, the progress bar and the picture writers.
 *
 * @packageDocumentation
 */
export { main } from './cli';
export { CUSTOM_EXAMPLES, EXAMPLES, exampleNames, findExample, isCustomExample, loadExampleFolder } from './examples/index';
// The example kit (what an example's definition imports) and the built-in examples' own exports,
// compiled in from examples/*/example.ts (RING8, ring8, trainCycleganDigits, ...).
export * from './examples/kit';
export * from './generated/examples';
export { loadExample, trainInWorkers } from './replica';
export type { ExampleSource, WorkerRunOptions } from './replica';
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
export { scatterPng } from './scatter';
export type { PointLayer, ScatterOptions } from './scatter';
