import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { acganClassLoss } from './classification';
import { expectAllClose, expectClose, expectGankitError, expectNoLeak, mean, readScalar } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

const LOGITS = [
  [2.0, -1.0, 0.5],
  [0.1, 0.2, 0.3],
  [-3.0, 4.0, 1.0],
  [0.0, 0.0, -2.0],
];
const LABELS = [0, 2, 1, 2];

/** Float64 log-softmax of one row via log-sum-exp. */
function logSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

function ref(logits: number[][], labels: number[]): number {
  return mean(logits.map((row, i) => -logSoftmax(row)[labels[i]]));
}

function run(logits: number[][], labels: number[]): number {
  const x = tf.tensor2d(logits);
  const y = tf.tensor1d(labels, 'int32');
  try {
    return readScalar(acganClassLoss(x, y));
  } finally {
    tf.dispose([x, y]);
  }
}

describe('acganClassLoss', () => {
  it('is the mean sparse softmax cross-entropy', () => {
    expectClose(run(LOGITS, LABELS), ref(LOGITS, LABELS));
    // Uniform logits give log K.
    expectClose(run([[0, 0, 0, 0]], [3]), Math.log(4));
  });

  it('has gradient (softmax − onehot)/batch with respect to the logits', () => {
    const g = tf.tidy(() => {
      const y = tf.tensor1d(LABELS, 'int32');
      return Array.from(
        tf
          .grad((x: tf.Tensor) => acganClassLoss(x, y))(tf.tensor2d(LOGITS))
          .dataSync(),
      );
    });
    const expected = LOGITS.flatMap((row, i) => logSoftmax(row).map((lp, k) => (Math.exp(lp) - (k === LABELS[i] ? 1 : 0)) / LOGITS.length));
    expectAllClose(g, expected);
  });

  it('is finite and correct for logits ±100', () => {
    const logits = [
      [100, -100],
      [-100, 100],
      [100, -100],
    ];
    const labels = [0, 0, 1];
    const v = run(logits, labels);
    expectClose(v, ref(logits, labels));
    expectClose(v, 400 / 3, 1e-5);
    const g = tf.tidy(() => {
      const y = tf.tensor1d(labels, 'int32');
      return Array.from(
        tf
          .grad((x: tf.Tensor) => acganClassLoss(x, y))(tf.tensor2d(logits))
          .dataSync(),
      );
    });
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('names a bad label, dtype or shape', () => {
    const x = tf.tensor2d(LOGITS);
    const bad = tf.tensor1d([0, 2, 3, 1], 'int32');
    const negative = tf.tensor1d([0, -1, 1, 1], 'int32');
    const float = tf.tensor1d([0, 2, 1, 2], 'float32');
    const short = tf.tensor1d([0, 1], 'int32');
    const rank3 = tf.zeros([4, 3, 1]);
    const good = tf.tensor1d(LABELS, 'int32');
    try {
      expectGankitError(() => acganClassLoss(x, bad), 'value', /label 3 at index 2 is out of range \[0, 3\)/);
      expectGankitError(() => acganClassLoss(x, negative), 'value', /label -1 at index 1/);
      expectGankitError(() => acganClassLoss(x, float), 'dtype', /labels must be int32 .*got float32/);
      expectGankitError(() => acganClassLoss(x, short), 'shape', /labels must be \[4\].*got \[2\]/);
      expectGankitError(() => acganClassLoss(rank3, good), 'shape', /\[batch, numClasses\], got shape \[4, 3, 1\]/);
      expectGankitError(() => acganClassLoss(x, [0, 1, 2, 0] as unknown as tf.Tensor), 'argument', /labels must be a tf.Tensor/);
    } finally {
      tf.dispose([x, bad, negative, float, short, rank3, good]);
    }
  });

  it('frees its intermediates', () => {
    const x = tf.tensor2d(LOGITS);
    const y = tf.tensor1d(LABELS, 'int32');
    expectNoLeak(() => acganClassLoss(x, y));
    tf.dispose([x, y]);
  });
});
