import { ring8 } from './ring8';
import type { Example } from './types';

/** Every example the `gankit train --example` command knows, by name. */
export const EXAMPLES: Readonly<Record<string, Example>> = { ring8 };

/** The example names, sorted. */
export function exampleNames(): string[] {
  return Object.keys(EXAMPLES).sort();
}

export type { Example, ExampleOutputs, ExampleSetup, RunFacts } from './types';
