// Text to image (Reed et al. 2016): GAN-CLS's matching-aware discriminator and GAN-INT's
// interpolated captions as plugins of the one trainer. Captions travel as int32 caption ids in the
// conditional trainer's labels; the networks look the ids up in a caption-embedding table and take
// float32 embeddings [batch, d] directly (what GAN-INT feeds them).
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type GanPlugin, type RandomSource, type StepContext } from '@gankit/core';
import { ganClsMismatchTerm, interpolateEmbeddings } from '@gankit/losses';

/**
 * For each caption id in `labels`, a different caption id drawn uniformly from the other
 * `numCaptions − 1` with the seeded generator `next` (uniform in [0, 1)): GAN-CLS's mismatched
 * captions, never the image's own. Caption ids name distinct texts, so a mismatched caption never
 * has the image's text either.
 *
 * @param labels - caption ids, integers in `[0, numCaptions)`
 * @param numCaptions - number of distinct captions (at least 2)
 * @param next - a seeded uniform generator, e.g. `random.floats('gan-cls')` of a `RandomSource`
 * @throws GankitError when `numCaptions < 2` or an id is out of range
 */
export function mismatchedCaptions(labels: ArrayLike<number>, numCaptions: number, next: () => number): Int32Array {
  if (!Number.isInteger(numCaptions) || numCaptions < 2) {
    throw new GankitError(
      'config',
      `mismatchedCaptions: numCaptions must be an integer >= 2 (a mismatch needs another caption), got ${numCaptions}`,
    );
  }
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const own = labels[i];
    if (!(Number.isInteger(own) && own >= 0 && own < numCaptions)) {
      throw new GankitError('value', `mismatchedCaptions: caption id ${own} at position ${i} is out of range [0, ${numCaptions})`);
    }
    const u = Math.min(numCaptions - 2, Math.floor(next() * (numCaptions - 1)));
    out[i] = u >= own ? u + 1 : u;
  }
  return out;
}

/** The real or fake batch's caption ids; a run is conditional exactly when the fakes have labels. */
function labelsOf(s: StepContext, which: 'real' | 'fake', plugin: string): tf.Tensor1D {
  const labels = which === 'real' ? s.batch.labels : s.fakeLabels;
  if (!labels || !s.fakeLabels) {
    throw new GankitError(
      'config',
      `${plugin} needs caption ids as labels (a conditional trainer on data whose labels are caption ids), but the ${s.phase} step's ${which} batch has none`,
    );
  }
  return labels;
}

/** Options of {@link ganCls}. */
export interface GanClsOptions {
  /** Number of distinct captions: the labels are caption ids in `[0, numCaptions)`. */
  readonly numCaptions: number;
  /** λ, the share of D's fake side given to mismatched pairs (default ½, the paper's). */
  readonly mismatchWeight?: number | undefined;
  /** Plugin name (default `'gan-cls'`); its log term is `<name>/mismatch`. */
  readonly name?: string | undefined;
}

/**
 * GAN-CLS, the matching-aware discriminator (Reed et al. 2016, Algorithm 1): besides real images
 * with their captions (`s_r`) and generated images with theirs (`s_f`), D sees the real images with
 * **mismatched** captions (`s_w`) and learns to call them fake, so it judges whether image and text
 * match, not only whether the image looks real. With the trainer's `ℓ_D(r, f)` already in D's loss,
 * the plugin adds `λ·(ℓ_D(r, w) − ℓ_D(r, f))` (`ganClsMismatchTerm` of `@gankit/losses`), making D's loss
 * `(1 − λ)·ℓ_D(r, f) + λ·ℓ_D(r, w)`: for separable losses (non-saturating, minimax, least squares,
 * hinge, ...) and λ = ½ exactly the paper's `log s_r + ½(log(1 − s_w) + log(1 − s_f))`; for the
 * relativistic losses the mean of two relativistic comparisons (see the loss's TSDoc).
 *
 * The mismatched captions are drawn every discriminator update with the run's seeded random source
 * ({@link mismatchedCaptions}: uniform over the other captions, never the image's own), so a run
 * repeats bit for bit and resumes exactly. D runs once more per update, on the real batch with the
 * mismatched ids, through `StepContext.discriminate` (in training mode; discriminator-input
 * transforms such as DiffAugment do not apply to it). G's loss is unchanged.
 *
 * Use it with a conditional trainer whose data labels are caption ids and whose networks take them
 * (e.g. `textConditionalGenerator` / `textConditionalDiscriminator` of `@gankit/architectures`),
 * with `fakeLabels: 'real'` so G draws for the real batch's captions.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ generator, discriminator, loss: nonSaturating, data: captioned,
 *   plugins: [ganCls({ numCaptions: 60 }), ganInt({ embeddings: table })] });
 * ```
 */
