import * as tf from '@tensorflow/tfjs-core';
import { cropForPadding, pair, runWithTensors } from './kernel_util';

/**
 * The filter gradient of a 2-D convolution as one forward convolution, which XNNPACK runs fast:
 *
 * `dW[kh, kw, ci, co] = sum over n, oh, ow of x[n, oh*s + kh - padTop, ow*s + kw - padLeft, ci] * dy[n, oh, ow, co]`
 *
 * is a convolution of x transposed to `[ci, H, W, n]` (channels become the batch, the batch becomes
 * the channels) with dy transposed to `[oh, ow, n, co]` as its filter, dilated by the forward
 * stride and padded by the forward padding, which gives `[ci, kh, kw, co]`. The bottom/right
 * padding is chosen (or the input cropped) so that exactly `kh x kw` positions come out.
 *
 * @internal
 */
export function conv2DBackpropFilterImpl(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: tf.Conv2DBackpropFilterAttrs): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const channelsFirst = dataFormat === 'NCHW';
  const xs = channelsFirst ? tf.transpose(x, [0, 2, 3, 1]) : x;
  const dys = channelsFirst ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
  const [sh, sw] = pair(strides);
  const info = tf.backend_util.computeConv2DInfo(xs.shape, filterShape, [sh, sw], 1, pad, dimRoundingMode, false, 'channelsLast');
  const [kh, kw] = filterShape;
  const [, h, w] = xs.shape;
  const [, oh, ow] = dys.shape;
  const { top, left } = info.padInfo;
  // Rows of the padded input that the filter gradient reads: (kh - 1) + (oh - 1) * s + 1.
  const bottom = kh + (oh - 1) * sh - top - h;
  const right = kw + (ow - 1) * sw - left - w;
  const xt = tf.transpose(xs, [3, 1, 2, 0]);
  const cropped = cropForPadding(xt, top, bottom, left, right);
  const dyt = tf.transpose(dys, [1, 2, 0, 3]);
  const out = tf.conv2d(cropped.x, dyt, 1, cropped.pad, 'NHWC', [sh, sw]);
  return tf.transpose(out, [1, 2, 0, 3]);
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, which has none: the gradient of `conv2d` with
 * respect to its filter (and of `conv2dTranspose` with respect to its filter).
 */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as tf.Conv2DBackpropFilterInputs;
    return runWithTensors(tf.Conv2DBackpropFilter, [x, dy], (xt, dyt) =>
      conv2DBackpropFilterImpl(xt as tf.Tensor4D, dyt as tf.Tensor4D, attrs as unknown as tf.Conv2DBackpropFilterAttrs),
    );
  },
};
