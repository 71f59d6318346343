import * as tf from '@tensorflow/tfjs-core';
import { gradientConfigs } from './generated/tfjs-gradients.js';

/**
 * Kernels whose output is piecewise constant in their inputs (comparisons, logical ops): their
 * gradient is zero, as TensorFlow defines it. tfjs registers none, which stops second-order
 * gradients (e.g. the gradient penalty through leaky ReLU) with "gradient function not found".
 */
const ZERO_GRADIENT_KERNELS: Record<string, readonly string[]> = {
  Greater: ['a', 'b'],
  GreaterEqual: ['a', 'b'],
  Less: ['a', 'b'],
  LessEqual: ['a', 'b'],
  Equal: ['a', 'b'],
  NotEqual: ['a', 'b'],
  LogicalAnd: ['a', 'b'],
  LogicalOr: ['a', 'b'],
  LogicalXor: ['a', 'b'],
  LogicalNot: ['x'],
  IsNan: ['x'],
  IsInf: ['x'],
  IsFinite: ['x'],
};

function zeroGradient(kernelName: string, inputs: readonly string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputs],
    gradFunc: (_dy, saved) => {
      const grads: Record<string, () => tf.Tensor> = {};
      inputs.forEach((name, i) => {
        grads[name] = () => tf.zerosLike(saved[i]);
      });
      return grads;
    },
  };
}

/**
 * tfjs differentiates tanh, sigmoid and exp through their saved *outputs*, and gradients of
 * gradients do not flow through saved outputs, so a second-order gradient through them (a gradient
 * penalty on a critic with a tanh) comes out wrong. These definitions compute the same first-order
 * gradient from the saved *input* instead, which differentiates correctly a second time.
 */
const SECOND_ORDER_SAFE: tf.GradConfig[] = [
  {
    kernelName: 'Tanh',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(saved[0])))) }),
  },
  {
    kernelName: 'Sigmoid',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({
      x: () => {
        const s = tf.sigmoid(saved[0]);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    }),
  },
  {
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.exp(saved[0])) }),
  },
];

let done = false;

/**
 * Makes sure every gradient that gankit needs is registered with tfjs-core, whichever way tfjs was
 * loaded: tfjs-core alone registers none in Node, while `@tensorflow/tfjs` and `tfjs-node` do.
 * Registers tfjs-core's own gradient definitions where missing, plus zero gradients for comparison
 * and logical kernels (so that gradients of gradients pass through leaky ReLU, `where`, `abs`), and
 * replaces the gradients of tanh, sigmoid and exp with equal ones that can be differentiated again.
 * Idempotent and cheap after the first call; gankit's trainer and regularizers call it for you.
 *
 * @returns how many gradients this call registered (0 when all were there already)
 */
export function ensureGradients(): number {
  if (done) return 0;
  let registered = 0;
  for (const config of gradientConfigs) {
    if (tf.getGradient(config.kernelName) == null) {
      tf.registerGradient(config);
      registered++;
    }
  }
  for (const config of SECOND_ORDER_SAFE) {
    tf.registerGradient(config);
    registered++;
  }
  for (const [name, inputs] of Object.entries(ZERO_GRADIENT_KERNELS)) {
    if (tf.getGradient(name) == null) {
      tf.registerGradient(zeroGradient(name, inputs));
      registered++;
    }
  }
  done = true;
  return registered;
}
