import { type AnyOptionsSchema, type DataSource, type OptionsOf, type PartEntry, createRegistry, definePart } from '@gankit/core';
import * as z from 'zod';
import { type GaussianMixture, gridMixture, ringMixture } from './toy';

/** What every data set entry declares beyond the core contract. */
export interface DataTraits<Options = unknown> {
  /** What the data set holds: `'images'` or `'points'` (2-D). */
  readonly holds: 'images' | 'points';
  /** Shape of one example (`[28, 28, 1]`, `[2]`). */
  readonly exampleShape: readonly number[];
  /** Number of classes, for labelled data. */
  readonly numClasses?: number | undefined;
  /**
   * Checks, without loading the data, that the files it reads are there and whole, so that a long
   * run is refused before it starts; absent for data that reads no files.
   */
  readonly check?: ((options: Options) => void) | undefined;
}

/**
 * A data set entry: the core contract and {@link DataTraits}.
 *
 * @param entry - the entry
 */
export function dataSetEntry<const N extends string, S extends AnyOptionsSchema, P extends DataSource>(
  entry: PartEntry<N, S, P> & DataTraits<OptionsOf<S>>,
): PartEntry<N, S, P> & DataTraits<OptionsOf<S>> {
  return definePart(entry);
}

const positive = (fallback: number, what: string) => z.number().positive().default(fallback).describe(what);

/**
 * The browser-safe data sets of `@gankit/data` by name, with the schema of their options: the 2-D
 * Gaussian mixtures (`ring`, `grid`), drawn afresh each batch. `@gankit/data/node` adds the data
 * sets that read files (`nodeDatasets`), and `gankit train --config` offers those as `"data"`.
 */
export const datasets = /* @__PURE__ */ createRegistry('data set', () => [
  dataSetEntry({
    name: 'ring',
    kind: 'data',
    summary: 'a ring of Gaussians (ring8 by default): the classic mode-collapse benchmark',
    holds: 'points',
    exampleShape: [2],
    schema: z.strictObject({
      modes: z.int().min(1).max(1000).default(8).describe('number of Gaussians'),
      radius: positive(2, 'radius of the ring'),
      std: positive(0.02, 'standard deviation of each Gaussian'),
    }),
    create: (o): GaussianMixture => ringMixture({ modes: o.modes, radius: o.radius, std: o.std }),
  }),
  dataSetEntry({
    name: 'grid',
    kind: 'data',
    summary: 'a square grid of Gaussians (grid25 by default)',
    holds: 'points',
    exampleShape: [2],
    schema: z.strictObject({
      side: z.int().min(1).max(100).default(5).describe('Gaussians per side'),
      spacing: positive(2, 'distance between neighbouring modes'),
      std: positive(0.05, 'standard deviation of each Gaussian'),
    }),
    create: (o): GaussianMixture => gridMixture({ side: o.side, spacing: o.spacing, std: o.std }),
  }),
]);

/** One entry of {@link datasets}. */
export type DatasetEntry = (typeof datasets.entries)[number];
