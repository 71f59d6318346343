import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type Network, ensureGradients } from '@gankit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { orthogonalPenalty, orthogonalRegularization } from './orthogonal';
import { makeStepContext } from './test-helpers';

beforeAll(() => {
  ensureGradients();
});

/** W as rows × cols from a flat row-major array. */
type Matrix = number[][];
const matrix = (values: number[], rows: number, cols: number): Matrix =>
  Array.from({ length: rows }, (_, i) => values.slice(i * cols, (i + 1) * cols));

/** WᵀW ⊙ (1 − I), by hand. */
function offDiagonalGram(w: Matrix): Matrix {
  const cols = w[0].length;
  const g: Matrix = Array.from({ length: cols }, () => new Array(cols).fill(0));
  for (let i = 0; i < cols; i++)
    for (let j = 0; j < cols; j++) if (i !== j) for (let r = 0; r < w.length; r++) g[i][j] += w[r][i] * w[r][j];
  return g;
}

/** β‖WᵀW ⊙ (1 − I)‖²_F by hand. */
function penaltyByHand(w: Matrix, beta: number): number {
  return beta * offDiagonalGram(w).reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0);
}

/** 4β·W(WᵀW ⊙ (1 − I)) by hand, row-major. */
function gradientByHand(w: Matrix, beta: number): number[] {
  const m = offDiagonalGram(w);
  const out: number[] = [];
  for (let r = 0; r < w.length; r++)
    for (let j = 0; j < m.length; j++) {
      let s = 0;
      for (let i = 0; i < m.length; i++) s += w[r][i] * m[i][j];
      out.push(4 * beta * s);
    }
  return out;
}

const W1 = [0.5, -1, 2, 0.3, 0.7, -0.4, 1.1, 0.2, -0.6, 0.9, 0.1, -1.3]; // 4 × 3
const W2 = [0.2, -0.5, 0.8, 1.5, -0.7, 0.4]; // 3 × 2

describe('orthogonalPenalty', () => {
  it('equals β‖WᵀW ⊙ (1 − I)‖²_F summed over the kernels (hand-computed)', () => {
    const a = tf.tensor2d(W1, [4, 3]);
    const b = tf.tensor2d(W2, [3, 2]);
    const beta = 0.01;
    const expected = penaltyByHand(matrix(W1, 4, 3), beta) + penaltyByHand(matrix(W2, 3, 2), beta);
    const p = orthogonalPenalty([a, b], beta);
    expect(p.rank).toBe(0);
    expect(p.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([a, b, p]);
  });

  it('is zero for orthogonal columns of any norms (only the off-diagonal counts)', () => {
    const w = tf.tensor2d([3, 0, 0, 0, 0.5, 0, 0, 0, -2], [3, 3]);
    const p = orthogonalPenalty([w], 1);
    expect(p.dataSync()[0]).toBe(0);
    tf.dispose([w, p]);
  });

  it('has the gradient 4β·W(WᵀW ⊙ (1 − I)) (hand-computed)', () => {
    const beta = 0.05;
    const w = tf.tensor2d(W1, [4, 3]);
    const g = tf.grad((x: tf.Tensor) => orthogonalPenalty([x], beta))(w);
    const expected = gradientByHand(matrix(W1, 4, 3), beta);
    const got = Array.from(g.dataSync());
    expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    tf.dispose([w, g]);
  });

  it('a wide kernel (fewer rows than columns) gives the same value and gradient through the smaller Gram matrix', () => {
    const values = Array.from({ length: 18 }, (_, i) => Math.cos(2 * i + 0.5)); // 3 × 6
    const w = tf.tensor2d(values, [3, 6]);
    const p = orthogonalPenalty([w], 0.2);
    expect(p.dataSync()[0]).toBeCloseTo(penaltyByHand(matrix(values, 3, 6), 0.2), 4);
    const g = tf.grad((x: tf.Tensor) => orthogonalPenalty([x], 0.2))(w);
    const expected = gradientByHand(matrix(values, 3, 6), 0.2);
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    tf.dispose([w, p, g]);
  });

  it('reshapes a conv kernel [k, k, in, out] to [k·k·in, out], as BigGAN does', () => {
    // 2 × 2 × 3 × 2 holds 24 values; as a matrix it is 12 × 2 in row-major order.
    const values = Array.from({ length: 24 }, (_, i) => Math.sin(i + 1));
    const conv = tf.tensor4d(values, [2, 2, 3, 2]);
    const p = orthogonalPenalty([conv], 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(penaltyByHand(matrix(values, 12, 2), 0.1), 5);
    const g = tf.grad((x: tf.Tensor) => orthogonalPenalty([x], 0.1))(conv);
    expect(g.shape).toEqual([2, 2, 3, 2]);
    const expected = gradientByHand(matrix(values, 12, 2), 0.1);
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    tf.dispose([conv, p, g]);
  });

  it('refuses a bad beta or a rank-1 kernel in one line', () => {
    const v = tf.tensor1d([1, 2]);
    expect(() => orthogonalPenalty([v], 1)).toThrow(/a kernel must have rank >= 2, got rank 1/);
    expect(() => orthogonalPenalty([], -1)).toThrow(/beta must be a finite number >= 0, got -1/);
    v.dispose();
  });
});

/** A generator whose trainable variables are a dense kernel, a bias and an embedding table. */
function tinyGenerator(): Network {
  const kernel = tf.variable(tf.tensor2d(W1, [4, 3]), true, 'gtest/dense_0/kernel');
  const bias = tf.variable(tf.tensor1d([0.1, 0.2, 0.3]), true, 'gtest/dense_0/bias');
  const table = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]), true, 'gtest/embed/embeddings');
  const vars = [kernel, bias, table];
  return {
    name: 'gtest',
    inputShape: [4],
    outputShape: [3],
    trainableVariables: vars,
    nonTrainableVariables: [],
    apply: (x) => tf.add(tf.matMul(x as tf.Tensor2D, kernel), bias),
    dispose: () => {
      for (const v of vars) v.dispose();
    },
  };
}

