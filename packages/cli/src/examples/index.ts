import { ring8 } from './ring8';
import { ring8Replay, ring8Unrolled } from './ring8-variants';
import { grid25 } from './grid25';
import { fashionWganGp } from './fashion-wgan-gp';
import { mnistCgan } from './mnist-cgan';
import { mnistAcgan } from './mnist-acgan';
import { mnistDcgan } from './mnist-dcgan';
import { mnistSnganHinge } from './mnist-sngan-hinge';
import { cycleganDigits } from './cyclegan-digits';
import type { CustomExample, Example } from './types';

/** Every example the `gankit train --example` command knows, by name. */
export const EXAMPLES: Readonly<Record<string, Example>> = {
  ring8,
  'ring8-unrolled': ring8Unrolled,
  'ring8-replay': ring8Replay,
  grid25,
  'mnist-dcgan': mnistDcgan,
  'mnist-cgan': mnistCgan,
  'mnist-acgan': mnistAcgan,
  'fashion-wgan-gp': fashionWganGp,
  'mnist-sngan-hinge': mnistSnganHinge,
};

/** Examples with a training loop of their own (`gankit train` only), by name. */
export const CUSTOM_EXAMPLES: Readonly<Record<string, CustomExample>> = {
  'cyclegan-digits': cycleganDigits,
};

/** Every example name `gankit train --example` accepts, sorted. */
export function exampleNames(): string[] {
  return [...Object.keys(EXAMPLES), ...Object.keys(CUSTOM_EXAMPLES)].sort();
}

export type {
  CustomExample,
  EvaluateOptions,
  Example,
  ExampleOutputs,
  ExampleSetup,
  GeneratorSampler,
  RunFacts,
  SetupOptions,
} from './types';
