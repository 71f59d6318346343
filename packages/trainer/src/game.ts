// A game: which players there are, what each generator takes, each player's terms and the update
// schedule. The Trainer runs any game; the classic GAN and CycleGAN are two of them.
import type * as tf from '@tensorflow/tfjs-core';
import type { Batch, DataSource, LossPair, Network, Phase, PluginHook, RandomSource, StepContext } from '@gankit/core';

/** Draws `n` latent vectors; the default is a standard normal of the generator's input shape. */
export type LatentSampler = (n: number, random: RandomSource) => tf.Tensor;

/**
 * What a generator of a {@link PairSpec} takes: latent noise drawn by the trainer (with class
 * labels in conditional games), or the examples of another data set of the game (CycleGAN's
 * translation of domain A into B).
 */
export type GeneratorInput = { readonly kind: 'latent' } | { readonly kind: 'data'; readonly data: string };

/**
 * One generator/discriminator pair of a game: the generator's fakes face the discriminator, which
 * also sees the real examples of `data`, under an adversarial loss pair.
 */
export interface PairSpec {
  /** A name for logs and for `StepContext.pair` (`''` for the one pair of a classic GAN). */
  readonly name: string;
  /** Role (key in {@link Game.networks}) of the generator. */
  readonly generator: string;
  /** Role of the discriminator. */
  readonly discriminator: string;
  /** Key in {@link Game.data} of the real examples the discriminator sees. */
  readonly data: string;
  /** What the generator takes. */
  readonly input: GeneratorInput;
  /** The adversarial loss of this pair. */
  readonly loss: LossPair;
}

/** What a player's own terms return: scalars added to its loss in order, and scalars only logged. */
export interface PlayerLoss {
  /** Added to the player's loss, in this order, after the adversarial terms of its pairs. */
  readonly terms: readonly tf.Scalar[];
  /** Logged as `<game name>/<key>` (e.g. CycleGAN's unweighted cycle and identity terms). */
  readonly logs?: Readonly<Record<string, tf.Scalar>> | undefined;
}

/** What {@link PlayerSpec.loss} sees during one update, inside the gradient scope. */
export interface UpdateContext {
  /** The iteration, counted from 0. */
  readonly step: number;
  /** The player being updated. */
  readonly player: string;
  /** Every network of the game by role. */
  readonly networks: Readonly<Record<string, Network>>;
  /** The real batch of each data set of the game in this update, by key. */
  readonly batches: Readonly<Record<string, Batch>>;
  /** A step context for every pair this player trains (as plugins see them), in the game's pair order. */
  readonly pairs: readonly StepContext[];
  /** The step context of the pair of that name. */
  pair(name: string): StepContext;
}

/**
 * A player: networks whose trainable variables one optimizer updates together, and how one of its
 * updates is made. A discriminator-side player trains the discriminators of the pairs it holds on
 * their adversarial discriminator losses; a generator-side player the generators, on the generator
 * losses. {@link PlayerSpec.loss} adds the player's own terms (CycleGAN's cycle consistency,
 * InfoGAN's mutual information, ...).
 */
export interface PlayerSpec {
  /** The player's name (`generator`, `discriminator`, ...): it names the optimizer in checkpoints. */
  readonly name: string;
  /** Which side it plays, and so which plugin hooks its updates run. */
  readonly kind: Phase;
  /** Roles of the networks it trains, in the order their variables are given to the optimizer. */
  readonly networks: readonly string[];
  /** Its optimizer (default Adam, learning rate 2e-4, β₁ = 0.5). Not shared with another player. */
  readonly optimizer?: tf.Optimizer | undefined;
  /** Updates per iteration (default 1; k of Goodfellow et al.'s Algorithm 1 for a discriminator). */
  readonly steps?: number | undefined;
  /**
   * What each update draws: `'batch'` fresh real batches of every data set and fresh generator
   * inputs; `'inputs'` fresh latent inputs only (the real batches of the previous update stay);
   * `'none'` nothing (the previous update's batches and inputs stay).
   */
  readonly draw: 'batch' | 'inputs' | 'none';
  /**
   * How its updates get the fake batches: `'constant'` made before the update outside the gradient
   * scope (a discriminator's update; `transformFakes` runs on them); `'tape'` made inside the
   * gradient scope, so the loss flows back into the generators; `'previous'` the fakes of the
   * previous update, as constants (`transformFakes` runs on them).
   */
  readonly fakes: 'constant' | 'tape' | 'previous';
  /** The player's own loss terms of one update (inside the gradient scope and `tf.tidy`). */
  loss?(u: UpdateContext): PlayerLoss;
}

/**
 * Everything that makes one kind of GAN: its networks by role, its data sets, its players in
 * update order and its adversarial pairs. A {@link Trainer} runs any game with the same machinery
 * (plugins, numerical-fault guard, data-parallel replicas, checkpoints and exact resume).
 * {@link classicGame} is the GAN of Goodfellow et al.; {@link cycleGan} is CycleGAN.
 */
export interface Game {
  /** The game's name; it prefixes the logs of the players' own terms. */
  readonly name: string;
  /** The format name of its checkpoints (default `'gankit-trainer-state'`). */
  readonly stateFormat?: string | undefined;
  /** Every network by role, in a fixed order (checkpoints name variables by role and position). */
  readonly networks: Readonly<Record<string, Network>>;
  /** Every data set by key, in the order each update draws them. */
  readonly data: Readonly<Record<string, DataSource>>;
  /** The players, in the order each iteration updates them. */
  readonly players: readonly PlayerSpec[];
  /**
   * The adversarial pairs. The first is the primary pair: `StepContext.generator`/`discriminator`
   * of per-update hooks, `TrainContext.generator`/`discriminator`, and the logged `dReal`/`dFake`.
   */
  readonly pairs: readonly PairSpec[];
  /** Shape of one latent vector (or of the primary generator's input). */
  readonly latentShape: readonly number[];
  /** The latent distribution of pairs with latent input (default standard normal of `latentShape`). */
  readonly latent?: LatentSampler | undefined;
  /** Pass class labels to the networks (pairs with latent input; the data must carry labels). */
  readonly conditional?: boolean | undefined;
  /** Labels of the fakes in conditional games (see `TrainerOptions.fakeLabels`). */
  readonly fakeLabels?: 'real' | 'uniform' | undefined;
  /** Picks the part of a discriminator output the adversarial loss sees (see `TrainerOptions.adversarialOutput`). */
  readonly adversarialOutput?: ((output: tf.Tensor) => tf.Tensor) | undefined;
  /** Examples per batch when the trainer is given none (default 64). */
  readonly defaultBatchSize?: number | undefined;
  /** Plugin hooks this game cannot host, each with the reason (a plugin with one is refused). */
  readonly unsupportedHooks?: Readonly<Partial<Record<PluginHook, string>>> | undefined;
}
