/**
 * `@gankit/core`: the contract that every gankit package meets.
 *
 * - {@link Network}: a generator or discriminator (apply + variables).
 * - {@link GanPlugin}: regularizers, averaging, metrics and loggers hook into training through it.
 * - {@link StepContext} / {@link TrainContext}: what hooks see.
 * - {@link RandomSource}: seeded, checkpointable randomness so runs repeat bit for bit.
 * - {@link truncatedNormal} / {@link truncateLatent}: BigGAN's truncation trick for any generator's latents.
 * - {@link ensureGradients}: registers tfjs-core's gradients in any environment.
 * - {@link createRegistry} / {@link PartEntry}: parts found by name, with the schema of their options.
 *
 * @packageDocumentation
 */
export type { ApplyOptions, Network, WeightParametrization, WeightParametrizationFactory } from './network';
export { countParameters, networkVariables } from './network';
export { GANKIT_ERROR_CODES, GANKIT_ERROR_KINDS, GankitError, formatShape, isGankitErrorCode } from './errors';
export type { GankitErrorCode } from './errors';
export { isDataSource, isGanPlugin, isLossPair, isNetwork, isWeightAverager } from './guards';
export type { WeightAverager } from './guards';
export { RandomSource, deriveSeed } from './random';
export type { RandomState } from './random';
export {
  PLUGIN_API_VERSION,
  PLUGIN_HOOK_VERSIONS,
  STEP_CONTEXT_FIELD_VERSIONS,
  pluginApiVersion,
  sortPlugins,
  stepContextFor,
} from './plugin';
export type { GanPlugin, PluginHook, PluginState } from './plugin';
export type {
  Awaitable,
  Batch,
  DataSource,
  JsonValue,
  LossPair,
  Phase,
  StepContext,
  StepLogs,
  TrainContext,
  TrainInfo,
} from './types';
export { ensureGradients } from './gradients';
export { interpolateLatents, latentArithmetic } from './latent';
export type { InterpolationMode } from './latent';
export { truncateLatent, truncatedNormal } from './truncation';
export { canonicalJson } from './json';
export { closest, didYouMean, editDistance } from './suggest';
export { describeValue, expectedBy, schemaProblem } from './schema-problem';
export type { JsonSchema } from './schema-problem';
export { createRegistry, definePart, optionsJsonSchema, parseOptions } from './registry';
export type {
  AnyOptionsSchema,
  AnyPartEntry,
  EntryNamed,
  OptionsInputOf,
  OptionsIssue,
  OptionsOf,
  OptionsResult,
  OptionsSchema,
  PartConfig,
  PartEntry,
  Registry,
} from './registry';
