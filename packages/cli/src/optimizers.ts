import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, definePart } from '@gankit/core';
import { fusedAdam } from '@gankit/trainer';
import * as z from 'zod';

const learningRate = (fallback: number) => z.number().positive().default(fallback).describe('the step size');
const unitInterval = (fallback: number, what: string) => z.number().min(0).lt(1).default(fallback).describe(what);

/**
 * The optimizers a configured run names for each player (tfjs's `tf.train.*`), with the schema of
 * their options and the defaults of `gankit train --config`.
 */
export const optimizers = /* @__PURE__ */ createRegistry('optimizer', () => [
  definePart({
    name: 'adam',
    kind: 'optimizer',
    summary: 'Adam (Kingma and Ba 2015)',
    schema: z.strictObject({
      learningRate: learningRate(2e-4),
      beta1: unitInterval(0.5, 'decay of the first-moment estimate'),
      beta2: unitInterval(0.999, 'decay of the second-moment estimate'),
    }),
    // tf.train.adam's numbers, one kernel call per variable where the backend has gankit's kernel.
    create: (o): tf.Optimizer => fusedAdam(o.learningRate, o.beta1, o.beta2),
  }),
  definePart({
    name: 'rmsprop',
    kind: 'optimizer',
    summary: 'RMSProp, as the original WGAN trains its critic',
    schema: z.strictObject({
      learningRate: learningRate(5e-5),
      decay: unitInterval(0.9, 'decay of the squared-gradient average'),
      momentum: unitInterval(0, 'momentum'),
    }),
    create: (o): tf.Optimizer => tf.train.rmsprop(o.learningRate, o.decay, o.momentum),
  }),
  definePart({
    name: 'sgd',
    kind: 'optimizer',
    summary: 'plain stochastic gradient descent',
    schema: z.strictObject({ learningRate: learningRate(1e-3) }),
    create: (o): tf.Optimizer => tf.train.sgd(o.learningRate),
  }),
]);

/** One entry of {@link optimizers}. */
export type OptimizerEntry = (typeof optimizers.entries)[number];
