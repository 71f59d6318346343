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
 * full `‖WᵀW − I‖²_F` of Brock et al. 2017. Its gradient is `4β·W(WᵀW ⊙ (1 − I))`. For a wide W
 * (fewer rows than columns) it is computed as `‖WWᵀ‖²_F − Σ_j ‖w_j‖⁴`, the same value from the
 * smaller Gram matrix (a dense kernel `[20, 3136]` then costs a 20 × 20 product, not 3136 × 3136).
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
      const [rows, cols] = w.shape;
      let term: tf.Tensor;
      if (rows >= cols) {
        const gram = tf.matMul(w, w, true, false);
        term = tf.sum(tf.square(tf.sub(gram, tf.mul(gram, tf.eye(cols)))));
      } else {
        // A wide W (a dense layer from a short z chunk to many units): ‖WᵀW‖_F = ‖WWᵀ‖_F, so
        // ‖WᵀW ⊙ (1 − I)‖²_F = ‖WWᵀ‖²_F − Σ_j ‖w_j‖⁴ with the rows × rows Gram matrix instead of cols × cols.
        const small = tf.matMul(w, w, false, true);
        term = tf.sub(tf.sum(tf.square(small)), tf.sum(tf.square(tf.sum(tf.square(w), 0))));
      }
      total = tf.add(total, term);
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
