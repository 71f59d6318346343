import { createRegistry, definePart } from '@gankit/core';
import * as z from 'zod';
import type { AveragingPlugin } from './averager';
import { ema } from './ema';
import { uniformAverage } from './uniform';

/** The first iteration whose generator update enters the average. */
const startStep = () =>
  z
    .int()
    .min(0)
    .max(100_000_000)
    .default(0)
    .describe('first iteration (counted from 0) whose generator update enters the average; before it the copy tracks the live weights');

/**
 * Every weight averaging of `@gankit/averaging` by name, with the schema of its options: what
 * `gankit train --config` offers as `"averaging"`. Each entry makes an {@link AveragingPlugin}
 * (kind `'plugin'`) that averages the generator's weights.
 *
 * Defaults are those of a configured run: `ema` ramps its decay up (`rampUp: true`), where
 * {@link ema} called without options does not.
 */
export const averagers = /* @__PURE__ */ createRegistry('averaging', () => [
  definePart({
    name: 'ema',
    kind: 'plugin',
    summary: "an exponential moving average of the generator's weights, θ̂ ← β·θ̂ + (1 − β)·θ after each generator update",
    schema: z.strictObject({
      decay: z.number().min(0).lt(1).default(0.999).describe('the decay β'),
      startStep: startStep(),
      rampUp: z.boolean().default(true).describe('ramp the decay up as min(β, (1 + t) / (10 + t)) over the first updates'),
    }),
    create: (o): AveragingPlugin => ema({ decay: o.decay, startStep: o.startStep, rampUp: o.rampUp }),
  }),
  definePart({
    name: 'uniform',
    kind: 'plugin',
    summary: "the running arithmetic (Polyak) mean of the generator's weights from startStep on",
    schema: z.strictObject({ startStep: startStep() }),
    create: (o): AveragingPlugin => uniformAverage({ startStep: o.startStep }),
  }),
]);

/** One entry of {@link averagers}. */
export type AveragingEntry = (typeof averagers.entries)[number];
