/**
 * `@gankit/averaging`: averaged copies of a network's weights as gankit plugins.
 *
 * - {@link ema}: exponential moving average with optional warm-up (`startStep`), `updateEvery` and
 *   a decay ramp-up.
 * - {@link uniformAverage}: the running arithmetic (Polyak) mean from a start step on.
 * - {@link averagers}: both by name, with the schema of their options.
 *
 * Both keep their own variables (non-trainable variables copied, trainable ones averaged), expose
 * {@link AveragingPlugin.averagedWeights} and {@link AveragingPlugin.withAveragedWeights} (swap the
 * average in, run a function, swap the training weights back bit for bit), and save their state
 * in checkpoints.
 *
 * @packageDocumentation
 */
export { ema } from './ema';
export type { EmaOptions, EmaPlugin } from './ema';
export { uniformAverage } from './uniform';
export { isAveragingPlugin } from './averager';
export type { AveragingOptions, AveragingPlugin } from './averager';
export { averagers } from './registry';
export type { AveragingEntry } from './registry';
