/**
 * `@gankit/cli`: the `gankit` command (`gankit train --example ring8 ...`) and its building blocks,
 * usable from code: the examples, the training runner, the progress bar and the scatter-plot writer.
 *
 * @packageDocumentation
 */
export { main } from './cli';
export { EXAMPLES, exampleNames } from './examples/index';
export type { Example, ExampleOutputs, ExampleSetup, RunFacts } from './examples/index';
export { RING8, ring8 } from './examples/ring8';
export { runTraining } from './train';
export type { RunOptions, RunResult } from './train';
export { Progress } from './progress';
export type { ProgressOptions } from './progress';
export { scatterPng } from './scatter';
export type { PointLayer, ScatterOptions } from './scatter';
