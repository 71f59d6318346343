import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { toMatrix, type Rows } from './matrix';

/**
 * Turns any {@link Rows} input into a float32 `[n, d]` tensor. Returns the tensor and whether the
 * caller owns it (and must dispose it): a float32 tensor given by the user is used as is.
 * @internal
 */
export function toTensor2d(x: Rows, what: string, dim?: number): { t: tf.Tensor2D; owned: boolean } {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new GankitError('shape', `${what}: expected a rank-2 tensor [n, d], got shape ${formatShape(x.shape)}`);
    if (x.dtype === 'float32') return { t: x as tf.Tensor2D, owned: false };
    if (x.dtype === 'int32') return { t: tf.cast(x, 'float32') as tf.Tensor2D, owned: true };
    throw new GankitError('dtype', `${what}: expected a float32 or int32 tensor, got dtype ${x.dtype}`);
  }
  const m = toMatrix(x, what, dim);
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) {
      throw new GankitError('value', `${what}: non-finite value ${m.data[i]} at row ${Math.floor(i / m.cols)}, column ${i % m.cols}`);
    }
  }
  return { t: tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]), owned: true };
}
