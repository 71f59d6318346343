// Adam whose bias correction counts each variable's own updates: blocks that join a growing
// network late start with Adam's first steps instead of steps scaled by the global β^t.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';

/** One variable's state: Adam's two moments and the mirror of its update count for checkpoints. */
interface Slot {
  /** The variable's name (the slots' names start with it). */
  readonly name: string;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  /** The count `t` as a tensor of the variable's shape (the trainer's checkpoints want slots shaped like it). */
  count: tf.Variable;
  /** The value `count` holds (it is refreshed by `getWeights`, not at every update). */
  mirrored: number;
  /** Updates this variable received: the `t` of its bias correction. */
  steps: number;
  /** β₁ᵗ and β₂ᵗ as float32 running products, exactly as tfjs's Adam keeps them. */
  acc1: number;
  acc2: number;
}

function checkRate(value: unknown, what: string, min: number, minIncluded: boolean, maxExcluded?: number): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minIncluded ? value >= min : value > min) &&
    (maxExcluded === undefined || value < maxExcluded);
  if (!ok) {
    const range = maxExcluded === undefined ? `> ${min}` : `in [${min}, ${maxExcluded})`;
    throw new GankitError('config', `perVariableAdam: ${what} must be a finite number ${range}, got ${String(value)}`);
  }
  return value as number;
}

/**
 * Adam (Kingma & Ba 2015) with a step count per variable: each variable's bias correction
 * `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)` uses the number `t` of updates that variable has
 * received, not the optimizer's global count.
 *
 * Why: progressive growing (Karras et al. 2018) builds every block from the start and lets a block
 * join the loss only when its resolution fades in. tfjs's `tf.train.adam` keeps β₁ᵗ and β₂ᵗ per
 * optimizer, so a block that joins at iteration t ≫ 1 is corrected as if it had been trained t
 * times while its moments are still 0: with Karras's β = (0, 0.99) its first update is
 * `lr·g/sqrt(0.01·g²) ≈ 10·lr`, settling over about 100 iterations. Karras et al.'s reference code
 * resets the optimizer state at every new level instead; this optimizer gives exactly the state a
 * fresh Adam would have for each newly joined variable, while the variables already training keep
 * theirs untouched.
 *
 * When a variable joins: at the first `applyGradients` call whose gradient for it is present (not
 * `null`/`undefined`). The trainer passes every trainable variable in a fixed order and leaves out
 * the gradients of variables the loss does not reach (a block that does not run yet), so no
 * plugin call is needed, the check reads nothing from the device, and a run resumed from a
 * checkpoint counts the same way. A zero gradient is present: at the first iteration of a fade-in
 * (α = 0) the new block's gradient is exactly 0, its count starts at 1 and the update is 0, as
 * it would be for a fresh Adam given that gradient. A variable that leaves the loss (the old toRGB
 * after a fade) keeps its state and count.
 *
 * For a variable present in every update, the updates equal `tf.train.adam`'s bit for bit: the
 * same ops in the same order, and β₁ᵗ, β₂ᵗ kept as the same float32 running products.
 *
 * Checkpoints: `getWeights()` lists the iteration counter, then the first moments, the second
 * moments and each variable's count (a tensor of the variable's shape filled with `t`, refreshed
 * when `getWeights` is called), in the variables' order: 3 slots per variable, the layout the
 * trainer's state and its numerical-fault guard save and restore; `setWeights()` reads the counts
 * back (one read, when a state is loaded) and rebuilds the running products exactly. Its tfjs class
 * name is `'PerVariableAdam'`, so a state saved with `tf.train.adam` cannot be loaded into it, nor
 * the other way round.
 */
export class PerVariableAdamOptimizer extends tf.Optimizer {
  /** The tfjs class name, `'PerVariableAdam'` (checked when a trainer state is loaded). */
  static get className(): string {
    return 'PerVariableAdam';
  }

  /** The learning rate (a learning-rate schedule may change it between updates). */
  learningRate: number;
  /** β₁, the decay of the first moment. */
  readonly beta1: number;
  /** β₂, the decay of the second moment. */
  readonly beta2: number;
  /** ε added to sqrt(v̂) (by default the backend's, as `tf.train.adam`). */
  readonly epsilon: number;
  private slots: Slot[] = [];

