// CycleGAN (Zhu et al. 2017) as a game: unpaired translation between two domains with two G/D pairs.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type DataSource, type LossPair, type Network } from '@gankit/core';
import { cycleConsistencyLoss, identityLoss, leastSquares } from '@gankit/losses';
import { sameShape } from './adversarial';
import type { Game, PlayerLoss, UpdateContext } from './game';

/** The format name of a CycleGAN trainer's state. */
export const CYCLEGAN_STATE_FORMAT = 'gankit-cyclegan-state';

/** Options of {@link cycleGan}. */
export interface CycleGanOptions {
  /** G: domain A → domain B (input `dataA.sampleShape`, output `dataB.sampleShape`). */
  readonly generatorAB: Network;
  /** F: domain B → domain A. */
  readonly generatorBA: Network;
  /** D_A: real A versus F(b); one value per example or a patch map `[h, w, 1]`. */
  readonly discriminatorA: Network;
  /** D_B: real B versus G(a); one value per example or a patch map `[h, w, 1]`. */
  readonly discriminatorB: Network;
  /** Examples of domain A. */
  readonly dataA: DataSource;
  /** Examples of domain B (unpaired with A: the two are drawn independently). */
  readonly dataB: DataSource;
  /** Adversarial loss of both pairs (default `leastSquares()` of `@gankit/losses`, as the paper). */
  readonly loss?: LossPair | undefined;
  /** λ, the weight of the cycle-consistency terms (default 10). */
  readonly cycleWeight?: number | undefined;
  /** Weight of the identity terms (default 0.5·λ, as the paper; 0 turns them off). Needs A and B of the same shape. */
  readonly identityWeight?: number | undefined;
  /** Optimizer of both generators' variables together (default Adam 2e-4, β₁ = 0.5). */
  readonly generatorOptimizer?: tf.Optimizer | undefined;
  /** Optimizer of both discriminators' variables together (default Adam 2e-4, β₁ = 0.5). */
  readonly discriminatorOptimizer?: tf.Optimizer | undefined;
}

/** The CycleGAN {@link Game}, with the weights it uses and a translation helper. */
export interface CycleGanGame extends Game {
  /** λ, the cycle-consistency weight. */
  readonly cycleWeight: number;
  /** The identity weight. */
  readonly identityWeight: number;
  /**
   * Translates a batch with a generator in inference mode: `'AB'` applies G (A → B), `'BA'`
   * applies F (B → A). The caller disposes the result.
   */
  translate(x: tf.Tensor, direction: 'AB' | 'BA'): tf.Tensor;
}

