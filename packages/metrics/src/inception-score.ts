import { GankitError } from '@gankit/core';
import { toMatrix, type Rows } from './matrix';

/** Options of {@link inceptionScore}. */
export interface InceptionScoreOptions {
  /** Number of splits of consecutive rows; the score is computed per split. Default 10. */
  splits?: number | undefined;
  /** `true` when the rows are classifier logits (a float64 softmax is applied); default `false` (probabilities). */
  logits?: boolean | undefined;
  /** Row length when the input is a bare typed array. */
  dim?: number | undefined;
}

/** Mean and standard deviation of a score over splits or subsets. */
export interface ScoreWithStd {
  /** The mean over splits / subsets. */
  mean: number;
  /** The population standard deviation over splits / subsets (numpy's default, `ddof = 0`). */
  std: number;
}

/**
 * Inception Score (Salimans et al. 2016): `exp(E_x KL(p(y|x) ‖ p(y)))`, where `p(y)` is the mean
 * of `p(y|x)` over the split. As in the reference implementation, the `n` rows are cut into
 * `splits` consecutive parts (rows `⌊i·n/splits⌋ … ⌊(i+1)·n/splits⌋ − 1`), the score is computed
 * on each, and the mean and population standard deviation of the split scores are returned.
 * Each row is normalised to sum to 1 (as `scipy.stats.entropy` does); terms with `p(y|x) = 0`
 * contribute 0. All arithmetic is float64.
 *
 * The score lies in `[1, K]`: 1 when every prediction is the same, `K` when predictions are
 * confident (one-hot) and spread evenly over the `K` classes.
 *
 * @param predictions - `[n, K]` class probabilities (or logits with `{ logits: true }`): a
 *   `tf.Tensor2D` (not disposed), `number[][]`, `{ data, dim }` or a typed array with `dim`
 * @param options - `splits` (default 10) and `logits`
 * @throws GankitError when `splits` is not an integer in `[1, n]`, a probability is negative or
 *   not finite, or a row sums to 0
 */
export function inceptionScore(predictions: Rows, options: InceptionScoreOptions = {}): ScoreWithStd {
  const { splits = 10, logits = false } = options;
  const x = toMatrix(predictions, 'inceptionScore', options.dim);
  const n = x.rows;
  const k = x.cols;
  if (n === 0 || k === 0) throw new GankitError('shape', `inceptionScore: expected predictions [n, K] with n, K >= 1, got [${n}, ${k}]`);
  if (!Number.isInteger(splits) || splits < 1 || splits > n) {
    throw new GankitError('value', `inceptionScore: splits must be an integer in [1, ${n}] (the number of rows), got ${splits}`);
  }
  const p = x.data;
  for (let i = 0; i < n; i++) {
    const off = i * k;
    if (logits) {
      let mx = -Infinity;
      for (let j = 0; j < k; j++) {
        const v = p[off + j];
        if (!Number.isFinite(v)) throw new GankitError('value', `inceptionScore: logit [${i}][${j}] is ${v}, not finite`);
        if (v > mx) mx = v;
      }
      let s = 0;
      for (let j = 0; j < k; j++) {
        const e = Math.exp(p[off + j] - mx);
        p[off + j] = e;
        s += e;
      }
      for (let j = 0; j < k; j++) p[off + j] /= s;
    } else {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const v = p[off + j];
        if (!(v >= 0 && Number.isFinite(v))) {
          throw new GankitError(
            'value',
            `inceptionScore: probability [${i}][${j}] is ${v}; expected finite values >= 0 (pass { logits: true } for logits)`,
          );
        }
        s += v;
      }
      if (s === 0) throw new GankitError('value', `inceptionScore: row ${i} sums to 0`);
      for (let j = 0; j < k; j++) p[off + j] /= s;
    }
  }
  const scores: number[] = [];
  const py = new Float64Array(k);
  for (let sp = 0; sp < splits; sp++) {
    const lo = Math.floor((sp * n) / splits);
    const hi = Math.floor(((sp + 1) * n) / splits);
    const m = hi - lo;
    py.fill(0);
    for (let i = lo; i < hi; i++) for (let j = 0; j < k; j++) py[j] += p[i * k + j];
    for (let j = 0; j < k; j++) py[j] /= m;
    let kl = 0;
    for (let i = lo; i < hi; i++) {
      const off = i * k;
      for (let j = 0; j < k; j++) {
        const v = p[off + j];
        if (v > 0) kl += v * Math.log(v / py[j]);
      }
    }
    scores.push(Math.exp(kl / m));
  }
  return meanStd(scores);
}

/** Mean and population standard deviation. @internal */
export function meanStd(values: number[]): ScoreWithStd {
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(ss / n) };
}
