import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { GanPlugin, Network, StepContext } from '@gankit/core';

/** Options of {@link orthogonalRegularization}. */
export interface OrthogonalRegularizationOptions {
  /** Weight β of the penalty (default 1e-4, BigGAN's). */
  readonly beta?: number | undefined;
  /** The network whose kernels are penalised: `'generator'` (default, as in BigGAN) or `'discriminator'`. */
  readonly network?: 'generator' | 'discriminator' | undefined;
  /**
   * Which trainable variables are kernels to penalise (default: every variable of rank ≥ 2 whose
   * name ends in `kernel`: dense and conv kernels and the conditional batch norm's projections, not
   * embeddings, gains or biases).
   */
  readonly filter?: ((variable: tf.Variable) => boolean) | undefined;
  /** The plugin's name (default `'orthogonal'`). */
  readonly name?: string | undefined;
}

/** The orthogonal regularization plugin (see {@link orthogonalRegularization}). */
export interface OrthogonalRegularizationPlugin extends GanPlugin {
  /** The plugin's name. */
  readonly name: string;
  /** The penalty's weight β. */
  readonly beta: number;
  /** The network whose kernels it penalises. */
  readonly network: 'generator' | 'discriminator';
  /** The kernels of a network that the penalty covers. */
  kernelsOf(net: Network): tf.Variable[];
}

/** The default kernel filter: rank ≥ 2 and a name ending in `kernel`. */
function isKernel(v: tf.Variable): boolean {
  return v.rank >= 2 && /kernel$/.test(v.name);
}

/**
 * A kernel as BigGAN's matrix W: a dense kernel `[in, out]` as it is, a conv kernel
 * `[k, k, in, out]` reshaped to `[k·k·in, out]` (every axis but the last folded into rows), so
 * that each column is one output unit's filter.
 */
function asMatrix(kernel: tf.Tensor): tf.Tensor2D {
  if (kernel.rank < 2) throw new GankitError('shape', `orthogonalPenalty: a kernel must have rank >= 2, got rank ${kernel.rank}`);
  const out = kernel.shape[kernel.rank - 1];
  return tf.reshape(kernel, [kernel.size / out, out]) as tf.Tensor2D;
}

/**
 * BigGAN's orthogonal regularization (Brock et al. 2019, §3.1, eq. 3):
 * `R_β(W) = β·‖WᵀW ⊙ (1 − I)‖²_F` summed over the given kernels, where 1 is the all-ones matrix
 * and I the identity: it pushes the filters (columns of W, conv kernels reshaped to
 * `[k·k·in, out]`) towards pairwise orthogonality without constraining their norms, unlike the
 * full `‖WᵀW − I‖²_F` of Brock et al. 2017. Its gradient is `4β·W(WᵀW ⊙ (1 − I))`.
 *
 * Returns a scalar; differentiable with respect to the kernels.
 */
export function orthogonalPenalty(kernels: readonly tf.Tensor[], beta: number): tf.Scalar {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new GankitError('config', `orthogonalPenalty: beta must be a finite number >= 0, got ${String(beta)}`);
  }
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const kernel of kernels) {
      const w = asMatrix(kernel);
      const gram = tf.matMul(w, w, true, false);
      const offDiagonal = tf.sub(gram, tf.mul(gram, tf.eye(gram.shape[0])));
      total = tf.add(total, tf.sum(tf.square(offDiagonal)));
    }
    return tf.mul(total, beta) as tf.Scalar;
  });
}

/**
 * Orthogonal regularization of BigGAN (Brock et al. 2019, §3.1, eq. 3) as a plugin: adds
 * `{ penalty: β·Σ_W ‖WᵀW ⊙ (1 − I)‖²_F }` ({@link orthogonalPenalty}) over the generator's kernels
 * to the generator's loss at every update (or over the discriminator's, to its loss, with
 * `network: 'discriminator'`). BigGAN uses β = 1e-4 and found it makes the generator amenable to
 * the truncation trick (`truncatedNormal` in `@gankit/core`): more of its models keep good samples
 * as ψ shrinks.
 *
 * @example
 * ```ts
 * plugins: [orthogonalRegularization({ beta: 1e-4 })]
 * ```
 */
export function orthogonalRegularization(options: OrthogonalRegularizationOptions = {}): OrthogonalRegularizationPlugin {
  const name = options.name ?? 'orthogonal';
  const beta = options.beta ?? 1e-4;
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new GankitError('config', `${name}: beta must be a finite number >= 0, got ${String(beta)}`);
  }
  const network = options.network ?? 'generator';
  if (network !== 'generator' && network !== 'discriminator') {
    throw new GankitError('config', `${name}: network must be 'generator' or 'discriminator', got ${JSON.stringify(network)}`);
  }
  const filter = options.filter ?? isKernel;
  const kernelsOf = (net: Network): tf.Variable[] => net.trainableVariables.filter((v) => v.rank >= 2 && filter(v));
  const term = (net: Network): Record<string, tf.Scalar> => {
    const kernels = kernelsOf(net);
    if (kernels.length === 0) {
      throw new GankitError(
        'config',
        `${name}: the ${network} '${net.name}' has no kernels to regularize (no trainable variable passes the filter)`,
      );
    }
    return { penalty: orthogonalPenalty(kernels, beta) };
  };
  return {
    name,
    beta,
    network,
    kernelsOf,
    ...(network === 'generator'
      ? { generatorLoss: (s: StepContext) => term(s.generator) }
      : { discriminatorLoss: (s: StepContext) => term(s.discriminator) }),
  };
}
