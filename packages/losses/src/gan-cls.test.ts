import { beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { ganClsDiscriminatorLoss, ganClsMismatchTerm, interpolateEmbeddings } from './gan-cls';
import { hinge } from './hinge';
import { leastSquares } from './least-squares';
import { nonSaturating } from './minimax';
import { relativisticAverage } from './relativistic';
import { expectAllClose, expectClose, expectGankitError, expectNoLeak, mean, readScalar, sigmoid, withTensors } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

const R = [2.0, -0.5, 1.0];
const W = [0.3, 1.5, -2.0];
const F = [-1.0, 0.2, 0.8];
const COL: [number[], number[]][] = [
  [R, [3, 1]],
  [W, [3, 1]],
  [F, [3, 1]],
];

describe('ganClsDiscriminatorLoss', () => {
  it("is the paper's −[log s_r + ½(log(1 − s_w) + log(1 − s_f))] for the non-saturating loss (hand values)", () => {
    // s = σ(logit); the paper's D maximises log s_r + ½(log(1 − s_w) + log(1 − s_f)), averaged over the batch.
    const expected =
      -mean(R.map((r) => Math.log(sigmoid(r)))) -
      0.5 * mean(W.map((w) => Math.log(1 - sigmoid(w)))) -
      0.5 * mean(F.map((f) => Math.log(1 - sigmoid(f))));
    // Worked by hand for the first column: −log σ(2) = 0.126928; −log(1 − σ(0.3)) = 0.854355; −log(1 − σ(−1)) = 0.313262.
    expectClose(-Math.log(sigmoid(2)), 0.126928, 1e-5);
    expectClose(-Math.log(1 - sigmoid(0.3)), 0.854355, 1e-5);
    expectClose(-Math.log(1 - sigmoid(-1)), 0.313262, 1e-5);
    const got = withTensors(COL, (r, w, f) => readScalar(ganClsDiscriminatorLoss(nonSaturating, r, w, f)));
    expectClose(got, expected);
  });

  it('splits the fake side by mismatchWeight for the hinge and least-squares losses', () => {
    const relu = (v: number) => Math.max(0, v);
    const hingeExpected = (lambda: number) =>
      mean(R.map((r) => relu(1 - r))) + (1 - lambda) * mean(F.map((f) => relu(1 + f))) + lambda * mean(W.map((w) => relu(1 + w)));
    for (const lambda of [0, 0.25, 0.5, 1]) {
      const got = withTensors(COL, (r, w, f) => readScalar(ganClsDiscriminatorLoss(hinge, r, w, f, lambda)));
      expectClose(got, hingeExpected(lambda));
    }
    // Least squares (a = 0, b = 1): ½E(r − 1)² + ½E f².
    const lsExpected = 0.5 * mean(R.map((r) => (r - 1) ** 2)) + 0.5 * (0.5 * mean(F.map((f) => f * f)) + 0.5 * mean(W.map((w) => w * w)));
    const got = withTensors(COL, (r, w, f) => readScalar(ganClsDiscriminatorLoss(leastSquares(), r, w, f)));
    expectClose(got, lsExpected);
  });

  it('the mismatch term added to ℓ_D(r, f) gives the whole GAN-CLS loss, also for a relativistic loss', () => {
    for (const loss of [nonSaturating, hinge, relativisticAverage]) {
      const [whole, term, base] = withTensors(COL, (r, w, f) => [
        readScalar(ganClsDiscriminatorLoss(loss, r, w, f)),
        readScalar(ganClsMismatchTerm(loss, r, w, f)),
        readScalar(loss.discriminator(r, f)),
      ]);
      expectClose(base + term, whole);
      // Relativistic: the mean of the two comparisons (real vs fake, real vs mismatched).
      if (loss === relativisticAverage) {
        const other = withTensors(COL, (r, w) => readScalar(loss.discriminator(r, w)));
        expectClose(whole, 0.5 * (base + other));
      }
    }
  });

  it('gradients: a mismatched pair pushes D down like a fake one, with half the weight', () => {
    const grads = tf.tidy(() => {
      const [r, w, f] = COL.map(([v, s]) => tf.tensor(v, s));
      const g = tf.grads((w2: tf.Tensor, f2: tf.Tensor) => ganClsDiscriminatorLoss(nonSaturating, r, w2, f2))([w, f]);
      return g.map((t) => Array.from(t.dataSync()));
    });
    // d/dw of ½·mean(softplus(w)) = σ(w)/(2n).
    expectAllClose(
      grads[0],
      W.map((w) => sigmoid(w) / 6),
    );
    expectAllClose(
      grads[1],
      F.map((f) => sigmoid(f) / 6),
    );
  });

  it('frees its intermediates', () => {
    expectNoLeak(() => withTensors(COL, (r, w, f) => ganClsDiscriminatorLoss(nonSaturating, r, w, f)));
    expectNoLeak(() => withTensors(COL, (r, w, f) => ganClsMismatchTerm(hinge, r, w, f)));
  });

  it('rejects a bad weight, mismatched shapes and a missing loss in one line', () => {
    withTensors(COL, (r, w, f) => {
      expectGankitError(
        () => ganClsDiscriminatorLoss(nonSaturating, r, w, f, 1.5),
        'config',
        /mismatchWeight must be a number in \[0, 1\], got 1.5/,
      );
      expectGankitError(() => ganClsDiscriminatorLoss(undefined as never, r, w, f), 'argument', /loss must be a LossPair/);
      const flat = tf.tensor1d(W);
      try {
        expectGankitError(() => ganClsMismatchTerm(hinge, r, flat, f), 'shape', /mismatchedOutput|same rank/);
      } finally {
        flat.dispose();
      }
    });
  });
});

describe('interpolateEmbeddings', () => {
  it('is β·t1 + (1 − β)·t2 row by row', () => {
    const got = withTensors(
      [
        [
          [1, 2, 3, 4],
          [2, 2],
        ],
        [
          [-1, 0, 5, 8],
          [2, 2],
        ],
      ],
      (a, b) => {
        const out = interpolateEmbeddings(a, b, 0.25);
        const v = Array.from(out.dataSync());
        out.dispose();
        return v;
      },
    );
    expectAllClose(got, [0.25 * 1 - 0.75, 0.25 * 2, 0.25 * 3 + 0.75 * 5, 0.25 * 4 + 0.75 * 8]);
    expectNoLeak(() =>
      withTensors(
        [
          [
            [1, 2],
            [1, 2],
          ],
          [
            [3, 4],
            [1, 2],
          ],
        ],
        (a, b) => interpolateEmbeddings(a, b),
      ),
    );
  });

  it('refuses different shapes and β outside [0, 1]', () => {
    withTensors(
      [
        [
          [1, 2],
          [1, 2],
        ],
        [
          [1, 2, 3],
          [1, 3],
        ],
      ],
      (a, b) => {
        expectGankitError(() => interpolateEmbeddings(a, b), 'shape', /must have the same shape/);
        expectGankitError(() => interpolateEmbeddings(a, a, -0.1), 'config', /beta must be a number in \[0, 1\]/);
      },
    );
  });
});
