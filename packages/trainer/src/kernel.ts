// What the parts of the training kernel share: resolved players, the kernel's parts, fake holders
// and step contexts as each plugin sees them.
import type * as tf from '@tensorflow/tfjs-core';
import { PLUGIN_API_VERSION, stepContextFor, type GanPlugin, type Network, type RandomSource, type StepContext } from '@gankit/core';
import type { Game, LatentSampler, PairSpec, PlayerSpec } from './game';
import type { NanGuardOptions } from './nan-guard';
import type { ReplicaOptions } from './replicas';

/** A player with its optimizer and the pairs it trains. @internal */
export interface ResolvedPlayer {
  readonly spec: PlayerSpec;
  readonly optimizer: tf.Optimizer;
  readonly networks: readonly Network[];
  /** Pairs whose discriminator (discriminator side) or generator (generator side) it trains. */
  readonly pairs: readonly PairSpec[];
  readonly steps: number;
}

/** What the iteration runner needs of its trainer. @internal */
export interface KernelParts {
  readonly game: Game;
  readonly players: readonly ResolvedPlayer[];
  readonly plugins: readonly GanPlugin[];
  readonly versions: ReadonlyMap<GanPlugin, number>;
  readonly random: RandomSource;
  readonly pluginRandom: RandomSource;
  readonly batchSize: number;
  readonly latent: LatentSampler;
  readonly replica: ReplicaOptions | undefined;
  readonly guard: NanGuardOptions | undefined;
}

/** The fake batch of one pair in one update, as its step context sees it. @internal */
export interface FakeHolder {
  /** The fake examples once made (`null` until then). */
  x: tf.Tensor | null;
  /** Their labels in conditional games. */
  labels: tf.Tensor1D | undefined;
  /** Makes the fakes (the generator's forward pass) on first use. */
  make: () => tf.Tensor;
  /** Set while a hook runs that must not make or read the fakes. */
  blocked?: string | undefined;
}

/** A pair's step context with what the runner keeps beside it. @internal */
export interface PairContext {
  readonly pair: PairSpec;
  readonly holder: FakeHolder;
  readonly context: StepContext;
}

/**
 * The step context a plugin sees: fields newer than its contract version refuse to be read.
 * @internal
 */
export function pluginContext(s: StepContext, p: GanPlugin, versions: ReadonlyMap<GanPlugin, number>): StepContext {
  return stepContextFor(s, p, versions.get(p) ?? PLUGIN_API_VERSION);
}
