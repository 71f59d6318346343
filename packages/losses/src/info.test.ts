import { beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { infoCategoricalLoss, infoContinuousLoss } from './info';
import { expectAllClose, expectClose, expectGankitError, expectNoLeak, gradsOf, mean, readScalar, withTensors } from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

const LOGITS = [
  [2.0, -1.0, 0.5],
  [0.1, 0.2, 0.3],
  [-3.0, 4.0, 1.0],
  [0.0, 0.0, -2.0],
];
const CODES = [
  [1, 0, 0],
  [0, 0, 1],
  [0, 1, 0],
  [0, 0, 1],
];

function logSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

const flat = (m: number[][]) => m.flat();
const shapeOf = (m: number[][]): number[] => [m.length, m[0].length];

describe('infoCategoricalLoss', () => {
  it('is the mean cross-entropy −E[log Q(c|x)] of the logits against the codes (float64 reference)', () => {
    const want = mean(LOGITS.map((row, i) => -logSoftmax(row).reduce((s, v, k) => s + v * CODES[i][k], 0)));
    const got = withTensors(
      [
        [flat(LOGITS), shapeOf(LOGITS)],
        [flat(CODES), shapeOf(CODES)],
      ],
      (l, c) => readScalar(infoCategoricalLoss(l, c)),
    );
    expectClose(got, want);
  });

  it('gives L_I = log K − CE the closed forms: log 2 for Q = (½, ¼, ¼) on the first value, log K when Q is certain, 0 when Q knows nothing', () => {
    const ce = (logits: number[][], codes: number[][]) =>
      withTensors(
        [
          [flat(logits), shapeOf(logits)],
          [flat(codes), shapeOf(codes)],
        ],
        (l, c) => readScalar(infoCategoricalLoss(l, c)),
      );
    // logits log p: the cross-entropy is −log p_k of the code's value.
    expectClose(ce([[Math.log(0.5), Math.log(0.25), Math.log(0.25)]], [[1, 0, 0]]), Math.log(2));
    expectClose(ce([[Math.log(0.5), Math.log(0.25), Math.log(0.25)]], [[0, 0, 1]]), Math.log(4));
    // A Q that reads every code exactly: CE → 0, the bound reaches H(c) = log K.
    expectClose(
      ce(
        [
          [30, 0, 0],
          [0, 30, 0],
        ],
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
      ),
      0,
      1e-5,
      1e-6,
    );
    // A Q that outputs the prior: CE = log K, the bound is 0.
    expectClose(
      ce(
        [
          [0, 0, 0, 0],
          [1, 1, 1, 1],
        ],
        [
          [0, 1, 0, 0],
          [0, 0, 0, 1],
        ],
      ),
      Math.log(4),
    );
    // Soft codes: CE = H(c, softmax) row by row.
    expectClose(ce([[0, Math.log(3)]], [[0.5, 0.5]]), -0.5 * Math.log(0.25) - 0.5 * Math.log(0.75));
  });

  it('has the gradient (softmax(logits) − c) / batch', () => {
    const [g] = gradsOf((l) => infoCategoricalLoss(l, tf.tensor2d(CODES)), [[flat(LOGITS), shapeOf(LOGITS)]]);
    const want = LOGITS.flatMap((row, i) => logSoftmax(row).map((v, k) => (Math.exp(v) - CODES[i][k]) / LOGITS.length));
    expectAllClose(g, want);
  });

  it('frees its intermediates and refuses mismatched or non-float inputs in one line', () => {
    expectNoLeak(() =>
      withTensors(
        [
          [flat(LOGITS), shapeOf(LOGITS)],
          [flat(CODES), shapeOf(CODES)],
        ],
        (l, c) => infoCategoricalLoss(l, c),
      ),
    );
    withTensors(
      [
        [flat(LOGITS), shapeOf(LOGITS)],
        [
          [1, 0, 0, 1, 0, 0],
          [2, 3],
        ],
        [[1, 2, 3], [3]],
      ],
      (l, c, v) => {
        expectGankitError(() => infoCategoricalLoss(l, c), 'shape', /codes \[2, 3\] must have the shape of logits \[4, 3\]/);
        expectGankitError(() => infoCategoricalLoss(v, v), 'shape', /logits must be \[batch, n\], got shape \[3\]/);
      },
    );
    const ints = tf.tensor2d(CODES, undefined, 'int32');
    withTensors([[flat(LOGITS), shapeOf(LOGITS)]], (l) => {
      expectGankitError(() => infoCategoricalLoss(l, ints), 'dtype', /codes must be float32/);
    });
    ints.dispose();
  });
});

const MEAN = [
  [0.2, -0.5],
  [1.0, 0.0],
  [-0.3, 0.7],
];
const CONT = [
  [0.5, -0.1],
  [-0.4, 0.9],
  [0.0, 0.7],
];
const LOG_STD = [
  [0.0, -1.0],
  [0.5, 0.2],
  [-0.3, 0.1],
];

/** −log N(c; μ, σ²) summed over the codes, averaged over the batch, in float64. */
function gaussianNll(mu: number[][], c: number[][], logStd: number[][]): number {
  return mean(
    mu.map((row, i) =>
      row.reduce((s, m, j) => {
        const sd = Math.exp(logStd[i][j]);
        return s + 0.5 * Math.log(2 * Math.PI) + logStd[i][j] + (c[i][j] - m) ** 2 / (2 * sd * sd);
      }, 0),
    ),
  );
}

describe('infoContinuousLoss', () => {
  const tensors: [number[], number[]][] = [
    [flat(MEAN), shapeOf(MEAN)],
    [flat(CONT), shapeOf(CONT)],
    [flat(LOG_STD), shapeOf(LOG_STD)],
  ];

  it('is the factored Gaussian negative log-likelihood with σ = 1 by default, a fixed σ, or a learned log σ', () => {
    const zeros = MEAN.map((r) => r.map(() => 0));
    withTensors(tensors, (m, c, s) => {
      expectClose(readScalar(infoContinuousLoss(m, c)), gaussianNll(MEAN, CONT, zeros));
      expectClose(
        readScalar(infoContinuousLoss(m, c, 0.5)),
        gaussianNll(
          MEAN,
          CONT,
          zeros.map((r) => r.map(() => Math.log(0.5))),
        ),
      );
      expectClose(readScalar(infoContinuousLoss(m, c, s)), gaussianNll(MEAN, CONT, LOG_STD));
    });
    // Codes at the means: only the normalising constant C·(½ log 2π + log σ) is left.
    withTensors(
      [
        [
          [0.3, -0.2],
          [1, 2],
        ],
      ],
      (m) => {
        expectClose(readScalar(infoContinuousLoss(m, m, 2)), 2 * (0.5 * Math.log(2 * Math.PI) + Math.log(2)));
      },
    );
  });

  it('has the gradients (μ − c)/(σ² · batch) for the means and (1 − (c − μ)²/σ²)/batch for log σ', () => {
    const [gm, gs] = gradsOf((m, s) => infoContinuousLoss(m, tf.tensor2d(CONT), s), [tensors[0], tensors[2]]);
    const n = MEAN.length;
    const wantM = MEAN.flatMap((row, i) => row.map((m, j) => (m - CONT[i][j]) / (Math.exp(2 * LOG_STD[i][j]) * n)));
    const wantS = MEAN.flatMap((row, i) => row.map((m, j) => (1 - (CONT[i][j] - m) ** 2 / Math.exp(2 * LOG_STD[i][j])) / n));
    expectAllClose(gm, wantM);
    expectAllClose(gs, wantS);
  });

  it('frees its intermediates and refuses a bad σ or shape in one line', () => {
    expectNoLeak(() => withTensors(tensors, (m, c, s) => infoContinuousLoss(m, c, s)));
    expectNoLeak(() => withTensors(tensors, (m, c) => infoContinuousLoss(m, c, 0.3)));
    withTensors(
      [
        ...tensors,
        [
          [1, 2],
          [1, 2],
        ],
      ],
      (m, c, _s, short) => {
        expectGankitError(() => infoContinuousLoss(m, c, 0), 'config', /std must be a finite number > 0, got 0/);
        expectGankitError(() => infoContinuousLoss(m, short), 'shape', /codes \[1, 2\] must have the shape of mean \[3, 2\]/);
        expectGankitError(() => infoContinuousLoss(m, c, short), 'shape', /logStd \[1, 2\] must have the shape of mean \[3, 2\]/);
        expectGankitError(
          () => infoContinuousLoss(m, c, 'wide' as never),
          'argument',
          /std must be a number or Q's log σ tensor, got string/,
        );
      },
    );
  });
});
