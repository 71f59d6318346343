/**
 * Edit distance for "did you mean": insertions, deletions, substitutions and swaps of two
 * neighbouring characters (`rign8` → `ring8`) each count 1 (the optimal string alignment
 * distance), on at most the first 64 characters of each.
 *
 * @param a - one word
 * @param b - the other word
 * @returns the number of edits that turn `a` into `b`
 */
export function editDistance(a: string, b: string): number {
  a = a.slice(0, 64);
  b = b.slice(0, 64);
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The closest candidate to `word` (case-insensitively), if it is close enough to be a likely typo:
 * at most a third of the shorter word's length in edits (at least one).
 *
 * @param word - what was given
 * @param candidates - the words that would have been accepted
 * @returns the likely intended candidate, or `undefined` when none is close
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(Math.min(w.length, (best ?? '').length) / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}

/**
 * The "did you mean" tail of an error message: `; did you mean 'hinge'?` when a candidate is
 * {@link closest} to `word`, else the empty string.
 *
 * @param word - what was given
 * @param candidates - the words that would have been accepted
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? `; did you mean '${c}'?` : '';
}
