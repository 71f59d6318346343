import { GankitError } from '@gankit/core';

/** Padding of a convolution: `'same'` keeps `ceil(in / stride)` positions, `'valid'` uses only full windows. */
export type Padding = 'same' | 'valid';

/** Reads a `number | [h, w]` setting as a pair of positive integers. */
export function pair(value: number | readonly [number, number] | undefined, fallback: number, what: string): [number, number] {
  if (value === undefined && fallback <= 0) throw new GankitError('config', `${what} is required`);
  const v = value ?? fallback;
  if (typeof v !== 'number' && !(Array.isArray(v) && v.length === 2)) {
    throw new GankitError('config', `${what} must be a number or [h, w], got ${JSON.stringify(v)}`);
  }
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (p.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('config', `${what} must be positive integers, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Checks a padding setting. */
export function checkPadding(padding: unknown, what: string): Padding {
  if (padding !== 'same' && padding !== 'valid') {
    throw new GankitError('config', `${what} must be 'same' or 'valid', got ${JSON.stringify(padding)}`);
  }
  return padding;
}

/** Output length of a convolution along one axis (as TensorFlow and Keras compute it). */
export function convOutputLength(length: number, kernel: number, stride: number, padding: Padding, dilation = 1): number {
  const effective = (kernel - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(length / stride) : Math.floor((length - effective) / stride) + 1;
}

/** Output length of a transposed convolution along one axis (Keras's rule, without output padding). */
export function convTransposeOutputLength(length: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? length * stride : length * stride + Math.max(kernel - stride, 0);
}
