// Test-only helper shared by the tests that build an example's setup (not exported by the package).
import type { ExampleSetup } from './examples/types';

/**
 * Frees what an example's `setup` made: both networks, both optimizers and the plugins; with
 * `data`, also the data source when it has a `dispose` (leave it out for data other tests share).
 */
export function freeSetup(s: ExampleSetup, options: { data?: boolean } = {}): void {
  for (const d of [s.generator, s.discriminator, s.generatorOptimizer, s.discriminatorOptimizer, ...s.plugins]) d.dispose?.();
  if (options.data) (s.data as { dispose?: () => void }).dispose?.();
}
