import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, isWeightAverager, networkVariables } from '@gankit/core';
import type { JsonValue, Network, PluginState, StepContext, TrainContext, WeightAverager as WeightAveragerContract } from '@gankit/core';

/** Settings shared by {@link ema} and {@link uniformAverage}. */
export interface AveragingOptions {
  /**
   * First iteration (`StepContext.step`, counted from 0) whose generator update enters the
   * average (default 0). Before it, the averaged copy simply tracks the live weights.
   */
  readonly startStep?: number | undefined;
  /**
   * Name of the network to average, looked up in the trainer's `networks`; `'generator'` (the
   * default) and `'discriminator'` also fall back to the context's first generator/discriminator.
   * The average is updated after each generator update, whichever network it follows.
   */
  readonly network?: string | undefined;
  /** The plugin's name (default `'ema'` or `'uniform-average'`); give two instances different names. */
  readonly name?: string | undefined;
}

/**
 * A weight-averaging plugin: keeps an averaged copy of one network's variables, updated after
 * every generator update, and lets you run code with the averaged weights swapped in.
 *
 * The averaged copy holds one variable per variable of the network, in
 * `networkVariables` (from `@gankit/core`) order (trainable first). Trainable
 * variables are averaged; non-trainable ones (batch-norm moving statistics, spectral norm's
 * vectors) are copied from the live network at every update, never averaged.
 */
export interface AveragingPlugin extends WeightAveragerContract {
  /** The plugin's name. */
  readonly name: string;
  /** Position in the hook sequence (100: after regularizers, before loggers). */
  readonly order: number;
  /** Name of the averaged network. */
  readonly network: string;
  /** How many generator updates have entered the average so far. */
  readonly updates: number;
  /** `true` once the averaged copy exists (after `setup`, `initialize`, `loadState` or the first update). */
  readonly initialized: boolean;
  /**
   * Creates the averaged copy from `net`'s current weights (done for you by `setup` or by the
   * first update). Does nothing when the copy exists already (e.g. restored by `loadState`),
   * except to check that its shapes match `net`.
   */
  initialize(net: Network): void;
  /**
   * The averaged variables, in the network's variable order (trainable first). They belong to
   * the plugin: read or copy them, do not dispose or assign them.
   */
  averagedWeights(): tf.Variable[];
  /**
   * Runs `fn` with the averaged values in `net`'s variables, then puts the training values back
   * exactly (the same tensors, bit for bit), also when `fn` throws. When `fn` returns a promise,
   * the training values come back once it settles; do not train `net` while `fn` runs.
   * `net` must have the averaged network's variable shapes.
   *
   * @example
   * ```ts
   * const samples = avg.withAveragedWeights(generator, () => generator.apply(z, { training: false }));
   * ```
   */
  withAveragedWeights<T>(net: Network, fn: () => T): T;
  /** Sets up the averaged copy from the network named by {@link AveragingPlugin.network}. */
  setup(ctx: TrainContext): void;
  /** Updates the average after a generator update. */
  afterGeneratorStep(s: StepContext): void;
  /**
   * The averaged variables by index (`averaged/0`, `averaged/1`, ...) and the update counter.
   * The tensors are the plugin's own variables: the caller reads them and must not dispose them.
   */
  state(): PluginState;
  /** Restores {@link AveragingPlugin.state} exactly (values are copied; the caller keeps its tensors). */
  loadState(state: PluginState): void;
  /** Frees the averaged variables. */
  dispose(): void;
}

/**
 * Whether `p` is an {@link AveragingPlugin} (such as {@link ema} or {@link uniformAverage}): a
 * `WeightAverager` (see `isWeightAverager` in `@gankit/core`, which finds any weight averager)
 * that also names its network and has `initialize`, `updates` and `initialized`.
 */
export function isAveragingPlugin(p: unknown): p is AveragingPlugin {
  if (!isWeightAverager(p)) return false;
  const a = p as unknown as Record<string, unknown>;
  return (
    typeof a.network === 'string' &&
    typeof a.initialize === 'function' &&
    typeof a.updates === 'number' &&
    typeof a.initialized === 'boolean'
  );
}

