// Shared helpers for this package's tests (not exported from the package).
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import type { Network } from '@gankit/core';
import { expect } from 'vitest';

/** `apply` adds exactly one tensor (its result) in training and in inference. */
export function expectNoLeak(net: Network, x: tf.Tensor, labels?: tf.Tensor): void {
  for (const training of [true, false]) {
    const before = tf.memory().numTensors;
    const y = net.apply(x, { training, labels });
    expect(tf.memory().numTensors).toBe(before + 1);
    y.dispose();
  }
}

/** Every trainable variable gets a finite, non-zero gradient from a random linear loss on the output. */
export function expectGradientsFlow(net: Network, x: tf.Tensor, labels?: tf.Tensor): void {
  ensureGradients();
  const before = tf.memory().numTensors;
  const w = tf.tidy(() => new RandomSource(99).normal([x.shape[0], ...net.outputShape]));
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(net.apply(x, { training: true, labels }), w)) as tf.Scalar,
    net.trainableVariables as tf.Variable[],
  );
  expect(Object.keys(grads).sort()).toEqual(net.trainableVariables.map((v) => v.name).sort());
  for (const v of net.trainableVariables) {
    const g = grads[v.name];
    expect(g.shape).toEqual(v.shape);
    const norm = tf.tidy(() => tf.norm(g).dataSync()[0]);
    expect(Number.isFinite(norm), v.name).toBe(true);
    expect(norm, `gradient of ${v.name}`).toBeGreaterThan(0);
  }
  tf.dispose([value, w, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before);
}

/** Largest absolute difference between two tensors of the same shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Sets every variable whose name matches to zeros. */
export function zeroVariables(variables: readonly tf.Variable[], match: (name: string) => boolean): number {
  let n = 0;
  for (const v of variables) {
    if (match(v.name)) {
      tf.tidy(() => v.assign(tf.zerosLike(v)));
      n++;
    }
  }
  return n;
}
