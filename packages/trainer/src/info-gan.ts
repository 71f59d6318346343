// InfoGAN (Chen et al. 2016): latent codes beside the noise, drawn from the run's seeded source, and
// the mutual-information lower bound as a plugin's loss term for G and for D's Q head.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type GanPlugin, type RandomSource, type StepContext } from '@gankit/core';
import { infoCategoricalLoss, infoContinuousLoss } from '@gankit/losses';
import type { LatentSampler } from './game';

/**
 * The layout of an InfoGAN latent vector `[noise | one-hot categorical code | continuous codes]`:
 * `noiseDim + numCategories + numContinuous` values, in that order.
 */
export interface InfoganCodes {
  /** Length of the incompressible noise z ~ N(0, 1) (default 62, the paper's MNIST setting). */
  readonly noiseDim?: number | undefined;
  /** Values of the uniform categorical code, one-hot in the latent (default 10); 0 for none. */
  readonly numCategories?: number | undefined;
  /** Number of continuous codes ~ U(−1, 1) (default 2); 0 for none. */
  readonly numContinuous?: number | undefined;
}

/** {@link InfoganCodes} with every default filled in and checked. */
export interface ResolvedInfoganCodes {
  /** Length of the noise. */
  readonly noiseDim: number;
  /** Values of the categorical code. */
  readonly numCategories: number;
  /** Number of continuous codes. */
  readonly numContinuous: number;
}

/** Fills in and checks the defaults of an {@link InfoganCodes} layout (62 + 10 + 2). */
export function resolveInfoganCodes(codes: InfoganCodes = {}, what = 'infogan'): ResolvedInfoganCodes {
  const count = (v: number | undefined, fallback: number, name: string) => {
    const n = v ?? fallback;
    if (!Number.isInteger(n) || n < 0) throw new GankitError('config', `${what}: ${name} must be an integer >= 0, got ${String(n)}`);
    return n;
  };
  const resolved = {
    noiseDim: count(codes.noiseDim, 62, 'noiseDim'),
    numCategories: count(codes.numCategories, 10, 'numCategories'),
    numContinuous: count(codes.numContinuous, 2, 'numContinuous'),
  };
  if (resolved.numCategories === 1) {
    throw new GankitError(
      'config',
      `${what}: numCategories must be 0 (no categorical code) or >= 2, got 1 (a code with one value carries no information)`,
    );
  }
  if (resolved.numCategories + resolved.numContinuous === 0) {
    throw new GankitError('config', `${what}: numCategories and numContinuous are both 0; there is no code to learn`);
  }
  return resolved;
}

/**
 * The latent distribution of InfoGAN (Chen et al. 2016): each row is the noise z ~ N(0, 1), a
 * categorical code drawn uniformly from `numCategories` values (one-hot), and `numContinuous` codes
 * ~ U(−1, 1), concatenated in that order. Every draw comes from the trainer's seeded
 * `RandomSource` (streams `latent`, `infogan-categorical`, `infogan-continuous`), so a run repeats
 * bit for bit and resumes exactly. Pass it as the trainer's `latent`.
 *
 * @example
 * ```ts
 * const codes = { noiseDim: 62, numCategories: 10, numContinuous: 2 };
 * new Trainer({ generator, discriminator, loss, data, latent: infoganLatent(codes),
 *   adversarialOutput: infoganAdversarialOutput, plugins: [infogan(codes)] });
 * ```
 */
export function infoganLatent(codes: InfoganCodes = {}): LatentSampler {
  const { noiseDim, numCategories, numContinuous } = resolveInfoganCodes(codes, 'infoganLatent');
  return (n: number, random: RandomSource) => {
    if (!Number.isInteger(n) || n < 1) throw new GankitError('config', `infoganLatent: n must be an integer >= 1, got ${n}`);
    const parts: tf.Tensor[] = [];
    if (noiseDim > 0) parts.push(random.normal([n, noiseDim], 0, 1, 'latent'));
    if (numCategories > 0) {
      const next = random.floats('infogan-categorical');
      const values = Int32Array.from({ length: n }, () => Math.min(numCategories - 1, Math.floor(next() * numCategories)));
      parts.push(infoganOneHot(values, numCategories));
    }
    if (numContinuous > 0) parts.push(random.uniform([n, numContinuous], -1, 1, 'infogan-continuous'));
    if (parts.length === 1) return parts[0];
    const z = tf.concat(parts, 1);
    tf.dispose(parts);
    return z;
  };
}

/** One-hot rows `[n, numCategories]` (float32) of the given categorical values. */
export function infoganOneHot(values: ArrayLike<number>, numCategories: number): tf.Tensor2D {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(Number.isInteger(v) && v >= 0 && v < numCategories)) {
      throw new GankitError('value', `infoganOneHot: value ${v} at index ${i} is out of range [0, ${numCategories})`);
    }
  }
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from(values), 'int32'), numCategories), 'float32')) as tf.Tensor2D;
}

