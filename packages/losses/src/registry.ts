import { GankitError, type LossPair } from '@gankit/core';
import { minimax, nonSaturating } from './minimax';
import { leastSquares, type LeastSquaresTargets } from './least-squares';
import { wasserstein } from './wasserstein';
import { hinge } from './hinge';
import { relativisticAverage, relativisticAverageHinge } from './relativistic';

/** Every loss name that {@link lossByName} knows, in a stable order. */
export const LOSS_NAMES = Object.freeze([
  'minimax',
  'non-saturating',
  'least-squares',
  'wasserstein',
  'hinge',
  'relativistic-average',
  'relativistic-average-hinge',
] as const);

/** A name that {@link lossByName} accepts. */
export type LossName = (typeof LOSS_NAMES)[number];

/**
 * Options for {@link lossByName}. Only `least-squares` takes any (its targets `a`, `b`, `c`);
 * giving options to another loss is a configuration error.
 */
export type LossOptions = LeastSquaresTargets;

/**
 * Tells whether `name` is one of {@link LOSS_NAMES}.
 *
 * @param name - any string
 * @returns `true` for a known loss name
 */
export function isLossName(name: string): name is LossName {
  return (LOSS_NAMES as readonly string[]).includes(name);
}

/**
 * The loss pair with the given name, e.g. from a config file or the command line.
 *
 * @param name - one of {@link LOSS_NAMES}
 * @param options - the least-squares targets `{a, b, c}` (for `least-squares` only)
 * @returns the named `LossPair`
 * @throws GankitError (`'config'`) for an unknown name (the message lists the valid ones), for
 *   options given to a loss that takes none, or for bad least-squares targets
 */
export function lossByName(name: string, options?: LossOptions): LossPair {
  if (typeof name !== 'string' || !isLossName(name)) {
    throw new GankitError('config', `unknown loss '${String(name)}'; valid losses: ${LOSS_NAMES.join(', ')}`);
  }
  if (name === 'least-squares') return leastSquares(options ?? {});
  if (options != null && Object.keys(options).length > 0) {
    throw new GankitError(
      'config',
      `loss '${name}' takes no options, got {${Object.keys(options).join(', ')}} ` + "(targets a, b, c are for 'least-squares')",
    );
  }
  switch (name) {
    case 'minimax':
      return minimax;
    case 'non-saturating':
      return nonSaturating;
    case 'wasserstein':
      return wasserstein;
    case 'hinge':
      return hinge;
    case 'relativistic-average':
      return relativisticAverage;
    case 'relativistic-average-hinge':
      return relativisticAverageHinge;
  }
}
