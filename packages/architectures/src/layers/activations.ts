import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import { StatelessLayer } from '../layer';
import type { LayerBuildContext, LayerSpec } from '../layer';

/** Names of the activations {@link activation} knows. */
export type ActivationName = 'linear' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'elu';

/** Configuration shared by the activation layers. */
export interface ActivationConfig {
  /** An explicit short name instead of `<kind>_<i>`. */
  readonly name?: string | undefined;
}

class Activation extends StatelessLayer {
  constructor(
    ctx: LayerBuildContext,
    private readonly fn: (x: tf.Tensor) => tf.Tensor,
  ) {
    super(ctx);
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return this.fn(x);
  }
}

function activationSpec(kind: string, name: string | undefined, fn: (x: tf.Tensor) => tf.Tensor): LayerSpec {
  return { kind, name, build: (ctx) => new Activation(ctx, fn) };
}

/** Rectified linear unit, `max(x, 0)`, element-wise. */
export function relu(config: ActivationConfig = {}): LayerSpec {
  return activationSpec('relu', config.name, (x) => tf.relu(x));
}

/** Configuration of {@link leakyRelu}. */
export interface LeakyReluConfig extends ActivationConfig {
  /** Slope for negative inputs (default 0.2, as in DCGAN's discriminator). */
  readonly alpha?: number | undefined;
}

/** Leaky ReLU, `x` for `x > 0` and `alpha · x` otherwise (alpha 0.2 by default). */
export function leakyRelu(config: LeakyReluConfig = {}): LayerSpec {
  const alpha = config.alpha ?? 0.2;
  if (!Number.isFinite(alpha) || alpha < 0) throw new GankitError('config', `leakyRelu: alpha must be a finite number >= 0, got ${alpha}`);
  return activationSpec('leaky_relu', config.name, (x) => tf.leakyRelu(x, alpha));
}

/** Exponential linear unit (Clevert et al. 2016), `x` for `x > 0` and `exp(x) − 1` otherwise: BEGAN's activation. */
export function elu(config: ActivationConfig = {}): LayerSpec {
  return activationSpec('elu', config.name, (x) => tf.elu(x));
}

/** Hyperbolic tangent, output in (-1, 1): the usual generator output for images scaled to [-1, 1]. */
export function tanh(config: ActivationConfig = {}): LayerSpec {
  return activationSpec('tanh', config.name, (x) => tf.tanh(x));
}

/** Logistic sigmoid, output in (0, 1). */
export function sigmoid(config: ActivationConfig = {}): LayerSpec {
  return activationSpec('sigmoid', config.name, (x) => tf.sigmoid(x));
}

/** The identity: returns a new tensor handle on the same data (no copy). */
export function linear(config: ActivationConfig = {}): LayerSpec {
  return activationSpec('linear', config.name, (x) => tf.clone(x));
}

/**
 * An activation layer by name: `'linear'`, `'relu'`, `'leakyRelu'` (with `alpha`, default 0.2),
 * `'tanh'`, `'sigmoid'` or `'elu'`.
 */
export function activation(name: ActivationName, options: LeakyReluConfig = {}): LayerSpec {
  switch (name) {
    case 'linear':
      return linear(options);
    case 'relu':
      return relu(options);
    case 'leakyRelu':
      return leakyRelu(options);
    case 'tanh':
      return tanh(options);
    case 'sigmoid':
      return sigmoid(options);
    case 'elu':
      return elu(options);
    default:
      throw new GankitError(
        'config',
        `unknown activation '${String(name)}'; use 'linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid' or 'elu'`,
      );
  }
}