describe('orthogonalRegularization (plugin)', () => {
  it("adds β‖WᵀW ⊙ (1 − I)‖²_F over G's kernels (not biases or embeddings) to G's loss", () => {
    const g = tinyGenerator();
    const plugin = orthogonalRegularization({ beta: 0.02 });
    expect(plugin.kernelsOf(g).map((v) => v.name)).toEqual(['gtest/dense_0/kernel']);
    expect(plugin.discriminatorLoss).toBeUndefined();
    const real = tf.zeros([2, 3]);
    const s = { ...makeStepContext({ discriminator: g, real }), generator: g, phase: 'generator' as const };
    const before = tf.memory().numTensors;
    const terms = plugin.generatorLoss!(s) as Record<string, tf.Scalar>;
    expect(Object.keys(terms)).toEqual(['penalty']);
    expect(terms.penalty.dataSync()[0]).toBeCloseTo(penaltyByHand(matrix(W1, 4, 3), 0.02), 5);
    tf.dispose(Object.values(terms));
    expect(tf.memory().numTensors).toBe(before);
    // The gradient through the plugin reaches the kernel only.
    const { grads } = tf.variableGrads(() => (plugin.generatorLoss!(s) as Record<string, tf.Scalar>).penalty, [...g.trainableVariables]);
    expect(Object.keys(grads)).toContain('gtest/dense_0/kernel');
    const expected = gradientByHand(matrix(W1, 4, 3), 0.02);
    Array.from(grads['gtest/dense_0/kernel'].dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    tf.dispose(Object.values(grads));
    real.dispose();
    g.dispose();
  });

  it("with network 'discriminator' penalises D's kernels in D's loss", () => {
    const d = tinyGenerator();
    const plugin = orthogonalRegularization({ network: 'discriminator', beta: 1 });
    expect(plugin.generatorLoss).toBeUndefined();
    const real = tf.zeros([2, 4]);
    const terms = plugin.discriminatorLoss!(makeStepContext({ discriminator: d, real })) as Record<string, tf.Scalar>;
    expect(terms.penalty.dataSync()[0]).toBeCloseTo(penaltyByHand(matrix(W1, 4, 3), 1), 4);
    tf.dispose([...Object.values(terms), real]);
    d.dispose();
  });

  it('refuses bad options, and a network without kernels, in one line', () => {
    expect(() => orthogonalRegularization({ beta: Number.NaN })).toThrow(GankitError);
    expect(() => orthogonalRegularization({ beta: -1 })).toThrow(/orthogonal: beta must be a finite number >= 0, got -1/);
    expect(() => orthogonalRegularization({ network: 'critic' as 'generator' })).toThrow(
      /network must be 'generator' or 'discriminator', got "critic"/,
    );
    const g = tinyGenerator();
    const plugin = orthogonalRegularization({ filter: () => false });
    const real = tf.zeros([2, 3]);
    const s = { ...makeStepContext({ discriminator: g, real }), generator: g };
    expect(() => plugin.generatorLoss!(s)).toThrow(/the generator 'gtest' has no kernels to regularize/);
    real.dispose();
    g.dispose();
  });
});