/**
 * Column 0 of an InfoGAN discriminator's output `[batch, 1 + K + C(·2)]`: the real/fake logit
 * `[batch, 1]`. Pass it as the trainer's `adversarialOutput` (the layout of `infoganDiscriminator`
 * in `@gankit/architectures`), so that the adversarial loss sees only this column.
 */
export function infoganAdversarialOutput(output: tf.Tensor): tf.Tensor {
  if (!(output instanceof tf.Tensor) || output.rank !== 2 || (output.shape[1] ?? 0) < 2) {
    const got = output instanceof tf.Tensor ? formatShape(output.shape) : typeof output;
    throw new GankitError('shape', `infoganAdversarialOutput: expected an InfoGAN discriminator output [batch, 1 + codes], got ${got}`);
  }
  return tf.slice(output, [0, 0], [-1, 1]);
}

/** Options of {@link infogan}: the code layout, the weights λ of each code kind, and Q's σ. */
export interface InfoganOptions extends InfoganCodes {
  /** λ of the categorical code's term (default 1, the paper's for discrete codes). */
  readonly categoricalWeight?: number | undefined;
  /** λ of the continuous codes' term (default 0.1: the paper uses a smaller λ for continuous codes). */
  readonly continuousWeight?: number | undefined;
  /**
   * σ of the factored Gaussian Q of the continuous codes: a fixed number (default 1), or
   * `'learned'` when D's Q head also outputs `log σ` (`infoganDiscriminator({ continuousStd: 'learned' })`).
   */
  readonly continuousStd?: number | 'learned' | undefined;
  /**
   * A random augmentation of the fakes that Q reads the **categorical** code from, e.g.
   * `affineAugment()` of `@gankit/regularizers` (small rotations, shears, scales, shifts): D runs
   * once more per update on `categoricalAugment(fakes, s.random)`, and the categorical term is Q's
   * cross-entropy there, in G's update (through the augmentation, which must be differentiable) and
   * in D's. A code that Q must read back from any small warp of a sample cannot mean slant or size
   * (which the warp changes), only what the warp keeps, such as the kind of digit. The continuous
   * codes are read from the unwarped fakes. Default: none, the paper's InfoGAN.
   */
  readonly categoricalAugment?: ((x: tf.Tensor, random: RandomSource) => tf.Tensor) | undefined;
  /**
   * Plugin name (default `'infogan'`); its log terms are `<name>/qCategorical`, `<name>/qContinuous`
   * (D's update, which trains Q) and `<name>/gCategorical`, `<name>/gContinuous` (G's update).
   */
  readonly name?: string | undefined;
}

/** The information terms of one update: what {@link infogan} adds to a player's loss. */
export interface InfoganTerms {
  /** `λ_cat · E[−log Q(c_cat|x)]` (absent without a categorical code). */
  readonly categorical?: tf.Scalar;
  /** `λ_cont · E[−log Q(c_cont|x)]` (absent without continuous codes). */
  readonly continuous?: tf.Scalar;
}

