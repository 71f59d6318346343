import * as tf from '@tensorflow/tfjs-core';
import { cropForPadding, pair, runWithTensors } from './kernel_util';

/**
 * The input gradient of a 2-D convolution (the forward pass of `conv2dTranspose`) as one
 * stride-1 convolution plus a depth-to-space shuffle (sub-pixel convolution).
 *
 * With stride `s`, padded output row `t = h + padTop` receives `dy[q - m] * W[r + s*m]` where
 * `t = q*s + r`. Each phase `r` is a small stride-1 correlation of dy with the flipped taps
 * `W[r], W[r+s], ...`; all `s*s` phases are computed at once by one convolution whose filter
 * `[M, M, co, s*s*ci]` (`M = ceil(k/s)`) stacks the phases' taps along its output channels. A
 * depth-to-space shuffle (a reshape and a transpose) then interleaves the phases, and a slice drops
 * the padding rows. This
 * does the work of a plain convolution of the same size, where tfjs's built-in wasm kernel is
 * about ten times slower.
 *
 * @internal
 */
export function conv2DBackpropInputImpl(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.Conv2DBackpropInputAttrs
): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const channelsFirst = dataFormat === 'NCHW';
  const dys = channelsFirst ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
  const shapeNHWC: [number, number, number, number] = channelsFirst
    ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]]
    : [inputShape[0], inputShape[1], inputShape[2], inputShape[3]];
  const [sh, sw] = pair(strides);
  const info = tf.backend_util.computeConv2DInfo(
    shapeNHWC,
    filter.shape,
    [sh, sw],
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast'
  );
  const [n, h, w, ci] = shapeNHWC;
  const [kh, kw, , co] = filter.shape;
  const [, oh, ow] = dys.shape;
  const { top, left } = info.padInfo;

  const mh = Math.ceil(kh / sh);
  const mw = Math.ceil(kw / sw);
  // Blocks q0..q1 of s rows cover the padded output rows top .. top + h - 1.
  const q0h = Math.floor(top / sh);
  const q1h = Math.floor((top + h - 1) / sh);
  const q0w = Math.floor(left / sw);
  const q1w = Math.floor((left + w - 1) / sw);

  // Filter [mh, mw, co, sh*sw*ci]: F[j, jx, o, (ry*sw + rx)*ci + c] = W[(mh-1-j)*sh + ry, (mw-1-jx)*sw + rx, c, o].
  let f: tf.Tensor = filter;
  if (mh * sh !== kh || mw * sw !== kw) {
    f = tf.pad(f, [
      [0, mh * sh - kh],
      [0, mw * sw - kw],
      [0, 0],
      [0, 0],
    ]);
  }
  f = tf.reshape(f, [mh, sh, mw, sw, ci, co]);
  f = tf.reverse(f, [0, 2]);
  f = tf.transpose(f, [0, 2, 5, 1, 3, 4]);
  const f4 = tf.reshape(f, [mh, mw, co, sh * sw * ci]) as tf.Tensor4D;

  const cropped = cropForPadding(dys, mh - 1 - q0h, q1h - (oh - 1), mw - 1 - q0w, q1w - (ow - 1));
  let out: tf.Tensor4D = tf.conv2d(cropped.x, f4, 1, cropped.pad);
  const nqh = q1h - q0h + 1;
  const nqw = q1w - q0w + 1;
  if (sh > 1 || sw > 1) {
    // Interleave the phases: [n*nqh, nqw, sh, sw*ci] -> [n*nqh, sh, nqw, sw*ci]. On wasm this
    // transpose is ~15x faster than tf.depthToSpace, which does the same shuffle when sh = sw.
    const blocks = tf.reshape(out, [n * nqh, nqw, sh, sw * ci]);
    out = tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [n, nqh * sh, nqw * sw, ci]);
  }
  const offH = top - q0h * sh;
  const offW = left - q0w * sw;
  if (offH !== 0 || offW !== 0 || nqh * sh !== h || nqw * sw !== w) {
    out = tf.slice(out, [0, offH, offW, 0], [n, h, w, ci]);
  }
  return channelsFirst ? tf.transpose(out, [0, 3, 1, 2]) : out;
}

/**
 * A fast `Conv2DBackpropInput` for the wasm backend: the gradient of `conv2d` with respect to its
 * input, and the forward pass of `conv2dTranspose` (a generator's upsampling layer).
 */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as tf.Conv2DBackpropInputInputs;
    return runWithTensors(tf.Conv2DBackpropInput, [dy, filter], (dyt, ft) =>
      conv2DBackpropInputImpl(
        dyt as tf.Tensor4D,
        ft as tf.Tensor4D,
        attrs as unknown as tf.Conv2DBackpropInputAttrs
      )
    );
  },
};
