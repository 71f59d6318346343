import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, deriveSeed, formatShape } from '@gankit/core';
import type { ApplyOptions, WeightParametrization, WeightParametrizationFactory } from '@gankit/core';

/** Options of {@link spectralNorm}. */
export interface SpectralNormOptions {
  /** Power-iteration steps per training-mode forward pass (default 1, as Miyato et al.). */
  readonly powerIterations?: number | undefined;
  /** Guards the normalisations `x / (‖x‖ + ε)` and the division `W / max(σ, ε)` (default 1e-12). */
  readonly epsilon?: number | undefined;
  /**
   * Seed of the initial vectors; each kernel's seed is derived from it and the kernel's name, so
   * layers start from different vectors (default 0).
   */
  readonly seed?: number | undefined;
  /**
   * Axis of the kernel that indexes the layer's output channels: the rows of the matrix whose
   * spectral norm is taken. `'auto'` (the default) takes the last axis (dense `[in, out]`, conv2d
   * `[kh, kw, in, out]`) except for 4-D kernels whose name contains `transpose`, where it takes
   * axis 2 (conv2dTranspose `[kh, kw, out, in]`, as `@gankit/architectures` names them). Pass 2
   * explicitly for conv2dTranspose layers with names of your own.
   */
  readonly outputAxis?: number | 'auto' | undefined;
}

/** Picks the output axis of a kernel from the option, its shape and its name. */
function resolveOutputAxis(shape: readonly number[], name: string, option: number | 'auto'): number {
  if (option === 'auto') return shape.length === 4 && /transpose/i.test(name) ? 2 : shape.length - 1;
  const axis = option < 0 ? shape.length + option : option;
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new GankitError(
      'config',
      `spectralNorm: outputAxis ${option} is out of range for kernel '${name}' of shape ${formatShape(shape)}`,
    );
  }
  return axis;
}

/** `x / (‖x‖ + ε)`. */
function normalize(x: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.div(x, tf.add(tf.norm(x), epsilon));
}

/**
 * Spectral normalization of one kernel (Miyato et al. 2018): see {@link spectralNorm}.
 * The kernel is viewed as the matrix `W` of shape `C_out × rest`; the state is the left singular
 * vector estimate `u` `[C_out]` and the right one `v` `[rest]`.
 */
class SpectralNorm implements WeightParametrization {
  readonly name = 'spectral-norm';
  readonly variables: readonly tf.Variable[];
  private readonly u: tf.Variable;
  private readonly v: tf.Variable;
  /** The permutation bringing the output axis last (null when it already is). */
  private readonly perm: number[] | null;
  private readonly rows: number;
  private readonly cols: number;

  constructor(
    private readonly kernelShape: readonly number[],
    private readonly kernelName: string,
    private readonly iterations: number,
    private readonly epsilon: number,
    seed: number,
    outputAxis: number | 'auto',
  ) {
    if (kernelShape.length < 2 || kernelShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new GankitError(
        'shape',
        `spectralNorm: kernel '${kernelName}' needs rank >= 2 and positive dimensions, got ${formatShape(kernelShape)}`,
      );
    }
    const axis = resolveOutputAxis(kernelShape, kernelName, outputAxis);
    const last = kernelShape.length - 1;
    this.perm = axis === last ? null : [...Array.from({ length: kernelShape.length }, (_, i) => i).filter((i) => i !== axis), axis];
    this.rows = kernelShape[axis];
    this.cols = kernelShape.reduce((a, b) => a * b, 1) / this.rows;
    const names = [`${kernelName}/spectral_u`, `${kernelName}/spectral_v`];
    for (const n of names) {
      if (tf.engine().registeredVariables[n] != null) {
        throw new GankitError(
          'name',
          `spectralNorm: a variable named '${n}' already exists; dispose the other network or rename the layer`,
        );
      }
    }
    const random = new RandomSource(deriveSeed(seed, 0, kernelName));
    this.u = tf.tidy(() => tf.variable(normalize(random.normal([this.rows], 0, 1, 'u'), epsilon), false, names[0]));
    this.v = tf.tidy(() => tf.variable(normalize(random.normal([this.cols], 0, 1, 'v'), epsilon), false, names[1]));
    this.variables = [this.u, this.v];
  }

  /** The kernel as the matrix `Wᵀ` of shape `rest × C_out` (a reshape, plus a transpose when the output axis is not last). */
  private transposedMatrix(kernel: tf.Tensor): tf.Tensor2D {
    const k = this.perm ? tf.transpose(kernel, this.perm) : kernel;
    return tf.reshape(k, [this.cols, this.rows]);
  }

