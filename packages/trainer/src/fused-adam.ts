// Adam with one kernel call per variable where the backend has gankit's fused kernel.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';

/**
 * The kernel {@link FusedAdamOptimizer} calls: `GankitFusedAdam`, registered for the wasm and cpu
 * backends by `@gankit/backend` (which exports the same name as `FUSED_ADAM_KERNEL`).
 */
export const FUSED_ADAM_KERNEL_NAME = 'GankitFusedAdam';

/** tfjs 4.22 `AdamOptimizer`'s private state, which this subclass keeps using. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * `tf.train.adam` with each variable's update done by one kernel call (`GankitFusedAdam`: the
 * moments in place, the new value in one new buffer) instead of ~14 tfjs ops, where the active
 * backend has that kernel (wasm and cpu once `@gankit/backend` is imported); elsewhere (another
 * backend, or the kernel unregistered) it runs `tf.train.adam`'s own op sequence.
 *
 * Same numbers bit for bit as `tf.train.adam` (the kernel rounds to float32 after each operation
 * in tfjs's order), same state: it is an `AdamOptimizer` (class name `'Adam'`), so its
 * `getWeights`/`setWeights`, its moments and its `accBeta1`/`accBeta2` are tfjs's, and a
 * checkpoint of one restores into the other.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /** Whether the last {@link applyGradients} call used the fused kernel (false before any call). */
  usedKernel = false;

  /**
   * Applies one Adam update to the named variables.
   *
   * @param variableGradients - gradients by variable name, or `{ name, tensor }` pairs (a missing
   *   gradient leaves its variable as it is)
   */
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.usedKernel = tf.getKernel(FUSED_ADAM_KERNEL_NAME, tf.getBackend()) != null;
    if (!this.usedKernel) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs = { learningRate: self.learningRate, beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon };
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (value == null) throw new GankitError('config', `fusedAdam: no variable named '${name}' is registered`);
        // Slots made as tfjs makes them (same names, same order), so that getWeights matches.
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]?.tensor
          : (variableGradients[name] as tf.Tensor | undefined);
        if (gradient == null) return;
        const m = (self.accumulatedFirstMoment[i] as { variable: tf.Variable }).variable;
        const v = (self.accumulatedSecondMoment[i] as { variable: tf.Variable }).variable;
        const inputs = { x: value, m, v, gradient, oneMinusAccBeta1, oneMinusAccBeta2 };
        const [x1, m1, v1] = tf.engine().runKernel(FUSED_ADAM_KERNEL_NAME, inputs, attrs) as tf.Tensor[];
        // Moments updated in place share their buffers with the outputs already; new buffers are assigned.
        if (m1.dataId !== m.dataId) m.assign(m1);
        if (v1.dataId !== v.dataId) v.assign(v1);
        if (x1.dataId !== value.dataId) value.assign(x1);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * A {@link FusedAdamOptimizer}: `tf.train.adam`'s arguments and numbers, one kernel call per
 * variable where the backend has gankit's fused Adam kernel (wasm and cpu with `@gankit/backend`).
 *
 * @param learningRate - step size (default 0.001)
 * @param beta1 - decay of the first moment (default 0.9)
 * @param beta2 - decay of the second moment (default 0.999)
 * @param epsilon - added to the denominator (default: the backend's epsilon, as `tf.train.adam`)
 */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon as number);
}
