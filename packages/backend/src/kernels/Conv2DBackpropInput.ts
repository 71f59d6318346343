import * as tf from '@tensorflow/tfjs-core';
import { cropForPadding, pair, runWithTensors, sliceHW } from './kernel_util';

/** How {@link conv2DBackpropInputImpl} computes: one stacked convolution, one per phase, or by size. @internal */
export type BackpropInputMethod = 'auto' | 'stacked' | 'phases';

/**
 * The sub-pixel filters of a stride-`(sh, sw)` transposed convolution, read from the forward
 * filter `w` (`[kh, kw, ci, co]`) in plain JavaScript. Phase `(ry, rx)` (0 <= ry < sh, 0 <= rx < sw)
 * gets `P[j, jx, o, c] = w[(mh-1-j)*sh + ry, (mw-1-jx)*sw + rx, c, o]` (zero past the kernel), with
 * `mh = ceil(kh/sh)`, `mw = ceil(kw/sw)`: the flipped taps that reach the output rows of that phase.
 * `stacked` puts every phase on the output channels of one filter `[mh, mw, co, sh*sw*ci]`
 * (channel `(ry*sw + rx)*ci + c`); otherwise one `[mh, mw, co, ci]` filter per phase, row-major
 * in `(ry, rx)`. A filter is small (a few 100k values): a copy through JavaScript takes well under
 * a millisecond, where tfjs's wasm `Reverse` and rank-6 `Transpose` take ~10 ms each for the
 * same rearrangement.
 *
 * @internal
 */
export function subPixelFilters(
  w: Float32Array,
  shape: readonly [number, number, number, number],
  sh: number,
  sw: number,
  stacked: boolean,
): Float32Array[] {
  const [kh, kw, ci, co] = shape;
  const mh = Math.ceil(kh / sh);
  const mw = Math.ceil(kw / sw);
  const phases = sh * sw;
  const outs = stacked
    ? [new Float32Array(mh * mw * co * phases * ci)]
    : Array.from({ length: phases }, () => new Float32Array(mh * mw * co * ci));
  const width = stacked ? phases * ci : ci;
  for (let ry = 0; ry < sh; ry++) {
    for (let rx = 0; rx < sw; rx++) {
      const p = ry * sw + rx;
      const out = stacked ? outs[0] : outs[p];
      const channel0 = stacked ? p * ci : 0;
      for (let j = 0; j < mh; j++) {
        const ky = (mh - 1 - j) * sh + ry;
        if (ky >= kh) continue;
        for (let jx = 0; jx < mw; jx++) {
          const kx = (mw - 1 - jx) * sw + rx;
          if (kx >= kw) continue;
          const src = (ky * kw + kx) * ci * co;
          const dst = (j * mw + jx) * co * width + channel0;
          for (let c = 0; c < ci; c++) {
            for (let o = 0; o < co; o++) out[dst + o * width + c] = w[src + c * co + o];
          }
        }
      }
    }
  }
  return outs;
}

/**
 * The input gradient of a 2-D convolution (the forward pass of `conv2dTranspose`) as stride-1
 * convolutions (sub-pixel convolution).
 *
 * With stride `s`, padded output row `t = h + padTop` receives `dy[q - m] * W[r + s*m]` where
 * `t = q*s + r`: each phase `r` is a small stride-1 correlation of dy with the flipped taps
 * `W[r], W[r+s], ...` ({@link subPixelFilters}). Two ways to run the `sh*sw` phases:
 *
 * - `'phases'` (when the output size is a multiple of the stride): one convolution per phase over
 *   exactly the dy rows that phase reads, then the phases are interleaved with two stacks. It
 *   does exactly the work of the gradient.
 * - `'stacked'`: one convolution whose filter stacks the phases on its output channels, over the
 *   union of the rows the phases read, then a reshape/transpose shuffle (on wasm ~15x faster than
 *   `tf.depthToSpace`) and a crop. With an odd padding the union is one block larger than each
 *   phase's rows (8x8 blocks for a 7x7 DCGAN layer: 30% more work), but one wide convolution
 *   beats several narrow ones when `ci` is small.
 *
 * `'auto'` takes `'phases'` when it applies and `ci >= 16`. Either does the work of a plain
 * convolution of the same size, where tfjs's built-in wasm kernel is about ten times slower.
 *
 * @internal
 */