  apply(kernel: tf.Tensor, options: ApplyOptions): tf.Tensor {
    if (kernel.shape.length !== this.kernelShape.length || kernel.shape.some((d, i) => d !== this.kernelShape[i])) {
      throw new GankitError(
        'shape',
        `spectralNorm: kernel '${this.kernelName}' was declared ${formatShape(this.kernelShape)} but has shape ${formatShape(kernel.shape)}`,
      );
    }
    return tf.tidy(() => {
      const wt = this.transposedMatrix(kernel); // Wᵀ: [rest, C_out]
      let sigma: tf.Tensor;
      if (options.training) {
        // Power iteration with row/column vectors so that no matMul needs a transposed operand:
        // v ← Wᵀu / ‖Wᵀu‖, u ← Wv / ‖Wv‖.
        let u: tf.Tensor = tf.reshape(this.u, [this.rows, 1]);
        let v: tf.Tensor = this.v;
        for (let i = 0; i < this.iterations; i++) {
          v = tf.reshape(normalize(tf.matMul(wt, u as tf.Tensor2D), this.epsilon), [1, this.cols]);
          u = tf.reshape(normalize(tf.matMul(v as tf.Tensor2D, wt), this.epsilon), [this.rows, 1]);
        }
        // Stored in the variables, which the gradient sees as constants: σ = uᵀWv is differentiated
        // with respect to W only (dσ/dW = u·vᵀ), as Miyato et al. do.
        this.u.assign(tf.reshape(u, [this.rows]));
        this.v.assign(tf.reshape(v, [this.cols]));
        const vRow = tf.reshape(this.v, [1, this.cols]);
        sigma = tf.reshape(tf.matMul(tf.matMul(vRow, wt), tf.reshape(this.u, [this.rows, 1])), []);
      } else {
        // Inference: no state changes; σ = ‖Wᵀu‖ = uᵀWv' with v' = Wᵀu/‖Wᵀu‖ (one half-step from u).
        sigma = tf.norm(tf.matMul(wt, tf.reshape(this.u, [this.rows, 1])));
      }
      return tf.div(kernel, tf.maximum(sigma, this.epsilon));
    });
  }

  dispose(): void {
    this.u.dispose();
    this.v.dispose();
  }
}

/**
 * Spectral normalization (Miyato et al. 2018) as a weight parametrization for the dense, conv2d
 * and conv2dTranspose layers of `@gankit/architectures` (their `weightParametrization` option):
 * the layer uses `W / σ(W)`, where `σ(W)` is the largest singular value of the kernel viewed as a
 * matrix `C_out × (everything else)` (for conv2d `[kh, kw, cin, cout]` that is `cout × kh·kw·cin`;
 * for conv2dTranspose `[kh, kw, cout, cin]` it is `cout × kh·kw·cin`, see
 * {@link SpectralNormOptions.outputAxis}).
 *
 * - σ is estimated by power iteration with persistent vectors `u` (and `v`), saved as the layer's
 *   non-trainable variables `<kernel>/spectral_u`, `<kernel>/spectral_v` and seeded per kernel.
 * - Training mode runs `powerIterations` steps per forward pass and stores the vectors (with
 *   `assign`, not differentiated); `σ = uᵀWv` with u, v held constant, so gradients flow through σ
 *   to W as in the paper.
 * - Inference mode changes nothing and uses `σ = ‖Wᵀu‖` from the stored `u` (a lower bound on the
 *   largest singular value that is tight once the iteration has converged).
 *
 * @example
 * ```ts
 * const sn = spectralNorm({ seed: 1 });
 * const critic = sequential('critic', [28, 28, 1], [conv2d({ filters: 64, kernelSize: 4, strides: 2, weightParametrization: sn }), ...]);
 * ```
 */
export function spectralNorm(options: SpectralNormOptions = {}): WeightParametrizationFactory {
  const iterations = options.powerIterations ?? 1;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new GankitError('config', `spectralNorm: powerIterations must be an integer >= 1, got ${iterations}`);
  }
  const epsilon = options.epsilon ?? 1e-12;
  if (!Number.isFinite(epsilon) || epsilon <= 0)
    throw new GankitError('config', `spectralNorm: epsilon must be a finite number > 0, got ${epsilon}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new GankitError('config', `spectralNorm: seed must be a finite number, got ${seed}`);
  const outputAxis = options.outputAxis ?? 'auto';
  return (kernelShape, name) => new SpectralNorm(kernelShape, name, iterations, epsilon, seed, outputAxis);
}

/**
 * Estimates the largest singular value (spectral norm) of a 2-D matrix by `iterations` steps of
 * power iteration from a seeded random start. Returns a scalar; differentiable with respect to
 * `matrix` through the iteration.
 *
 * @param matrix - a float32 `[m, n]` tensor
 * @param iterations - power-iteration steps (default 20)
 * @param seed - seed of the start vector (default 0)
 */
export function spectralNormOf(matrix: tf.Tensor, iterations = 20, seed = 0): tf.Scalar {
  if (!(matrix instanceof tf.Tensor) || matrix.rank !== 2) {
    throw new GankitError(
      'shape',
      `spectralNormOf: expected a 2-D matrix, got shape ${matrix instanceof tf.Tensor ? formatShape(matrix.shape) : typeof matrix}`,
    );
  }
  if (matrix.dtype !== 'float32') throw new GankitError('dtype', `spectralNormOf: expected float32, got ${matrix.dtype}`);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new GankitError('config', `spectralNormOf: iterations must be an integer >= 1, got ${iterations}`);
  const [m, n] = matrix.shape;
  return tf.tidy(() => {
    const random = new RandomSource(deriveSeed(seed, 0, 'spectralNormOf'));
    let u: tf.Tensor = normalize(random.normal([1, m]), 1e-12); // row [1, m]
    let wv: tf.Tensor = tf.zeros([m, 1]);
    for (let i = 0; i < iterations; i++) {
      const v = tf.reshape(normalize(tf.matMul(u as tf.Tensor2D, matrix as tf.Tensor2D), 1e-12), [n, 1]); // Mᵀu
      wv = tf.matMul(matrix as tf.Tensor2D, v as tf.Tensor2D); // Mv, [m, 1]
      u = tf.reshape(normalize(wv, 1e-12), [1, m]);
    }
    return tf.norm(wv) as tf.Scalar;
  });
}
