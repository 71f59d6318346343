import { ring8 } from './ring8';
import { ring8Replay, ring8Unrolled } from './ring8-variants';
import { fashionWganGp } from './fashion-wgan-gp';
import { mnistCgan } from './mnist-cgan';
import { mnistAcgan } from './mnist-acgan';
import { mnistDcgan } from './mnist-dcgan';
import { mnistSnganHinge } from './mnist-sngan-hinge';
import type { Example } from './types';

/** Every example the `gankit train --example` command knows, by name. */
export const EXAMPLES: Readonly<Record<string, Example>> = {
  ring8, 'ring8-unrolled': ring8Unrolled, 'ring8-replay': ring8Replay,
  'mnist-dcgan': mnistDcgan,
  'mnist-cgan': mnistCgan,
  'mnist-acgan': mnistAcgan,
  'fashion-wgan-gp': fashionWganGp,
  'mnist-sngan-hinge': mnistSnganHinge,
};

/** The example names, sorted. */
export function exampleNames(): string[] {
  return Object.keys(EXAMPLES).sort();
}

export type { EvaluateOptions, Example, ExampleOutputs, ExampleSetup, GeneratorSampler, RunFacts, SetupOptions } from './types';
