import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { PIX2PIX_L1_WEIGHT, contentLoss, l1ReconstructionLoss, pix2pixL1Term } from './paired';

describe('l1ReconstructionLoss and pix2pixL1Term', () => {
  it('are E|y − G(x)| and λ·E|y − G(x)| with λ = 100 by default (hand values)', () => {
    const y = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const g = tf.tensor4d([0, 2, 5, 4], [1, 2, 2, 1]);
    // (|1 − 0| + 0 + |3 − 5| + 0) / 4 = 0.75
    const l1 = l1ReconstructionLoss(y, g);
    expect(l1.dataSync()[0]).toBeCloseTo(0.75, 6);
    const term = pix2pixL1Term(y, g);
    expect(PIX2PIX_L1_WEIGHT).toBe(100);
    expect(term.dataSync()[0]).toBeCloseTo(75, 4);
    const t10 = pix2pixL1Term(y, g, 10);
    expect(t10.dataSync()[0]).toBeCloseTo(7.5, 5);
    expect(() => pix2pixL1Term(y, g, -1)).toThrow(/lambda must be a finite number >= 0, got -1/);
    const other = tf.zeros([1, 2, 1, 2]);
    expect(() => l1ReconstructionLoss(y, other)).toThrow(/target \[1, 2, 2, 1\] and output \[1, 2, 1, 2\] must have the same shape/);
    const before = tf.memory().numTensors;
    tf.dispose(pix2pixL1Term(y, g));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([y, g, l1, term, t10, other]);
  });
});

describe('contentLoss', () => {
  /** φ(x) = [x₀ + x₁, 2·x₀] for x = [batch, 2]. */
  const phi = (x: tf.Tensor) =>
    tf.matMul(
      x as tf.Tensor2D,
      tf.tensor2d([
        [1, 2],
        [1, 0],
      ]),
    );

  it('is the mean squared difference of the features (SRGAN eq. 5), by hand', () => {
    const y = tf.tensor2d([
      [1, 2],
      [0, 1],
    ]);
    const g = tf.tensor2d([
      [0, 0],
      [0, 1],
    ]);
    // φ(y) = [[3, 2], [1, 0]], φ(g) = [[0, 0], [1, 0]]: (9 + 4 + 0 + 0) / 4 = 3.25
    const l = contentLoss(phi, y, g);
    expect(l.dataSync()[0]).toBeCloseTo(3.25, 6);
    // identity features: pixel MSE (eq. 4), (1 + 4 + 0 + 0) / 4 = 1.25
    const mse = contentLoss((x) => x, y, g);
    expect(mse.dataSync()[0]).toBeCloseTo(1.25, 6);
    // several feature tensors are summed: 3.25 + 1.25
    const both = contentLoss((x) => [phi(x), x], y, g);
    expect(both.dataSync()[0]).toBeCloseTo(4.5, 5);
    tf.dispose([y, g, l, mse, both]);
  });

  it('sends its gradient through φ into the output: d/dG of mean((y − G)²) is −2(y − G)/n', () => {
    ensureGradients();
    const y = tf.tensor2d([
      [1, 2],
      [0, 1],
    ]);
    const g = tf.tensor2d([
      [0, 0],
      [0, 3],
    ]);
    const grad = tf.grad((o: tf.Tensor) => contentLoss((x) => tf.mul(x, 1), y, o))(g);
    expect(Array.from(grad.dataSync())).toEqual([-0.5, -1, 0, 1].map((v) => expect.closeTo(v, 6)));
    tf.dispose([y, g, grad]);
  });

  it('frees the feature network’s intermediates and refuses mismatched features in one line', () => {
    const y = tf.ones([2, 2]);
    const g = tf.zeros([2, 2]);
    const before = tf.memory().numTensors;
    tf.dispose(contentLoss(phi, y, g));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => contentLoss((x) => (x === y ? x : tf.zeros([2, 3])), y, g)).toThrow(
      /feature 0 has shape \[2, 2\] for the target but \[2, 3\] for the output/,
    );
    expect(() => contentLoss((() => []) as never, y, g)).toThrow(/must return a tensor or a non-empty list/);
    expect(() => contentLoss(phi, y, tf.zeros([3, 2]))).toThrow(/must have the same shape/);
    tf.dispose([y, g]);
  });
});
