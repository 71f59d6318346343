import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions, Network } from '@gankit/core';
import { checkPositiveInt } from './layer';
import { checkNetworkInput } from './network-utils';

/** Options of {@link packDiscriminator}. */
export interface PackDiscriminatorOptions {
  /** Samples judged together (PacGAN's m; 2 to 4 in the paper). An integer of at least 2. */
  readonly samples: number;
}

/** A discriminator wrapped by {@link packDiscriminator}. */
export interface PackedDiscriminator extends Network {
  /** Samples judged together (m). */
  readonly packing: number;
  /** The wrapped network, which sees packs of `m` samples concatenated along the last axis. */
  readonly inner: Network;
}

/**
 * PacGAN's packing (Lin et al. 2018, "PacGAN: The power of two samples in generative adversarial
 * networks"): a discriminator that judges `m` samples of the same kind jointly, which makes a
 * generator that drops modes or piles samples on few of them easier to tell from the data.
 *
 * `inner` takes examples whose last axis is `m` times the data's: the wrapper takes a batch
 * `[B, ...s, c]` (B divisible by m), groups consecutive samples into `B/m` packs and concatenates
 * each pack's samples along the last axis (`[B/m, ...s, m·c]`: flat points `[B, d]` become
 * `[B/m, m·d]`, images stack their channels as in the paper), and runs `inner` on the packs. So
 * that the result keeps the `Network` contract (one output per example, `[B, ...outputShape]`),
 * every sample gets its pack's output: the mean of any per-example loss, and its gradient, are
 * those over the packs. The trainer applies D to a real batch and to a fake batch separately, so
 * packs never mix real and fake samples; penalties on D's input gradient (R1, gradient penalty)
 * differentiate through the packing.
 *
 * The variables are `inner`'s (so are checkpoints and `dispose`). Conditional discriminators are
 * refused: `apply` with `options.labels` throws, since a pack of samples has no single label.
 */
export function packDiscriminator(inner: Network, options: PackDiscriminatorOptions): PackedDiscriminator {
  const m = checkPositiveInt(options?.samples, 'packDiscriminator: samples');
  if (m < 2) throw new GankitError('config', `packDiscriminator: samples must be at least 2 (1 is no packing), got ${m}`);
  const innerShape = inner.inputShape;
  if (innerShape.length < 1)
    throw new GankitError(
      'shape',
      `packDiscriminator: discriminator '${inner.name}' takes scalars per example; packing needs a last axis to concatenate along`,
    );
  const last = innerShape[innerShape.length - 1];
  if (last % m !== 0) {
    throw new GankitError(
      'shape',
      `packDiscriminator: discriminator '${inner.name}' takes ${formatShape(innerShape)} per example, whose last axis (${last}) is not a multiple of samples = ${m}`,
    );
  }
  const inputShape = [...innerShape.slice(0, -1), last / m];
  const rank = inputShape.length;
  // [B/m, m, ...s, c] -> [B/m, ...s, m, c]: each pack's samples next to each other along the last axis.
  const perm = [0, ...Array.from({ length: rank - 1 }, (_, i) => i + 2), 1, rank + 1];
  return {
    name: inner.name,
    inputShape,
    outputShape: inner.outputShape,
    packing: m,
    inner,
    get trainableVariables() {
      return inner.trainableVariables;
    },
    get nonTrainableVariables() {
      return inner.nonTrainableVariables;
    },
    apply(x: tf.Tensor, applyOptions: ApplyOptions): tf.Tensor {
      checkNetworkInput(inner.name, inputShape, 'float32', x, applyOptions);
      if (applyOptions.labels !== undefined) {
        throw new GankitError(
          'config',
          `packed discriminator '${inner.name}': conditional packing is not supported (apply got labels; a pack of ${m} samples has no single label)`,
        );
      }
      const batch = x.shape[0];
      if (batch % m !== 0) {
        throw new GankitError('shape', `packed discriminator '${inner.name}': batch ${batch} is not a multiple of the packing ${m}`);
      }
      const packs = batch / m;
      return tf.tidy(() => {
        const grouped = tf.reshape(x, [packs, m, ...inputShape]);
        const packed = tf.reshape(rank === 1 ? grouped : tf.transpose(grouped, perm), [packs, ...innerShape]);
        const out = inner.apply(packed, applyOptions);
        // Every sample of a pack gets the pack's output: [B/m, ...o] -> [B/m, m, ...o] -> [B, ...o].
        const outShape = out.shape.slice(1);
        const expanded = tf.expandDims(out, 1);
        const tiled = tf.mul(expanded, tf.ones([1, m, ...outShape.map(() => 1)]));
        return tf.reshape(tiled, [batch, ...outShape]);
      });
    },
    dispose() {
      inner.dispose();
    },
  };
}
