// Float64 reference maths and test utilities shared by the loss tests.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { GankitError } from '@gankit/core';

/** Stable float64 softplus: log(1 + e^x). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Float64 logistic sigmoid. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Arithmetic mean. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((s, v) => s + v, 0) / xs.length;
}

/** Asserts |actual − expected| <= atol + rtol·|expected|, with a readable message. */
export function expectClose(actual: number, expected: number, rtol = 1e-5, atol = 1e-6): void {
  const tol = atol + rtol * Math.abs(expected);
  expect(Math.abs(actual - expected), `expected ${actual} to be within ${tol} of ${expected}`).toBeLessThanOrEqual(tol);
}

/** Element-wise {@link expectClose}. */
export function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i], expected[i], rtol, atol);
}

/** Reads a scalar tensor, checks that it is a rank-0 float32, and disposes it. */
export function readScalar(t: tf.Tensor): number {
  expect(t.rank).toBe(0);
  expect(t.dtype).toBe('float32');
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/**
 * Runs `make` (which creates its inputs itself and disposes them after calling the function under
 * test), and checks that exactly one tensor, the result, outlives it; then disposes the result and
 * checks that the tensor count is back where it was.
 */
export function expectNoLeak(make: () => tf.Tensor): void {
  const before = tf.memory().numTensors;
  const out = make();
  expect(tf.memory().numTensors).toBe(before + 1);
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

/** Calls `fn` with fresh tensors built from the given arrays/shapes and disposes them afterwards. */
export function withTensors<T>(specs: ReadonlyArray<[number[], number[]]>, fn: (...ts: tf.Tensor[]) => T): T {
  const ts = specs.map(([values, shape]) => tf.tensor(values, shape, 'float32'));
  try {
    return fn(...ts);
  } finally {
    ts.forEach((t) => t.dispose());
  }
}

/** Gradients of `f` with respect to each input (as float64 arrays), inputs given as plain arrays. */
export function gradsOf(f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: ReadonlyArray<[number[], number[]]>): number[][] {
  return tf.tidy(() => {
    const xs = inputs.map(([v, s]) => tf.tensor(v, s, 'float32'));
    const gs = tf.grads((...a: tf.Tensor[]) => f(...a))(xs);
    return gs.map((g) => Array.from(g.dataSync()));
  });
}

/** Asserts that `fn` throws a GankitError with the given code and a message matching `message`. */
export function expectGankitError(fn: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a GankitError to be thrown').toBeInstanceOf(GankitError);
  expect((caught as GankitError).code).toBe(code);
  expect((caught as GankitError).message).toMatch(message);
}
