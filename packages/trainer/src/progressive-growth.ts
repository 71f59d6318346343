// Progressive growing (Karras et al. 2018): the growth schedule as a plugin that moves growing
// networks through their stages and fade-ins, and fades the real images the same way.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type GanPlugin, type JsonValue, type Network, type PluginState } from '@gankit/core';

/**
 * A network that grows by resolution: what `progressiveGenerator` and `progressiveDiscriminator`
 * of `@gankit/architectures` return. Every stage's variables exist from the start; the stage and
 * the fade-in α choose which run.
 */
export interface GrowingNetwork extends Network {
  /** The resolutions from low to high, e.g. `[7, 14, 28]`. */
  readonly resolutions: readonly number[];
  /** The index of the highest resolution that runs now. */
  readonly stage: number;
  /** The fade-in α of the newest block. */
  readonly alpha: number;
  /** Sets the stage and the fade-in α ∈ [0, 1]. */
  setGrowth(stage: number, alpha: number): void;
}

/** The durations of {@link progressiveSchedule}, in images (iterations × batch size). */
export interface ProgressiveScheduleOptions {
  /** Images shown at each resolution with α = 1: the first resolution's whole phase, and each later one's after its fade. */
  readonly stableImages: number;
  /** Images over which α goes from 0 to 1 after each growth. */
  readonly fadeImages: number;
}

/** Where a progressive run stands: the stage, α and whether the newest block is fading in. */
export interface GrowthPhase {
  /** The index of the highest resolution that runs. */
  readonly stage: number;
  /** The fade-in α of its block (1 at stage 0 and once the fade is over). */
  readonly alpha: number;
  /** `true` while α < 1 at a stage above 0. */
  readonly fading: boolean;
}

function checkImages(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new GankitError('config', `${what} must be a non-negative integer (images), got ${String(value)}`);
  }
  return value;
}

/**
 * The growth schedule of Karras et al. 2018 (§3, "when doubling the resolution ... fade in the new
 * layers smoothly"; their run shows 800k images per phase): the first resolution is trained for
 * `stableImages`; then each new resolution fades in over `fadeImages` with α rising linearly from 0
 * to 1, `α = (images − start of the fade) / fadeImages`, and is trained for `stableImages` more;
 * after the last, stage `stages − 1` with α = 1 for good. A pure function of the images shown.
 */
export function progressiveSchedule(images: number, stages: number, options: ProgressiveScheduleOptions): GrowthPhase {
  const stable = checkImages(options.stableImages, 'progressiveSchedule: stableImages');
  const fade = checkImages(options.fadeImages, 'progressiveSchedule: fadeImages');
  if (!Number.isInteger(stages) || stages < 1)
    throw new GankitError('config', `progressiveSchedule: stages must be a positive integer, got ${stages}`);
  if (!(images >= 0)) throw new GankitError('config', `progressiveSchedule: images must be >= 0, got ${images}`);
  let rest = images - stable;
  for (let stage = 1; stage < stages; stage++) {
    if (rest < 0) return { stage: stage - 1, alpha: 1, fading: false };
    if (rest < fade) return { stage, alpha: rest / fade, fading: true };
    rest -= fade + stable;
  }
  return { stage: stages - 1, alpha: 1, fading: false };
}

/** Options of {@link progressiveGrowth}. */
export interface ProgressiveGrowthOptions extends ProgressiveScheduleOptions {
  /** Roles of the growing networks (default `['generator', 'discriminator']`). */
  readonly networks?: readonly string[] | undefined;
  /**
   * Fade the real images the discriminator sees as the fakes fade (default `true`, as the
   * reference code's `process_reals`): at stage s with α < 1 the reals at resolution r_s are
   * `lerp(upsample₂(pool₂(x_{r_s})), x_{r_s}, α)`.
   */
  readonly fadeReals?: boolean | undefined;
  /** Plugin name (default `'progressive-growth'`); it prefixes the logged metrics. */
  readonly name?: string | undefined;
}

/** The plugin {@link progressiveGrowth} returns. */
export interface ProgressiveGrowthPlugin extends GanPlugin {
  /** The phase the next iteration runs in (stage 0, α = 1 before setup). */
  readonly phase: GrowthPhase;
}

/**
 * Nearest-neighbour upsampling of NHWC images by `s` (each pixel to an s × s block), by broadcast
 * products with ones (the wasm backend's `Tile`, behind `broadcastTo`, is far slower).
 */
function nearest(x: tf.Tensor, s: number): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const ones = tf.ones([1, 1, s, 1]);
  const wide = tf.mul(tf.reshape(x, [n * h, w, 1, c]), ones);
  return tf.reshape(tf.mul(tf.reshape(wide, [n, h, 1, w * s * c]), ones), [n, h * s, w * s, c]);
}