export function conv2DBackpropInputImpl(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.Conv2DBackpropInputAttrs,
  method: BackpropInputMethod = 'auto',
): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const channelsFirst = dataFormat === 'NCHW';
  const dys = channelsFirst ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
  const shapeNHWC: [number, number, number, number] = channelsFirst
    ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]]
    : [inputShape[0], inputShape[1], inputShape[2], inputShape[3]];
  const [sh, sw] = pair(strides);
  const info = tf.backend_util.computeConv2DInfo(shapeNHWC, filter.shape, [sh, sw], 1, pad, dimRoundingMode, false, 'channelsLast');
  const [n, h, w, ci] = shapeNHWC;
  const [kh, kw, , co] = filter.shape;
  const [, oh, ow] = dys.shape;
  const { top, left } = info.padInfo;
  const mh = Math.ceil(kh / sh);
  const mw = Math.ceil(kw / sw);
  const uniform = h % sh === 0 && w % sw === 0;
  const usePhases = method === 'phases' ? uniform : method === 'auto' && uniform && ci >= 16 && sh * sw > 1;
  const values = filter.dataSync() as Float32Array;

  let out: tf.Tensor4D;
  if (usePhases) {
    const filters = subPixelFilters(values, filter.shape, sh, sw, false);
    const ph = h / sh;
    const pw = w / sw;
    // Output row h = s*i + a comes from phase r = (a + top) mod s, block q = i + floor((a + top) / s).
    const rows: tf.Tensor4D[] = [];
    for (let a = 0; a < sh; a++) {
      const ry = (a + top) % sh;
      const qh = Math.floor((a + top) / sh);
      const cols: tf.Tensor4D[] = [];
      for (let b = 0; b < sw; b++) {
        const rx = (b + left) % sw;
        const qw = Math.floor((b + left) / sw);
        const f = tf.tensor4d(filters[ry * sw + rx], [mh, mw, co, ci]);
        const cropped = cropForPadding(dys, mh - 1 - qh, qh + ph - oh, mw - 1 - qw, qw + pw - ow);
        cols.push(tf.conv2d(cropped.x, f, 1, cropped.pad));
      }
      rows.push(sw === 1 ? cols[0] : tf.reshape(tf.stack(cols, 3), [n, ph, w, ci]));
    }
    out = sh === 1 ? rows[0] : tf.reshape(tf.stack(rows, 2), [n, h, w, ci]);
  } else {
    const f4 = tf.tensor4d(subPixelFilters(values, filter.shape, sh, sw, true)[0], [mh, mw, co, sh * sw * ci]);
    // Blocks q0..q1 of s rows cover the padded output rows top .. top + h - 1.
    const q0h = Math.floor(top / sh);
    const q1h = Math.floor((top + h - 1) / sh);
    const q0w = Math.floor(left / sw);
    const q1w = Math.floor((left + w - 1) / sw);
    const cropped = cropForPadding(dys, mh - 1 - q0h, q1h - (oh - 1), mw - 1 - q0w, q1w - (ow - 1));
    out = tf.conv2d(cropped.x, f4, 1, cropped.pad);
    const nqh = q1h - q0h + 1;
    const nqw = q1w - q0w + 1;
    if (sh > 1 || sw > 1) {
      // Interleave the phases: [n*nqh, nqw, sh, sw*ci] -> [n*nqh, sh, nqw, sw*ci].
      const blocks = tf.reshape(out, [n * nqh, nqw, sh, sw * ci]);
      out = tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [n, nqh * sh, nqw * sw, ci]);
    }
    out = sliceHW(out, top - q0h * sh, left - q0w * sw, h, w);
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
      conv2DBackpropInputImpl(dyt as tf.Tensor4D, ft as tf.Tensor4D, attrs as unknown as tf.Conv2DBackpropInputAttrs),
    );
  },
};