function nonNegative(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new GankitError('config', `${name} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/**
 * CycleGAN (Zhu et al. 2017) as a {@link Game}: learns G: A → B and F: B → A from unpaired
 * examples of two domains. Pairs `AB` (G against D_B on the B data; the primary pair) and `BA`
 * (F against D_A). Each iteration draws a batch `a` of A and `b` of B, then
 *
 * 1. player `generator` updates G and F jointly (one optimizer) on
 *    `L_adv(D_B(G(a))) + L_adv(D_A(F(b))) + λ·(|F(G(a)) − a|₁ + |G(F(b)) − b|₁) + λ_id·(|G(b) − b|₁ + |F(a) − a|₁)`
 *    plus the plugins' generator terms (for each pair);
 * 2. player `discriminator` updates D_A and D_B jointly on `L_D(D_B(b), D_B(G(a))) + L_D(D_A(a), D_A(F(b)))`,
 *    with the fakes of step 1 as constants (after any `transformFakes`, e.g. the paper's history of
 *    fakes with `experienceReplay`), plus the plugins' discriminator terms for each pair: a gradient
 *    penalty or R1 regularises both discriminators.
 *
 * The order (generators first, then discriminators on the same fakes) follows the paper's code and
 * saves two forward passes. The defaults follow the paper: least-squares loss, λ = 10,
 * λ_id = 0.5·λ, Adam 2e-4 with β₁ = 0.5, batch size 1 (the game's default). The losses are
 * `leastSquares`, `cycleConsistencyLoss` and `identityLoss` of `@gankit/losses`.
 *
 * Logs: `discriminatorLoss`/`generatorLoss` are the totals; `dReal`/`dFake` are D_B's mean outputs
 * on b and G(a); `terms` holds `cyclegan/adversarialAB`, `adversarialBA`, `discriminatorAB`,
 * `discriminatorBA`, `dRealAB`, `dFakeAB`, `dRealBA`, `dFakeBA`, `cycleA`, `cycleB`, `identityA`,
 * `identityB` (unweighted L1 means), and every plugin term as `plugin/AB/term` or `plugin/BA/term`.
 *
 * @example
 * ```ts
 * const game = cycleGan({ generatorAB, generatorBA, discriminatorA, discriminatorB, dataA, dataB });
 * const trainer = new Trainer({ game, nanGuard: { action: 'stop' } });
 * await trainer.fit({ steps: 1000 });
 * const toB = game.translate(a, 'AB');
 * ```
 */
export function cycleGan(options: CycleGanOptions): CycleGanGame {
  const { generatorAB, generatorBA, discriminatorA, discriminatorB, dataA, dataB } = options;
  for (const [k, v] of Object.entries({ generatorAB, generatorBA, discriminatorA, discriminatorB })) {
    if (!v || typeof v.apply !== 'function') throw new GankitError('config', `cycleGan needs a network '${k}'`);
  }
  for (const [k, v] of Object.entries({ dataA, dataB })) {
    if (!v || typeof v.nextBatch !== 'function')
      throw new GankitError('config', `cycleGan '${k}' must be a DataSource with nextBatch(batchSize, random)`);
  }
  const loss = options.loss ?? leastSquares();
  if (typeof loss.discriminator !== 'function' || typeof loss.generator !== 'function') {
    throw new GankitError('config', 'cycleGan `loss` must be a loss pair { discriminator(real, fake), generator(fake) }');
  }
  if (loss.generatorUsesReal)
    throw new GankitError('config', `cycleGan does not support losses whose generator term needs real outputs ('${loss.name}')`);
  const cycleWeight = nonNegative('cycleWeight', options.cycleWeight ?? 10);
  const identityWeight = nonNegative('identityWeight', options.identityWeight ?? 0.5 * cycleWeight);
  if (identityWeight > 0 && !sameShape(dataA.sampleShape, dataB.sampleShape)) {
    throw new GankitError(
      'shape',
      `the identity terms need domains of the same shape, but A has ${formatShape(dataA.sampleShape)} and B ${formatShape(dataB.sampleShape)}; pass identityWeight: 0`,
    );
  }
  if (options.generatorOptimizer && options.generatorOptimizer === options.discriminatorOptimizer) {
    throw new GankitError(
      'config',
      'generators and discriminators need separate optimizer instances: one shared optimizer mixes their state',
    );
  }
  const train = { training: true };
  const generatorTerms = (u: UpdateContext): PlayerLoss => {
    const a = u.batches.A.x;
    const b = u.batches.B.x;
    const fakeB = u.pair('AB').fake();
    const fakeA = u.pair('BA').fake();
    const cycleA = cycleConsistencyLoss(a, generatorBA.apply(fakeB, train));
    const cycleB = cycleConsistencyLoss(b, generatorAB.apply(fakeA, train));
    const terms: tf.Scalar[] = [tf.mul(cycleWeight, tf.add(cycleA, cycleB))];
    const logs: Record<string, tf.Scalar> = { cycleA, cycleB };
    if (identityWeight > 0) {
      const idA = identityLoss(a, generatorBA.apply(a, train));
      const idB = identityLoss(b, generatorAB.apply(b, train));
      logs.identityA = idA;
      logs.identityB = idB;
      terms.push(tf.mul(identityWeight, tf.add(idA, idB)));
    }
    return { terms, logs };
  };
  return {
    name: 'cyclegan',
    stateFormat: CYCLEGAN_STATE_FORMAT,
    networks: { generatorAB, generatorBA, discriminatorA, discriminatorB },
    data: { A: dataA, B: dataB },
    pairs: [
      { name: 'AB', generator: 'generatorAB', discriminator: 'discriminatorB', data: 'B', input: { kind: 'data', data: 'A' }, loss },
      { name: 'BA', generator: 'generatorBA', discriminator: 'discriminatorA', data: 'A', input: { kind: 'data', data: 'B' }, loss },
    ],
    players: [
      {
        name: 'generator',
        kind: 'generator',
        networks: ['generatorAB', 'generatorBA'],
        optimizer: options.generatorOptimizer,
        draw: 'batch',
        fakes: 'tape',
        loss: generatorTerms,
      },
      {
        name: 'discriminator',
        kind: 'discriminator',
        networks: ['discriminatorA', 'discriminatorB'],
        optimizer: options.discriminatorOptimizer,
        draw: 'none',
        fakes: 'previous',
      },
    ],
    latentShape: [...dataA.sampleShape],
    defaultBatchSize: 1,
    cycleWeight,
    identityWeight,
    translate(x: tf.Tensor, direction: 'AB' | 'BA'): tf.Tensor {
      if (direction !== 'AB' && direction !== 'BA') {
        throw new GankitError('argument', `translate: direction must be 'AB' or 'BA', got ${JSON.stringify(direction)}`);
      }
      const net = direction === 'AB' ? generatorAB : generatorBA;
      if (!(x instanceof tf.Tensor) || !sameShape(x.shape.slice(1), net.inputShape)) {
        const got = x instanceof tf.Tensor ? formatShape(x.shape) : typeof x;
        throw new GankitError('shape', `translate '${direction}': expected a batch [n, ${net.inputShape.join(', ')}], got ${got}`);
      }
      return tf.tidy(() => net.apply(x, { training: false }));
    },
  };
}