/**
 * Progressive growing (Karras et al. 2018, §3) as a plugin: before every iteration it sets the
 * stage and fade-in α of the growing networks (`progressiveGenerator` and
 * `progressiveDiscriminator` of `@gankit/architectures`) from {@link progressiveSchedule} at
 * `images = iteration × batch size`, and fades the real images as the fakes fade
 * (`fadeReals`). It logs `<name>/stage`, `<name>/alpha` and `<name>/resolution` of each iteration.
 *
 * The new blocks' variables join the optimizers without disturbing the old ones' state: the
 * growing networks list every stage's variables from the start, in a fixed order, so each player's
 * optimizer holds a slot for every variable from its first update; variables of blocks that do not
 * run get no gradient, and tfjs's optimizers leave a variable without a gradient (its weights and
 * its slots) untouched. Checkpoints keep one layout through the growth. With Adam, use
 * {@link perVariableAdam}: tfjs's `tf.train.adam` keeps its bias-correction products (β₁ᵗ, β₂ᵗ)
 * per optimizer, not per variable, so a block that joins at iteration t is bias-corrected as if it
 * had been trained for t iterations: its first updates are up to `(1 − β₁)/sqrt(1 − β₂)` times the
 * learning rate (10× for Karras's β = (0, 0.99)), settling over about `1/(1 − β₂)` iterations.
 * {@link perVariableAdam} counts each variable's updates from the first gradient it gets (the new
 * block's first iteration in the loss, at α = 0), so the new block starts with Adam's first steps,
 * as the reference code's optimizer reset at each new level gives it, and the old blocks keep
 * their state; this plugin needs to tell it nothing.
 *
 * The schedule is a function of the iteration, which checkpoints restore, so a resume in the middle
 * of a fade-in continues bit for bit; the plugin's state also records the iteration it set.
 *
 * @example
 * ```ts
 * const g = progressiveGenerator({ imageShape: [28, 28, 1] });
 * const d = progressiveDiscriminator({ imageShape: [28, 28, 1] });
 * const growth = progressiveGrowth({ stableImages: 20_000, fadeImages: 20_000 });
 * new Trainer({ generator: g, discriminator: d, loss: wasserstein, data: mnist, plugins: [growth] });
 * ```
 */
export function progressiveGrowth(options: ProgressiveGrowthOptions): ProgressiveGrowthPlugin {
  const name = options.name ?? 'progressive-growth';
  const schedule = { stableImages: options.stableImages, fadeImages: options.fadeImages };
  progressiveSchedule(0, 1, schedule); // checks the durations now
  const roles = options.networks ?? ['generator', 'discriminator'];
  if (!Array.isArray(roles) || roles.length === 0) throw new GankitError('config', `${name}: networks must name at least one role`);
  const fadeReals = options.fadeReals ?? true;
  let nets: GrowingNetwork[] = [];
  let batchSize = 0;
  let phase: GrowthPhase = { stage: 0, alpha: 1, fading: false };
  let step = 0;
  const apply = (at: number) => {
    step = at;
    phase = progressiveSchedule(at * batchSize, nets[0].resolutions.length, schedule);
    for (const n of nets) n.setGrowth(phase.stage, phase.alpha);
  };
  return {
    name,
    // Before the other plugins: their hooks see the networks at this iteration's stage, and the
    // reals are faded before any augmentation.
    order: -100,
    get phase() {
      return phase;
    },
    setup(ctx) {
      nets = roles.map((role) => {
        const n = ctx.networks[role] as Partial<GrowingNetwork> | undefined;
        if (n == null)
          throw new GankitError('config', `${name}: the trainer has no network '${role}' (it has ${Object.keys(ctx.networks).join(', ')})`);
        if (typeof n.setGrowth !== 'function' || !Array.isArray(n.resolutions)) {
          throw new GankitError(
            'config',
            `${name}: network '${role}' does not grow (no setGrowth/resolutions); use progressiveGenerator / progressiveDiscriminator`,
          );
        }
        return n as GrowingNetwork;
      });
      const stages = nets[0].resolutions.join(', ');
      for (const [i, n] of nets.entries()) {
        if (n.resolutions.join(', ') !== stages) {
          throw new GankitError(
            'config',
            `${name}: '${roles[i]}' grows through ${n.resolutions.join(', ')} but '${roles[0]}' through ${stages}`,
          );
        }
      }
      batchSize = ctx.info.batchSize;
      apply(ctx.step);
    },
    transformDiscriminatorInput(x, _s, source) {
      if (!fadeReals || source !== 'real' || !phase.fading) return x;
      const res = nets[0].resolutions;
      const f = res[res.length - 1] / res[phase.stage];
      if (x.rank !== 4 || x.shape[1] !== res[res.length - 1]) {
        throw new GankitError(
          'shape',
          `${name}: the real images must be [n, ${res[res.length - 1]}, ${res[res.length - 1]}, c], got [${x.shape.join(', ')}]`,
        );
      }
      const current = f === 1 ? x : tf.avgPool(x as tf.Tensor4D, f, f, 'valid');
      const coarse = nearest(tf.avgPool(current as tf.Tensor4D, 2, 2, 'valid'), 2);
      const faded = tf.add(coarse, tf.mul(tf.sub(current, coarse), phase.alpha));
      return f === 1 ? faded : nearest(faded, f);
    },
    onStepEnd(ctx, logs) {
      logs.metrics[`${name}/stage`] = phase.stage;
      logs.metrics[`${name}/alpha`] = phase.alpha;
      logs.metrics[`${name}/resolution`] = nets[0].resolutions[phase.stage];
      apply(ctx.step);
    },
    state(): PluginState {
      const meta: JsonValue = { step, stage: phase.stage, alpha: phase.alpha };
      return { tensors: {}, meta };
    },
    loadState(state) {
      const saved = (state.meta as { step?: unknown } | null | undefined)?.step;
      if (typeof saved !== 'number' || !Number.isInteger(saved) || saved < 0) {
        throw new GankitError(
          'checkpoint',
          `plugin '${name}': the checkpoint's step must be a non-negative integer, got ${JSON.stringify(saved)}`,
        );
      }
      if (nets.length > 0) apply(saved);
      else step = saved;
    },
  };
}
