// The best one-to-one assignment of codes (clusters) to classes: the Hungarian algorithm, and the
// clustering accuracy it gives (how InfoGAN's categorical code is scored against the digit classes).
import { GankitError } from '@gankit/core';

/** What {@link bestAssignment} returns. */
export interface Assignment {
  /** For each row, the column it is matched to (`-1` when there are more rows than columns and it is left over). */
  readonly columnOf: Int32Array;
  /** The sum of the matched weights, the largest any one-to-one matching reaches. */
  readonly total: number;
}

/**
 * The one-to-one matching of rows to columns with the largest total weight (the assignment problem),
 * by the Hungarian algorithm (Kuhn 1955, Munkres 1957) with potentials, O(n³) for an `n × n`
 * matrix. A rectangular matrix is padded with zero weights, so every row is matched when there are
 * at least as many columns, and `min(rows, columns)` rows are matched otherwise.
 *
 * @param weights - `weights[i][j]`, finite numbers; every row of the same length
 * @throws GankitError (`'argument'`, `'value'`) for an empty, ragged or non-finite matrix
 */
export function bestAssignment(weights: readonly (readonly number[])[]): Assignment {
  const fn = 'bestAssignment';
  if (!Array.isArray(weights) || weights.length === 0)
    throw new GankitError('argument', `${fn}: weights must be a non-empty matrix (array of rows)`);
  const rows = weights.length;
  const cols = weights[0]?.length ?? 0;
  if (cols === 0) throw new GankitError('argument', `${fn}: weights has rows of length 0`);
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    const row = weights[i];
    if (!Array.isArray(row) || row.length !== cols)
      throw new GankitError('argument', `${fn}: row ${i} has ${row?.length} entries, row 0 has ${cols}`);
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(row[j])) throw new GankitError('value', `${fn}: weights[${i}][${j}] is ${row[j]}, not a finite number`);
      max = Math.max(max, row[j]);
    }
  }
  const n = Math.max(rows, cols);
  // Minimise cost = max − weight over the padded square matrix (padding weighs 0).
  const cost = (i: number, j: number) => max - (i < rows && j < cols ? weights[i][j] : 0);
  // 1-based arrays as in the classic formulation: p[j] is the row matched to column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const columnOf = new Int32Array(rows).fill(-1);
  let total = 0;
  for (let j = 1; j <= n; j++) {
    const i = p[j] - 1;
    if (i < rows && j - 1 < cols) {
      columnOf[i] = j - 1;
      total += weights[i][j - 1];
    }
  }
  return { columnOf, total };
}

/** What {@link assignmentAccuracy} returns. */
export interface AssignmentAccuracy {
  /** The share of examples whose code's assigned class is their class, under the best assignment. */
  readonly accuracy: number;
  /** For each code, its class under the best one-to-one assignment (`-1`: a code left without one). */
  readonly classOfCode: Int32Array;
  /** `counts[code][class]`: how many examples of each code fell in each class. */
  readonly counts: number[][];
}

/**
 * The clustering accuracy of codes against classes: the share of examples that are correct when
 * each code is read as one class, under the one-to-one code→class assignment that makes the most
 * correct ({@link bestAssignment} on the code × class counts). This is how an unsupervised code,
 * such as InfoGAN's categorical code on MNIST, is scored against the digit classes (Chen et al.
 * 2016 report about 95 % for theirs): the code's values carry no class names, so the best naming
 * is taken. Two codes that share one class lose the examples of the code that gets no class.
 *
 * @param codes - each example's code, integers in `[0, numCodes)`
 * @param classes - each example's class, integers in `[0, numClasses)`
 * @param options - `numCodes` and `numClasses` (default: one more than the largest value seen)
 * @throws GankitError (`'argument'`, `'value'`) for unequal lengths, no examples or a value out of range
 */
export function assignmentAccuracy(
  codes: ArrayLike<number>,
  classes: ArrayLike<number>,
  options: { readonly numCodes?: number | undefined; readonly numClasses?: number | undefined } = {},
): AssignmentAccuracy {
  const fn = 'assignmentAccuracy';
  if (codes.length !== classes.length)
    throw new GankitError('argument', `${fn}: ${codes.length} codes for ${classes.length} classes; give one of each per example`);
  if (codes.length === 0) throw new GankitError('argument', `${fn}: no examples`);
  const maxOf = (a: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, a[i]);
    return m + 1;
  };
  const numCodes = options.numCodes ?? maxOf(codes);
  const numClasses = options.numClasses ?? maxOf(classes);
  const counts = Array.from({ length: numCodes }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    const k = classes[i];
    if (!(Number.isInteger(c) && c >= 0 && c < numCodes))
      throw new GankitError('value', `${fn}: code ${c} at index ${i} is out of range [0, ${numCodes})`);
    if (!(Number.isInteger(k) && k >= 0 && k < numClasses))
      throw new GankitError('value', `${fn}: class ${k} at index ${i} is out of range [0, ${numClasses})`);
    counts[c][k]++;
  }
  const { columnOf, total } = bestAssignment(counts);
  return { accuracy: total / codes.length, classOfCode: columnOf, counts };
}
