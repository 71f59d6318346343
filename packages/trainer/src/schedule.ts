import type * as tf from '@tensorflow/tfjs-core';
import { GankitError, type GanPlugin } from '@gankit/core';

/** Options of {@link learningRateSchedule}. */
export interface LearningRateScheduleOptions {
  /** The optimizers whose learning rate follows the schedule (usually G's and D's). */
  readonly optimizers: readonly tf.Optimizer[];
  /** Factor of each optimizer's initial learning rate for the iteration about to run (0-based). */
  readonly schedule: (step: number) => number;
  /** Plugin name (default `lr-schedule`). */
  readonly name?: string | undefined;
}

type WithLearningRate = { learningRate: number };

function learningRateOf(opt: tf.Optimizer, i: number): number {
  const lr = (opt as unknown as Partial<WithLearningRate>).learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr)) {
    throw new GankitError('config', `learningRateSchedule: optimizer ${i} (${opt.getClassName()}) has no numeric learningRate to schedule`);
  }
  return lr;
}

/**
 * A plugin that sets the learning rate of the given optimizers before every iteration to
 * `initial × schedule(step)`. The schedule is a pure function of the step, so a resumed run
 * (which restores the step) continues on the same curve and nothing needs to be checkpointed.
 * It works with tfjs's built-in optimizers, which read their `learningRate` field at every update.
 *
 * @example
 * ```ts
 * const g = tf.train.adam(1e-3, 0.5);
 * const d = tf.train.adam(1e-3, 0.5);
 * const decay = learningRateSchedule({ optimizers: [g, d], schedule: linearDecay({ startStep: 2000, endStep: 4000, to: 0.1 }) });
 * new Trainer({ ..., generatorOptimizer: g, discriminatorOptimizer: d, plugins: [decay] });
 * ```
 */
export function learningRateSchedule(options: LearningRateScheduleOptions): GanPlugin {
  const { optimizers, schedule } = options;
  if (!Array.isArray(optimizers) || optimizers.length === 0)
    throw new GankitError('config', 'learningRateSchedule: give at least one optimizer');
  if (typeof schedule !== 'function') throw new GankitError('config', 'learningRateSchedule: schedule must be a function of the step');
  const initial = optimizers.map(learningRateOf);
  const apply = (step: number) => {
    const f = schedule(step);
    if (!Number.isFinite(f) || f < 0)
      throw new GankitError('config', `learningRateSchedule: schedule(${step}) = ${f}; it must be a finite number >= 0`);
    optimizers.forEach((o, i) => {
      (o as unknown as WithLearningRate).learningRate = initial[i] * f;
    });
  };
  return {
    name: options.name ?? 'lr-schedule',
    order: -100,
    setup: (ctx) => apply(ctx.step),
    onStepEnd: (ctx) => apply(ctx.step),
  };
}

/** Options of {@link linearDecay}. */
export interface LinearDecayOptions {
  /** Iteration at which the decay starts (factor 1 before it). */
  readonly startStep: number;
  /** Iteration at which the factor reaches `to` (and stays). */
  readonly endStep: number;
  /** Final factor (default 0.1). */
  readonly to?: number | undefined;
}

/** A schedule for {@link learningRateSchedule}: 1 until `startStep`, then linearly down to `to` at `endStep`. */
export function linearDecay(options: LinearDecayOptions): (step: number) => number {
  const { startStep, endStep, to = 0.1 } = options;
  if (!(Number.isInteger(startStep) && Number.isInteger(endStep) && startStep >= 0 && endStep > startStep)) {
    throw new GankitError('config', `linearDecay: need integers 0 <= startStep < endStep, got ${startStep} and ${endStep}`);
  }
  if (!(Number.isFinite(to) && to >= 0)) throw new GankitError('config', `linearDecay: to must be a finite number >= 0, got ${to}`);
  return (step) => (step <= startStep ? 1 : step >= endStep ? to : 1 + ((to - 1) * (step - startStep)) / (endStep - startStep));
}
