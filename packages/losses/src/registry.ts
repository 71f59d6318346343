import { GankitError, type LossPair, createRegistry, definePart } from '@gankit/core';
import * as z from 'zod';
import { F_DIVERGENCES, fGan } from './f-divergence';
import { hinge } from './hinge';
import { type LeastSquaresTargets, leastSquares } from './least-squares';
import { minimax, nonSaturating } from './minimax';
import { relativisticAverage, relativisticAverageHinge } from './relativistic';
import { wasserstein } from './wasserstein';

/** A loss without options: its entry makes the one shared pair. */
function fixed<const N extends string>(name: N, summary: string, pair: LossPair) {
  return definePart({ name, kind: 'loss', summary, schema: z.strictObject({}), create: (): LossPair => pair });
}

/**
 * Every adversarial loss of `@gankit/losses` by name, with the schema of its options: what
 * `gankit train --config` offers as `"loss"`. A new loss is its file, its entry here (name,
 * summary, option schema, `create`), its export from `index.ts` and its test; the CLI finds it
 * here. `losses.create('least-squares', { a: -1, c: 0 })` makes a pair from options.
 */
export const losses = /* @__PURE__ */ createRegistry('loss', () => [
  fixed('minimax', 'the original minimax GAN loss (Goodfellow et al. 2014); G minimises log(1 − D(G(z)))', minimax),
  fixed('non-saturating', 'the non-saturating GAN loss: G maximises log D(G(z)), the usual default', nonSaturating),
  definePart({
    name: 'least-squares',
    kind: 'loss',
    summary: 'least-squares GAN (Mao et al. 2017): D pushes real outputs to b and fakes to a; G pushes fakes to c',
    schema: z.strictObject({
      a: z.number().default(0).describe("target of D's output on generated data"),
      b: z.number().default(1).describe("target of D's output on real data"),
      c: z.number().default(1).describe('target that G wants D to output on generated data'),
    }),
    create: (targets): LossPair => leastSquares(targets),
  }),
  fixed('wasserstein', 'Wasserstein GAN (Arjovsky et al. 2017): needs a Lipschitz critic (gradient penalty, clipping)', wasserstein),
  fixed('hinge', 'hinge loss (SNGAN, BigGAN): D on relu(1 − r) + relu(1 + f), G on −f', hinge),
  fixed('relativistic-average', 'relativistic average GAN (Jolicoeur-Martineau 2018)', relativisticAverage),
  fixed('relativistic-average-hinge', 'relativistic average hinge GAN (Jolicoeur-Martineau 2018)', relativisticAverageHinge),
  definePart({
    name: 'f-gan',
    kind: 'loss',
    summary: 'f-GAN (Nowozin et al. 2016): the variational bound of an f-divergence, with its output activation and conjugate',
    schema: z.strictObject({
      divergence: z
        .literal([...F_DIVERGENCES])
        .default('jensen-shannon')
        .describe('the f-divergence to minimise: kl, reverse-kl, pearson, squared-hellinger, jensen-shannon, gan, total-variation'),
      generator: z
        .literal(['saddle', 'non-saturating'])
        .default('saddle')
        .describe("G's objective: saddle (minimise −E f*(g(v))) or non-saturating (maximise E g(v), the paper's §3.2)"),
    }),
    create: (o): LossPair => fGan(o.divergence, { generator: o.generator }),
  }),
]);

/** One entry of {@link losses}. */
export type LossEntry = (typeof losses.entries)[number];

/** Every loss name that {@link lossByName} knows, in a stable order (the names of {@link losses}). */
// Pure, like the registry: a bundle that uses neither drops both (and zod).
export const LOSS_NAMES: readonly LossName[] = /* @__PURE__ */ (() => losses.names)();

/** A name that {@link lossByName} accepts. */
export type LossName = LossEntry['name'];

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
  return losses.has(name);
}

/**
 * The loss pair with the given name, e.g. from the command line.
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
  return losses.create(name);
}
