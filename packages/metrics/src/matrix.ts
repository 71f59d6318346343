import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';

/** A row-major matrix held in a typed array: `data.length` must be a multiple of `dim`. */
export interface RowMajorRows {
  /** The values, row after row. */
  readonly data: Float32Array | Float64Array;
  /** The number of columns (the length of each row). */
  readonly dim: number;
}

/**
 * A set of points or feature vectors, one per row, in any of the forms the metrics accept:
 *
 * - `number[][]`: an array of rows, all of the same length;
 * - a `tf.Tensor2D` of shape `[n, d]` (read with `dataSync`, never disposed);
 * - `{ data, dim }`: a row-major `Float32Array` / `Float64Array` with `dim` columns;
 * - a bare `Float32Array` / `Float64Array`: row-major, its row length taken from the
 *   function's `dim` option (or inferred where the function says so).
 */
export type Rows = number[][] | tf.Tensor | RowMajorRows | Float32Array | Float64Array;

/** A dense float64 matrix, row-major. @internal */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

function isTypedArray(x: unknown): x is Float32Array | Float64Array {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/**
 * Copies any {@link Rows} input into a float64 row-major matrix.
 * @internal
 */
export function toMatrix(x: Rows, what: string, dim?: number): Matrix {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) {
      throw new GankitError('shape', `${what}: expected a rank-2 tensor [n, d], got shape ${formatShape(x.shape)}`);
    }
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      throw new GankitError('dtype', `${what}: expected a float32 or int32 tensor, got dtype ${x.dtype}`);
    }
    const [rows, cols] = x.shape as [number, number];
    return { data: Float64Array.from(x.dataSync() as Float32Array | Int32Array), rows, cols };
  }
  if (Array.isArray(x)) {
    const rows = x.length;
    if (rows === 0) return { data: new Float64Array(0), rows: 0, cols: dim ?? 0 };
    const first = x[0];
    if (!Array.isArray(first)) {
      throw new GankitError('shape', `${what}: expected an array of rows (number[][]), got an array of ${typeof first}`);
    }
    const cols = first.length;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = x[i];
      if (!Array.isArray(r) || r.length !== cols) {
        throw new GankitError(
          'shape',
          `${what}: row ${i} has length ${Array.isArray(r) ? r.length : typeof r}, expected ${cols} like row 0`,
        );
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = r[j];
    }
    return { data, rows, cols };
  }
  let arr: Float32Array | Float64Array;
  let cols: number | undefined;
  if (isTypedArray(x)) {
    arr = x;
    cols = dim;
    if (cols === undefined) {
      throw new GankitError('shape', `${what}: a bare typed array needs the row length; pass { data, dim } or the dim option`);
    }
  } else if (x && typeof x === 'object' && isTypedArray((x as RowMajorRows).data)) {
    arr = (x as RowMajorRows).data;
    cols = (x as RowMajorRows).dim;
  } else {
    throw new GankitError('dtype', `${what}: expected number[][], a Tensor2D, a Float32Array/Float64Array or { data, dim }`);
  }
  if (!Number.isInteger(cols) || cols < 1) {
    throw new GankitError('shape', `${what}: dim must be a positive integer, got ${cols}`);
  }
  if (arr.length % cols !== 0) {
    throw new GankitError('shape', `${what}: ${arr.length} values are not a whole number of rows of length ${cols}`);
  }
  return { data: Float64Array.from(arr), rows: arr.length / cols, cols };
}

/** Throws unless every value is finite. @internal */
export function assertFinite(data: ArrayLike<number>, what: string, cols = 0): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const where = cols > 0 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      throw new GankitError('value', `${what}: non-finite value ${data[i]} at ${where}`);
    }
  }
}
