// The options of a Trainer and of its fit.
import type { GanPlugin, StepLogs } from '@gankit/core';
import type { ClassicGameOptions } from './classic';
import type { Game } from './game';
import type { NanGuardOptions } from './nan-guard';
import type { ReplicaOptions } from './replicas';

/** Options of a {@link Trainer} whatever its game. */
export interface CommonTrainerOptions {
  /** Examples per batch (default: the game's, 64 for the classic GAN). */
  readonly batchSize?: number | undefined;
  /** Plugins: regularizers, averaging, metrics, loggers. */
  readonly plugins?: readonly GanPlugin[] | undefined;
  /** The run seed: with the same seed, backend and options a run repeats bit for bit (default 0). */
  readonly seed?: number | undefined;
  /**
   * Watch for numerical faults (a NaN or infinite loss, and optionally gradient) and keep the last
   * good state: see {@link NanGuardOptions}. Off by default (it costs one small device read per
   * update and one cheap snapshot per iteration).
   */
  readonly nanGuard?: NanGuardOptions | undefined;
  /**
   * Makes this trainer one of several data-parallel replicas (usually one per worker thread; see
   * {@link ReplicaOptions}). Default: none, the whole batch in this thread.
   */
  readonly replica?: ReplicaOptions | undefined;
}

/**
 * Options of a {@link Trainer} of the classic GAN: one generator, one discriminator, one loss and
 * one data set (the trainer builds {@link classicGame} from them).
 */
export interface ClassicTrainerOptions extends CommonTrainerOptions, ClassicGameOptions {
  /** Absent: the classic options describe the game. */
  readonly game?: undefined;
}

/** Options of a {@link Trainer} of any {@link Game} (e.g. {@link cycleGan}). */
export interface GameTrainerOptions extends CommonTrainerOptions {
  /** The game to train: its networks, data, players and pairs. */
  readonly game: Game;
}

/** Options of a {@link Trainer}: the classic GAN's parts, or a {@link Game}. */
export type TrainerOptions = ClassicTrainerOptions | GameTrainerOptions;

/** A result of {@link Trainer.fit}. */
export interface FitResult {
  /** Iterations completed by this call. */
  readonly steps: number;
  /** Wall-clock seconds of this call. */
  readonly seconds: number;
  /** The last iteration's logs (undefined when no step ran). */
  readonly last?: StepLogs | undefined;
  /** Why training stopped early, when a plugin or the caller asked it to. */
  readonly stopReason?: string | undefined;
  /**
   * Set when the numerical-fault guard (`nanGuard: { action: 'stop' }`) stopped training: the
   * iteration that went non-finite (1-based, so iteration `n` would have made step `n`), the player
   * whose update it was (`discriminator` or `generator` in the classic GAN), and what was non-finite (the loss and the terms of it that were, e.g.
   * `the discriminator loss is NaN (non-finite terms: r1/penalty Infinity)`). The trainer is in the
   * state after iteration `n - 1`.
   */
  readonly fault?: { readonly iteration: number; readonly player: string; readonly detail: string } | undefined;
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  /** Iterations to run. */
  readonly steps: number;
  /** Called after every iteration, after the plugins' `onStepEnd`. */
  readonly onStep?: ((logs: StepLogs) => void | Promise<void>) | undefined;
  /** Stops cleanly after the current iteration when aborted. */
  readonly signal?: AbortSignal | undefined;
}
