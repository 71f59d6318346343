// Terms of paired image-to-image training: pix2pix's L1 term (Isola et al. 2017) and SRGAN's
// content loss on a feature network's activations (Ledig et al. 2017).
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { meanAbsoluteError } from './reconstruction';
import { checkOutput } from './validate';

/** λ of pix2pix's objective `G* = arg min_G max_D L_cGAN(G, D) + λ L_L1(G)` (Isola et al. 2017, eq. 4). */
export const PIX2PIX_L1_WEIGHT = 100;

/**
 * pix2pix's L1 term (Isola et al. 2017, eq. 3): `L_L1(G) = E_{x,y}[‖y − G(x)‖₁]`, the mean absolute
 * difference between the targets y and the generator's outputs G(x), averaged over every element.
 * L1 rather than L2 "encourages less blurring" (§3.1).
 *
 * @param target - the true outputs y `[batch, ...]`, float32
 * @param output - the generator's outputs G(x), the same shape
 * @returns the mean absolute difference (unweighted; see {@link pix2pixL1Term})
 */
export function l1ReconstructionLoss(target: tf.Tensor, output: tf.Tensor): tf.Scalar {
  return meanAbsoluteError(target, output, ['target', 'output'], 'l1ReconstructionLoss');
}

/**
 * The weighted L1 term of pix2pix's generator objective, `λ · L_L1(G)` (eq. 4; λ = 100 in the
 * paper): add it to the generator's adversarial loss.
 *
 * @param lambda - λ ≥ 0 (default {@link PIX2PIX_L1_WEIGHT} = 100)
 */
export function pix2pixL1Term(target: tf.Tensor, output: tf.Tensor, lambda = PIX2PIX_L1_WEIGHT): tf.Scalar {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0)
    throw new GankitError('config', `pix2pixL1Term: lambda must be a finite number >= 0, got ${String(lambda)}`);
  return tf.tidy(() => tf.mul(lambda, l1ReconstructionLoss(target, output)));
}

/**
 * A feature network φ for {@link contentLoss}: images `[batch, ...]` → one activation tensor or
 * several (e.g. a classifier's penultimate layer, or VGG's conv5_4 in SRGAN). It must be
 * differentiable in its input, and its own weights are not trained by the loss.
 */
export type FeatureFunction = (x: tf.Tensor) => tf.Tensor | readonly tf.Tensor[];

/**
 * SRGAN's content loss (Ledig et al. 2017, §2.2.1, eq. 5): the mean squared difference between a
 * feature network's activations of the target and of the generator's output,
 * `l_X = 1/(W·H) Σ (φ(I^HR) − φ(G(I^LR)))²`, averaged here over every feature element and the
 * batch (and summed over the tensors when φ returns several). With `φ = x ⇒ x` it is the pixel-wise
 * MSE loss of eq. 4. SRGAN's perceptual loss adds the adversarial term at weight 10⁻³ (eq. 3).
 *
 * The feature network is a parameter, so any network serves without this package depending on
 * it: with `@gankit/metrics`, `contentLoss(digitClassifier().features, y, G(x))` uses the shipped
 * digit classifier's 128-d penultimate layer. The gradient flows back through φ(G(x)) into the
 * generator; φ's intermediates are freed.
 *
 * @param features - φ (see {@link FeatureFunction})
 * @param target - the true images `[batch, ...]`, float32
 * @param output - the generator's images, the same shape
 */
export function contentLoss(features: FeatureFunction, target: tf.Tensor, output: tf.Tensor): tf.Scalar {
  const fn = 'contentLoss';
  if (typeof features !== 'function') throw new GankitError('config', `${fn}: features must be a function of an image batch`);
  checkOutput(target, 'target', fn);
  checkOutput(output, 'output', fn);
  if (!tf.util.arraysEqual(target.shape, output.shape)) {
    throw new GankitError(
      'shape',
      `${fn}: target ${formatShape(target.shape)} and output ${formatShape(output.shape)} must have the same shape`,
    );
  }
  return tf.tidy(() => {
    const list = (v: tf.Tensor | readonly tf.Tensor[], which: string): tf.Tensor[] => {
      const ts = v instanceof tf.Tensor ? [v] : Array.isArray(v) ? [...v] : [];
      if (ts.length === 0 || ts.some((t) => !(t instanceof tf.Tensor)))
        throw new GankitError('argument', `${fn}: features(${which}) must return a tensor or a non-empty list of tensors`);
      return ts;
    };
    const a = list(features(target), 'target');
    const b = list(features(output), 'output');
    if (a.length !== b.length)
      throw new GankitError('shape', `${fn}: features gave ${a.length} tensors for the target but ${b.length} for the output`);
    const terms = a.map((t, i) => {
      if (!tf.util.arraysEqual(t.shape, b[i].shape)) {
        throw new GankitError(
          'shape',
          `${fn}: feature ${i} has shape ${formatShape(t.shape)} for the target but ${formatShape(b[i].shape)} for the output`,
        );
      }
      return tf.mean(tf.squaredDifference(t, b[i]));
    });
    return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
  });
}