export function ganCls(options: GanClsOptions): GanPlugin {
  const numCaptions = options?.numCaptions;
  if (!Number.isInteger(numCaptions) || numCaptions < 2) {
    throw new GankitError('config', `ganCls: numCaptions must be an integer >= 2, got ${String(numCaptions)}`);
  }
  const weight = options.mismatchWeight ?? 0.5;
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
    throw new GankitError('config', `ganCls: mismatchWeight must be a number in [0, 1], got ${String(weight)}`);
  }
  const name = options.name ?? 'gan-cls';
  return {
    name,
    // Reads StepContext.loss and StepContext.adversarial (version 2).
    apiVersion: 2,
    discriminatorLoss(s) {
      const own = labelsOf(s, 'real', name);
      const wrong = tf.tensor1d(mismatchedCaptions(own.dataSync(), numCaptions, s.random.floats(name)), 'int32');
      const w = s.adversarial(s.discriminate(s.batch.x, wrong));
      const r = s.adversarial(s.realOutput());
      const f = s.adversarial(s.fakeOutput());
      return { mismatch: ganClsMismatchTerm(s.loss, r, w, f, weight) };
    },
  };
}

/** Options of {@link ganInt}. */
export interface GanIntOptions {
  /**
   * The caption embeddings `[numCaptions, d]` (row i embeds caption id i), or a function that
   * returns them (read at every update, e.g. a network's frozen table). Not disposed by the plugin.
   */
  readonly embeddings: tf.Tensor | (() => tf.Tensor);
  /** β, the weight of the first caption (default ½, the paper's). */
  readonly beta?: number | undefined;
  /** Weight of the interpolated term in G's loss (default 1). */
  readonly weight?: number | undefined;
  /** Plugin name (default `'gan-int'`); its log term is `<name>/interpolated`. */
  readonly name?: string | undefined;
}

/**
 * GAN-INT (Reed et al. 2016, Eq. 5): the generator also learns from captions that no image has,
 * interpolations `h = β·φ(t₁) + (1 − β)·φ(t₂)` of two captions' embeddings. In each generator
 * update, t₁ are the fake batch's caption ids and t₂ the same ids in an order shuffled with the
 * run's seeded random source; G's loss gains `weight · ℓ_G(D(G(z, h), h))` on the update's latent
 * batch z. D never trains on interpolated captions (there is no real image for them); through
 * GAN-CLS it has learned whether image and text match, and G is pushed to fill the gaps between
 * captions.
 *
 * The networks receive `h` as float32 labels `[batch, d]`, so they must take caption embeddings as
 * well as caption ids (as `textConditionalGenerator` and `textConditionalDiscriminator` of
 * `@gankit/architectures` do). G and D each run once more per generator update.
 */
export function ganInt(options: GanIntOptions): GanPlugin {
  const embeddings = options?.embeddings;
  if (!(embeddings instanceof tf.Tensor) && typeof embeddings !== 'function') {
    throw new GankitError('config', 'ganInt: embeddings must be a tensor [numCaptions, d] or a function returning one');
  }
  const beta = options.beta ?? 0.5;
  if (typeof beta !== 'number' || !(beta >= 0 && beta <= 1)) {
    throw new GankitError('config', `ganInt: beta must be a number in [0, 1], got ${String(beta)}`);
  }
  const weight = options.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw new GankitError('config', `ganInt: weight must be a finite number >= 0, got ${String(weight)}`);
  }
  const name = options.name ?? 'gan-int';
  const table = (): tf.Tensor2D => {
    const t = typeof embeddings === 'function' ? embeddings() : embeddings;
    if (!(t instanceof tf.Tensor) || t.rank !== 2 || t.dtype !== 'float32') {
      const got = t instanceof tf.Tensor ? `${formatShape(t.shape)} ${t.dtype}` : typeof t;
      throw new GankitError('shape', `${name}: embeddings must be a float32 table [numCaptions, d], got ${got}`);
    }
    return t as tf.Tensor2D;
  };
  return {
    name,
    // Reads StepContext.fakeLabels, loss and adversarial (version 2).
    apiVersion: 2,
    generatorLoss(s) {
      const ids = labelsOf(s, 'fake', name);
      const h = interpolatedCaptions(table(), ids, beta, s.random);
      const x = s.generator.apply(s.z, { training: true, labels: h });
      const out = s.adversarial(s.discriminate(x, h));
      const real = s.loss.generatorUsesReal ? s.adversarial(s.realOutput()) : undefined;
      return { interpolated: tf.mul(weight, s.loss.generator(out, real)) as tf.Scalar };
    },
  };
}

/**
 * GAN-INT's embeddings for a batch of caption ids: `β·E[ids] + (1 − β)·E[ids shuffled]`, the
 * shuffle drawn from `random` (stream `'gan-int'`). Rows whose two captions coincide are that
 * caption's embedding.
 *
 * @param table - caption embeddings `[numCaptions, d]`
 * @param ids - caption ids `[batch]`, int32
 * @param beta - the weight of the batch's own captions
 * @param random - the seeded source
 * @returns `[batch, d]` (the caller disposes it)
 */
export function interpolatedCaptions(table: tf.Tensor2D, ids: tf.Tensor1D, beta: number, random: RandomSource): tf.Tensor2D {
  const n = ids.shape[0];
  const order = random.permutation(n, 'gan-int');
  return tf.tidy(() => {
    const t1 = tf.gather(table, ids);
    const t2 = tf.gather(t1, tf.tensor1d(order, 'int32'));
    return interpolateEmbeddings(t1, t2, beta) as tf.Tensor2D;
  });
}