/** Checks that a value is a non-negative integer; names the option in the error. */
export function checkNonNegativeInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new GankitError('config', `${what} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** Finds the network a plugin averages in a step or train context. */
export function findNetwork(
  ctx: { readonly networks: Readonly<Record<string, Network>>; readonly generator: Network; readonly discriminator: Network },
  name: string,
  plugin: string,
): Network {
  const net = ctx.networks?.[name] ?? (name === 'generator' ? ctx.generator : name === 'discriminator' ? ctx.discriminator : undefined);
  if (!net) {
    const known = Object.keys(ctx.networks ?? {}).join(', ') || 'none';
    throw new GankitError('config', `${plugin}: no network named '${name}' (networks: ${known})`);
  }
  return net;
}

/**
 * The state and bookkeeping common to the averaging plugins. Subclasses decide, after each
 * generator update, whether to track, average (with which weight) or leave the copy alone.
 */
export abstract class WeightAverager implements AveragingPlugin {
  readonly order = 100;
  readonly name: string;
  readonly network: string;
  protected readonly startStep: number;
  private shadows: tf.Variable[] | null = null;
  /** Number of trainable variables at the front of {@link WeightAverager.shadows}. */
  private numTrainable = 0;
  private updateCount = 0;
  private disposed = false;

  protected constructor(name: string, options: AveragingOptions) {
    this.name = options.name ?? name;
    this.network = options.network ?? 'generator';
    this.startStep = checkNonNegativeInt(options.startStep ?? 0, `${this.name}: startStep`);
  }

  get updates(): number {
    return this.updateCount;
  }

  get initialized(): boolean {
    return this.shadows != null;
  }

  /** A short description of the kind for state metadata (`ema`, `uniform`). */
  protected abstract readonly kind: string;

  /**
   * Weight of the live value in this update (`θ̂ ← θ̂ + w·(θ − θ̂)`): 1 copies, 0 leaves the copy
   * alone, `null` skips the update entirely (non-trainable copies included).
   * `updatesSoFar` counts the averaging updates made before this one.
   */
  protected abstract liveWeight(step: number, updatesSoFar: number): number | null;

  /** Settings to keep in the state's metadata (checked on load). */
  protected abstract settings(): Record<string, JsonValue>;

  initialize(net: Network): void {
    this.checkAlive();
    const vars = networkVariables(net);
    if (this.shadows) {
      this.checkMatches(net, vars);
      return;
    }
    for (const v of net.trainableVariables) {
      if (v.dtype !== 'float32') {
        throw new GankitError('dtype', `${this.name}: can only average float32 variables, but '${v.name}' of '${net.name}' is ${v.dtype}`);
      }
    }
    this.numTrainable = net.trainableVariables.length;
    this.shadows = vars.map((v) => tf.variable(v, false, undefined, v.dtype));
  }

  averagedWeights(): tf.Variable[] {
    return [...this.requireShadows('averagedWeights')];
  }

  setup(ctx: TrainContext): void {
    this.initialize(findNetwork(ctx, this.network, this.name));
  }

  afterGeneratorStep(s: StepContext): void {
    this.checkAlive();
    const net = findNetwork(s, this.network, this.name);
    if (!this.shadows) this.initialize(net);
    const shadows = this.shadows!;
    const w = this.liveWeight(s.step, this.updateCount);
    if (w == null) return;
    const vars = networkVariables(net);
    this.checkMatches(net, vars);
    tf.tidy(() => {
      for (let i = 0; i < shadows.length; i++) {
        const shadow = shadows[i];
        const live = vars[i];
        if (i >= this.numTrainable || w === 1) {
          shadow.assign(tf.clone(live));
        } else if (w !== 0) {
          // θ̂ + w·(θ − θ̂): the same value as (1 − w)·θ̂ + w·θ, with less rounding.
          shadow.assign(tf.add(shadow, tf.mul(tf.sub(live, shadow), tf.scalar(w))));
        }
      }
    });
    if (s.step >= this.startStep) this.updateCount++;
  }

  withAveragedWeights<T>(net: Network, fn: () => T): T {
    const shadows = this.requireShadows('withAveragedWeights');
    const vars = networkVariables(net);
    this.checkMatches(net, vars);
    // A clone shares the variable's data, so the training values are kept without a copy and
    // come back bit for bit.
    const saved = vars.map((v) => tf.keep(tf.clone(v)));
    vars.forEach((v, i) => v.assign(shadows[i]));
    let restored = false;
    const restore = () => {
      if (restored) return;
      restored = true;
      vars.forEach((v, i) => {
        v.assign(saved[i]);
        saved[i].dispose();
      });
    };
    let result: T;
    try {
      result = fn();
    } catch (e) {
      restore();
      throw e;
    }
    if (result != null && typeof (result as { then?: unknown }).then === 'function') {
      return (result as unknown as Promise<unknown>).then(
        (value) => {
          restore();
          return value;
        },
        (err: unknown) => {
          restore();
          throw err;
        },
      ) as unknown as T;
    }
    restore();
    return result;
  }

  state(): PluginState {
    const shadows = this.requireShadows('state');
    const tensors: tf.NamedTensorMap = {};
    shadows.forEach((v, i) => {
      tensors[`averaged/${i}`] = v;
    });
    return {
      tensors,
      meta: { kind: this.kind, updates: this.updateCount, variables: shadows.length, trainable: this.numTrainable, ...this.settings() },
    };
  }

  loadState(state: PluginState): void {
    this.checkAlive();
    const meta = state?.meta as Record<string, JsonValue> | undefined;
    if (!meta || typeof meta !== 'object' || meta.kind !== this.kind) {
      throw new GankitError(
        'checkpoint',
        `${this.name}: state is not a '${this.kind}' averaging state (meta.kind = ${JSON.stringify(meta?.kind)})`,
      );
    }
    const n = meta.variables;
    const trainable = meta.trainable;
    const updates = meta.updates;
    if (!Number.isInteger(n) || !Number.isInteger(trainable) || !Number.isInteger(updates) || (updates as number) < 0) {
      throw new GankitError(
        'checkpoint',
        `${this.name}: state metadata needs integer 'variables', 'trainable' and 'updates', got ${JSON.stringify(meta)}`,
      );
    }
    if ((trainable as number) < 0 || (trainable as number) > (n as number)) {
      throw new GankitError('checkpoint', `${this.name}: state metadata says ${trainable} of ${n} variables are trainable`);
    }
    if (this.shadows && this.shadows.length !== n) {
      throw new GankitError('checkpoint', `${this.name}: state holds ${n} variables, the averaged copy has ${this.shadows.length}`);
    }
    const tensors: tf.Tensor[] = [];
    for (let i = 0; i < (n as number); i++) {
      const t = state.tensors?.[`averaged/${i}`];
      if (!t) throw new GankitError('checkpoint', `${this.name}: state lacks tensor 'averaged/${i}' (expected ${n})`);
      const current = this.shadows?.[i];
      if (current && (!sameShape(t.shape, current.shape) || t.dtype !== current.dtype)) {
        throw new GankitError(
          'checkpoint',
          `${this.name}: saved 'averaged/${i}' is ${t.dtype} ${formatShape(t.shape)}, the averaged copy is ${current.dtype} ${formatShape(current.shape)}`,
        );
      }
      tensors.push(t);
    }
    if (this.shadows) {
      this.shadows.forEach((v, i) => v.assign(tensors[i]));
    } else {
      this.shadows = tensors.map((t) => tf.variable(t, false, undefined, t.dtype));
    }
    this.numTrainable = trainable as number;
    this.updateCount = updates as number;
    this.restoreSettings(meta);
  }

  /** Restores counters kept in the metadata beyond `updates` (none by default). */
  protected restoreSettings(_meta: Record<string, JsonValue>): void {}

  dispose(): void {
    if (this.shadows) for (const v of this.shadows) v.dispose();
    this.shadows = null;
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new GankitError('state', `${this.name}: the plugin was disposed`);
  }

  private requireShadows(what: string): tf.Variable[] {
    this.checkAlive();
    if (!this.shadows) {
      throw new GankitError(
        'state',
        `${this.name}.${what}: no averaged weights yet; call setup() or initialize(network) first, or train a step`,
      );
    }
    return this.shadows;
  }

  private checkMatches(net: Network, vars: readonly tf.Variable[]): void {
    const shadows = this.shadows!;
    if (vars.length !== shadows.length) {
      throw new GankitError(
        'shape',
        `${this.name}: network '${net.name}' has ${vars.length} variables, the averaged copy has ${shadows.length}`,
      );
    }
    for (let i = 0; i < vars.length; i++) {
      if (!sameShape(vars[i].shape, shadows[i].shape) || vars[i].dtype !== shadows[i].dtype) {
        throw new GankitError(
          'shape',
          `${this.name}: variable ${i} ('${vars[i].name}') of '${net.name}' is ${vars[i].dtype} ${formatShape(vars[i].shape)}, the averaged copy is ${shadows[i].dtype} ${formatShape(shadows[i].shape)}`,
        );
      }
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
