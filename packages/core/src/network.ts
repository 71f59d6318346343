import type * as tf from '@tensorflow/tfjs-core';

/** Options passed to {@link Network.apply}. */
export interface ApplyOptions {
  /**
   * `true` while training: batch norm uses batch statistics and updates its moving averages,
   * dropout is active, spectral norm may advance its power iteration. `false` for sampling and
   * evaluation, where no state changes.
   */
  readonly training: boolean;
  /** Integer class labels `[batch]` (int32) for conditional networks; ignored by the others. */
  readonly labels?: tf.Tensor | undefined;
}

/**
 * The contract every generator and discriminator meets: a function of a batch plus its variables.
 *
 * gankit's builders return `Network`s, and so can a user's own model or a tfjs-layers model through
 * an adapter. A network owns its variables; {@link Network.dispose} frees them.
 */
export interface Network {
  /** A name used in logs, checkpoints and error messages (`generator`, `discriminator`, ...). */
  readonly name: string;
  /** Shape of one input example, without the batch dimension (e.g. `[100]` or `[28, 28, 1]`). */
  readonly inputShape: readonly number[];
  /** Shape of one output example, without the batch dimension (e.g. `[28, 28, 1]` or `[1]`). */
  readonly outputShape: readonly number[];
  /** Variables the optimizer updates, in a fixed order (the optimizer's state is matched by position). */
  readonly trainableVariables: readonly tf.Variable[];
  /** State that is saved and restored but not trained, such as batch-norm moving statistics. */
  readonly nonTrainableVariables: readonly tf.Variable[];
  /** Runs the network on a batch `[batch, ...inputShape]` and returns `[batch, ...outputShape]`. */
  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor;
  /** Frees every variable the network owns. */
  dispose(): void;
}

/** Every variable of a network, trainable first, in the network's fixed order. */
export function networkVariables(net: Network): tf.Variable[] {
  return [...net.trainableVariables, ...net.nonTrainableVariables];
}

/** Number of scalar parameters in a network's trainable variables. */
export function countParameters(net: Network): number {
  let n = 0;
  for (const v of net.trainableVariables) n += v.size;
  return n;
}

/**
 * A reparametrization of a layer's weight, such as spectral normalization: the layer calls
 * {@link WeightParametrization.apply} on its raw kernel at every forward pass and uses the result.
 * Its own state (e.g. spectral norm's vector u) lives in {@link WeightParametrization.variables},
 * which the layer reports as non-trainable so that checkpoints save it.
 */
export interface WeightParametrization {
  /** A short name for logs, e.g. `spectral-norm`. */
  readonly name: string;
  /** Non-trainable state to save and restore with the layer. */
  readonly variables: readonly tf.Variable[];
  /** Returns the effective kernel; in training mode it may also update its state. */
  apply(kernel: tf.Tensor, options: ApplyOptions): tf.Tensor;
  /** Frees the state. */
  dispose(): void;
}

/**
 * Makes a {@link WeightParametrization} for one kernel. Layers that accept one (dense, conv2d,
 * conv2dTranspose) call it once with the kernel's shape and a name unique within the network.
 */
export type WeightParametrizationFactory = (kernelShape: readonly number[], name: string) => WeightParametrization;