function checkWeight(v: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new GankitError('config', `infogan: ${what} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/**
 * InfoGAN's information terms as functions of the latent batch and D's whole output, for plugins
 * and games that compute them elsewhere than {@link infogan}: slices the codes out of `z` and Q's
 * parameters out of `output` (columns after the real/fake logit) and returns the weighted
 * categorical cross-entropy and continuous negative log-likelihood. The categorical term reads
 * `categoricalOutput` when it is given (D's output on other views of the same fakes, as with
 * {@link InfoganOptions.categoricalAugment}), `output` otherwise.
 */
export function infoganTerms(
  options: InfoganOptions = {},
): (z: tf.Tensor, output: tf.Tensor, categoricalOutput?: tf.Tensor) => InfoganTerms {
  const { noiseDim, numCategories: k, numContinuous: c } = resolveInfoganCodes(options);
  const catWeight = checkWeight(options.categoricalWeight ?? 1, 'categoricalWeight');
  const contWeight = checkWeight(options.continuousWeight ?? 0.1, 'continuousWeight');
  const std = options.continuousStd ?? 1;
  if (std !== 'learned' && (typeof std !== 'number' || !Number.isFinite(std) || std <= 0)) {
    throw new GankitError('config', `infogan: continuousStd must be a number > 0 or 'learned', got ${JSON.stringify(std)}`);
  }
  const width = 1 + k + c * (std === 'learned' ? 2 : 1);
  const checkOutput = (output: tf.Tensor, batch: number, what: string) => {
    if (!(output instanceof tf.Tensor) || output.rank !== 2 || output.shape[1] !== width || output.shape[0] !== batch) {
      const got = output instanceof tf.Tensor ? formatShape(output.shape) : typeof output;
      throw new GankitError(
        'shape',
        `infogan: ${what} must be [${batch}, ${width}] (real/fake 1 + categorical ${k} + continuous ${c}${std === 'learned' ? ` + log σ ${c}` : ''}, one row per latent row), got ${got}`,
      );
    }
  };
  return (z, output, categoricalOutput = output) => {
    if (!(z instanceof tf.Tensor) || z.rank !== 2 || z.shape[1] !== noiseDim + k + c) {
      const got = z instanceof tf.Tensor ? formatShape(z.shape) : typeof z;
      throw new GankitError(
        'shape',
        `infogan: the latent batch must be [batch, ${noiseDim + k + c}] (noise ${noiseDim} + categorical ${k} + continuous ${c}, as infoganLatent draws it), got ${got}`,
      );
    }
    checkOutput(output, z.shape[0], "D's output");
    if (categoricalOutput !== output) checkOutput(categoricalOutput, z.shape[0], "D's output for the categorical code");
    const terms: { categorical?: tf.Scalar; continuous?: tf.Scalar } = {};
    if (k > 0) {
      terms.categorical = tf.tidy(() =>
        tf.mul(catWeight, infoCategoricalLoss(tf.slice(categoricalOutput, [0, 1], [-1, k]), tf.slice(z, [0, noiseDim], [-1, k]))),
      ) as tf.Scalar;
    }
    if (c > 0) {
      terms.continuous = tf.tidy(() => {
        const mean = tf.slice(output, [0, 1 + k], [-1, c]);
        const codes = tf.slice(z, [0, noiseDim + k], [-1, c]);
        const sigma = std === 'learned' ? tf.slice(output, [0, 1 + k + c], [-1, c]) : std;
        return tf.mul(contWeight, infoContinuousLoss(mean, codes, sigma));
      }) as tf.Scalar;
    }
    return terms;
  };
}

/**
 * InfoGAN (Chen et al. 2016) as a plugin: the variational lower bound of the mutual information
 * between the codes c and the samples, `L_I(G, Q) = E_{c~P(c), x~G(z,c)}[log Q(c|x)] + H(c)
 * ≤ I(c; G(z, c))` (eq. (5)), enters the game `min_{G,Q} max_D V_InfoGAN(D, G, Q) = V(D, G) −
 * λ L_I(G, Q)` (eq. (6)) as the loss term `λ_cat · E[−log Q(c_cat|x)] + λ_cont · E[−log Q(c_cont|x)]`
 * (the constant H(c) dropped) of both G and D: Q is a head of D (`infoganDiscriminator`), so D's
 * update trains Q and their shared body, G's update trains G to make codes Q can read back. Both
 * read the codes from the update's latent batch (`StepContext.z`, drawn by {@link infoganLatent})
 * and Q's parameters from D's output on the fakes (`fakeOutput()`, the forward pass the adversarial
 * loss already made), so nothing runs twice. The categorical term is
 * `infoCategoricalLoss` and the continuous one `infoContinuousLoss` of `@gankit/losses`.
 *
 * Use it with the trainer's `latent: infoganLatent(codes)` and `adversarialOutput:
 * infoganAdversarialOutput`, on an unconditional run. Plugins that replace D's fakes
 * (`transformFakes`, e.g. experience replay) break the pairing of fakes and codes.
 *
 * @example
 * ```ts
 * const codes = { noiseDim: 62, numCategories: 10, numContinuous: 2 };
 * const trainer = new Trainer({ generator: infoganGenerator(codes), discriminator: infoganDiscriminator(codes),
 *   loss: nonSaturating, data: mnist, conditional: false, latent: infoganLatent(codes),
 *   adversarialOutput: infoganAdversarialOutput, plugins: [infogan({ ...codes, continuousWeight: 0.1 })] });
 * ```
 */
export function infogan(options: InfoganOptions = {}): GanPlugin {
  const terms = infoganTerms(options);
  const name = options.name ?? 'infogan';
  // D's (Q's) and G's terms are logged under different names: the same name would be one log entry.
  const augment = options.categoricalAugment;
  if (augment !== undefined && typeof augment !== 'function')
    throw new GankitError('config', `infogan: categoricalAugment must be a function (x, random) => tensor, got ${typeof augment}`);
  const named = (s: StepContext, prefix: 'q' | 'g') => {
    // D on the warped fakes first, then on the fakes (the order of D's batch-norm updates).
    const categoricalOutput = augment ? s.discriminate(augment(s.fake(), s.random)) : undefined;
    const { categorical, continuous } = terms(s.z, s.fakeOutput(), categoricalOutput);
    const out: Record<string, tf.Scalar> = {};
    if (categorical) out[`${prefix}Categorical`] = categorical;
    if (continuous) out[`${prefix}Continuous`] = continuous;
    return out;
  };
  return { name, discriminatorLoss: (s) => named(s, 'q'), generatorLoss: (s) => named(s, 'g') };
}
