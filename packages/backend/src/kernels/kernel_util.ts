import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';

/**
 * Runs `body` on `tf.Tensor` views of a kernel's inputs and returns its result as the kernel's
 * output. Inside a kernel the engine's tape is off; `tf.tidy` frees every intermediate, and the
 * returned tensor (a fresh tensor, never one of the inputs) becomes the kernel's output as is.
 *
 * Inputs that arrive as plain `TensorInfo` objects (not `tf.Tensor`) are wrapped in a tensor that
 * holds its own reference on the backend, so disposing the wrapper never frees the caller's data.
 *
 * @internal
 */
export function runWithTensors(
  kernelName: string,
  infos: readonly (tf.TensorInfo | undefined)[],
  body: (...tensors: tf.Tensor[]) => tf.Tensor,
): tf.TensorInfo {
  const engine = tf.engine();
  const wrappers: tf.Tensor[] = [];
  const tensors = infos.map((info, i) => {
    if (info == null) throw new BackendError('backend', `${kernelName}: input ${i} is missing`);
    if (info instanceof tf.Tensor) return info;
    const t = engine.makeTensorFromTensorInfo(info);
    engine.backend.incRef(info.dataId);
    wrappers.push(t);
    return t;
  });
  try {
    return tf.tidy(() => {
      const out = body(...tensors);
      // An output that shares its data with an input (e.g. a reshape of it) is fine: it is a
      // separate tensor with its own reference. Returning an input object itself is not.
      return tensors.includes(out) ? tf.clone(out) : out;
    });
  } finally {
    for (const w of wrappers) w.dispose();
  }
}

/** Normalises a `number | [number, number]` attribute to a pair. @internal */
export function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * Pads (positive amounts) and crops (negative amounts) a 4-D NHWC tensor along height and width,
 * so that convolutions can be given non-negative explicit paddings.
 *
 * @returns the cropped tensor and the non-negative paddings still to apply
 * @internal
 */
export function cropForPadding(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): {
  x: tf.Tensor4D;
  pad: [[0, 0], [number, number], [number, number], [0, 0]];
} {
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  let y = x;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    const [, h, w] = x.shape;
    y = sliceHW(x, cropTop, cropLeft, h - cropTop - cropBottom, w - cropLeft - cropRight);
  }
  return {
    x: y,
    pad: [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  };
}

/**
 * `x[:, top:top+h, left:left+w, :]` for a 4-D NHWC tensor, as at most two slices of rank 3 and 2
 * whose rows are long: tfjs's wasm `Slice` copies one row of the innermost axis at a time, so a
 * 4-D slice of `[64, 16, 16, 64]` makes 12,544 small copies and one of `[64, 30, 30, 1]` 50,176
 * one-element copies (~4 ms each), where these make `n*h` copies of `w*c` elements (~0.2 ms).
 *
 * @internal
 */
export function sliceHW(x: tf.Tensor4D, top: number, left: number, h: number, w: number): tf.Tensor4D {
  const [n, hx, wx, c] = x.shape;
  if (top === 0 && left === 0 && h === hx && w === wx) return x;
  let y: tf.Tensor = x;
  if (top !== 0 || h !== hx) {
    y = tf.slice(tf.reshape(x, [n, hx, wx * c]), [0, top, 0], [n, h, wx * c]);
  }
  if (left !== 0 || w !== wx) {
    y = tf.slice(tf.reshape(y, [n * h, wx * c]), [0, left * c], [n * h, w * c]);
  }
  return tf.reshape(y, [n, h, w, c]);
}