  /** See {@link perVariableAdam}, which checks the arguments the same way. */
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number | null) {
    super();
    this.learningRate = checkRate(learningRate, 'learningRate', 0, false);
    this.beta1 = checkRate(beta1, 'beta1', 0, true, 1);
    this.beta2 = checkRate(beta2, 'beta2', 0, true, 1);
    this.epsilon = epsilon == null ? tf.backend().epsilon() : checkRate(epsilon, 'epsilon', 0, false);
  }

  /**
   * Each variable's update count, in the order of the variables given to `applyGradients` (0 for a
   * variable that has had no gradient yet).
   */
  get stepCounts(): number[] {
    return this.slots.map((s) => s.steps);
  }

  /**
   * Applies one Adam update to every variable whose gradient is present, each with its own bias
   * correction; the slots are matched to variables by position, as in tfjs's optimizers, so pass the
   * variables in the same order every time.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
    const f32 = Math.fround;
    const b1 = f32(this.beta1);
    const b2 = f32(this.beta2);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (value == null) throw new GankitError('config', `perVariableAdam: no variable named '${name}' to update`);
        this.slots[i] ??= this.newSlot(value);
        const gradient = list ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const s = this.slots[i];
        s.steps += 1;
        // tfjs's Adam starts its products at β and multiplies them by β after each update, in
        // float32; `fround` of a product or difference of float32 values is the float32 result.
        const oneMinus1 = f32(1 - s.acc1);
        const oneMinus2 = f32(1 - s.acc2);
        const m = tf.add(tf.mul(s.m, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const v = tf.add(tf.mul(s.v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        const mHat = tf.div(m, oneMinus1);
        const vHat = tf.div(v, oneMinus2);
        s.m.assign(m);
        s.v.assign(v);
        value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value));
        s.acc1 = f32(s.acc1 * b1);
        s.acc2 = f32(s.acc2 * b2);
      });
    });
    this.incrementIterations();
  }

  private newSlot(value: tf.Variable): Slot {
    const zeros = () => tf.tidy(() => tf.zerosLike(value).variable(false));
    const [acc1, acc2] = this.products(0);
    return { name: value.name, m: zeros(), v: zeros(), count: zeros(), mirrored: 0, steps: 0, acc1, acc2 };
  }

  /** β₁ and β₂ times themselves `steps` times in float32: the running products after `steps` updates. */
  private products(steps: number): [number, number] {
    const f32 = Math.fround;
    let acc1 = f32(this.beta1);
    let acc2 = f32(this.beta2);
    for (let k = 0; k < steps; k++) {
      acc1 = f32(acc1 * f32(this.beta1));
      acc2 = f32(acc2 * f32(this.beta2));
    }
    return [acc1, acc2];
  }

  /** Frees the moments and the count tensors. */
  override dispose(): void {
    for (const s of this.slots) tf.dispose([s.m, s.v, s.count]);
    this.slots = [];
  }

  /**
   * The iteration counter, then every variable's first moment (`<name>/m`), every second moment
   * (`<name>/v`) and every update count (`<name>/t`, a tensor of the variable's shape filled with
   * the count). The tensors are the optimizer's own; copy them to keep them.
   */
  override async getWeights(): ReturnType<tf.Optimizer['getWeights']> {
    for (const s of this.slots) {
      if (s.mirrored === s.steps) continue;
      tf.tidy(() => s.count.assign(tf.fill(s.count.shape, s.steps)));
      s.mirrored = s.steps;
    }
    const named = (key: 'm' | 'v' | 'count', suffix: string) =>
      this.slots.map((s) => ({ name: `${s.name}/${suffix}`, tensor: s[key] as tf.Tensor }));
    return [await this.saveIterations(), ...named('m', 'm'), ...named('v', 'v'), ...named('count', 't')];
  }

  /**
   * Sets the state from a `getWeights()` list (the iteration counter, then 3 slots per variable,
   * matched to the variables by position). The given tensors are copied and the previous slots
   * freed; the counts are read once to rebuild the running products β₁ᵗ, β₂ᵗ exactly.
   */
  override async setWeights(weightValues: Parameters<tf.Optimizer['setWeights']>[0]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    if (values.length % 3 !== 0) {
      throw new GankitError(
        'checkpoint',
        `perVariableAdam: the state holds ${values.length} slots, not 3 per variable (first moments, second moments, counts)`,
      );
    }
    const n = values.length / 3;
    const counts = values.slice(2 * n);
    let read: number[] = [];
    if (n > 0) {
      const firsts = tf.tidy(() => tf.concat(counts.map((c) => tf.slice(tf.reshape(c.tensor, [-1]), 0, 1))));
      read = Array.from(await firsts.data());
      firsts.dispose();
    }
    read.forEach((steps, i) => {
      if (!Number.isInteger(steps) || steps < 0) {
        throw new GankitError(
          'checkpoint',
          `perVariableAdam: slot '${counts[i].name}' must hold a non-negative integer count, got ${steps}`,
        );
      }
    });
    const old = this.slots;
    const products = new Map<number, [number, number]>();
    this.slots = read.map((steps, i) => {
      const [acc1, acc2] = products.get(steps) ?? this.products(steps);
      products.set(steps, [acc1, acc2]);
      const name = values[i].name.replace(/\/[^/]*$/, '');
      const copy = (t: tf.Tensor) => t.variable(false);
      return {
        name,
        m: copy(values[i].tensor),
        v: copy(values[n + i].tensor),
        count: copy(counts[i].tensor),
        mirrored: steps,
        steps,
        acc1,
        acc2,
      };
    });
    for (const s of old) tf.dispose([s.m, s.v, s.count]);
  }

  /** `learningRate`, `beta1`, `beta2` and `epsilon`. */
  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /** Builds the optimizer from {@link PerVariableAdamOptimizer.getConfig}'s output. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.learningRate, config.beta1, config.beta2, config.epsilon);
  }
}

/**
 * Adam with a step count per variable ({@link PerVariableAdamOptimizer}): the optimizer for
 * progressive growing (Karras et al. 2018), where a block's variables join the loss when its
 * resolution fades in and should start with Adam's first, bias-corrected steps, as the reference
 * code's per-level optimizer reset gives them, without touching the state of the blocks already
 * training. Same arguments and defaults as `tf.train.adam`; throws `GankitError('config')` for a
 * learning rate or ε that is not a positive finite number, or a β outside [0, 1).
 *
 * @example
 * ```ts
 * const g = perVariableAdam(1e-3, 0, 0.99);
 * const d = perVariableAdam(1e-3, 0, 0.99);
 * new Trainer({ generator, discriminator, generatorOptimizer: g, discriminatorOptimizer: d, plugins: [progressiveGrowth(...)] });
 * ```
 */
export function perVariableAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number | null): PerVariableAdamOptimizer {
  return new PerVariableAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
