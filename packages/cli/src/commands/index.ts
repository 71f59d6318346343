/**
 * The `gankit` commands, one module each: `train`, `sample`, `eval`, `interpolate`, `schema`, `version`.
 * Each exports its help text, its run function (arguments → exit code) and a {@link CliCommand}
 * that the dispatcher in `../cli.ts` lists; the run commands also export what they do as a
 * function usable from code (`sampleRun`, `evalRun`, `interpolateRun`).
 */
export type { CliCommand, OptionSpecs, OptionValues } from './flags';
export type { CommandResult } from './generate';
export { trainCommand, TRAIN_USAGE, chooseWorkers, runTrain } from './train';
export { sampleCommand, SAMPLE_USAGE, checkSampleOut, runSample, sampleRun } from './sample';
export type { SampleOptions } from './sample';
export { evalCommand, EVAL_USAGE, evalRun, runEval } from './eval';
export type { EvalOptions } from './eval';
export { interpolateCommand, INTERPOLATE_USAGE, checkInterpolable, interpolateRun, runInterpolate } from './interpolate';
export type { InterpolateOptions } from './interpolate';
export { schemaCommand, SCHEMA_USAGE, runSchema, schemaText } from './schema';
export { versionCommand, VERSION_USAGE, cliVersion, runVersion } from './version';
