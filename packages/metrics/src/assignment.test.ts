import { describe, expect, it } from 'vitest';
import { assignmentAccuracy, bestAssignment } from './assignment';

/** The best total over every permutation (rows ≤ columns), by brute force. */
function bruteForce(w: number[][]): number {
  const cols = w[0].length;
  let best = -Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const go = (i: number, sum: number) => {
    if (i === w.length) {
      best = Math.max(best, sum);
      return;
    }
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, sum + w[i][j]);
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

/** mulberry32, for reproducible random matrices. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bestAssignment', () => {
  it('solves hand cases: the greedy choice is not the best one', () => {
    // Greedy takes 9 (row 0 → col 0) and is left with 1 + 1 = 11; the best is 8 + 7 + 6 = 21.
    const w = [
      [9, 8, 1],
      [7, 1, 1],
      [1, 1, 6],
    ];
    const a = bestAssignment(w);
    expect(Array.from(a.columnOf)).toEqual([1, 0, 2]);
    expect(a.total).toBe(21);
    expect(bestAssignment([[5]]).total).toBe(5);
    // Negative weights, and ties resolved to some optimum.
    expect(
      bestAssignment([
        [-1, -2],
        [-3, -1],
      ]).total,
    ).toBe(-2);
  });

  it('matches brute force on random square and rectangular matrices', () => {
    const next = rng(1);
    for (let trial = 0; trial < 60; trial++) {
      const rows = 1 + Math.floor(next() * 6);
      const cols = rows + Math.floor(next() * 3);
      const w = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.floor(next() * 20) - 5));
      const a = bestAssignment(w);
      expect(a.total).toBe(bruteForce(w));
      // A matching: every row a distinct column, and the total is its sum.
      expect(new Set(a.columnOf).size).toBe(rows);
      expect(Array.from(a.columnOf).reduce((s, j, i) => s + w[i][j], 0)).toBe(a.total);
    }
  });

  it('leaves rows over when there are more rows than columns', () => {
    const a = bestAssignment([[1], [5], [3]]);
    expect(Array.from(a.columnOf)).toEqual([-1, 0, -1]);
    expect(a.total).toBe(5);
  });

  it('names a bad matrix in one line', () => {
    expect(() => bestAssignment([])).toThrow('bestAssignment: weights must be a non-empty matrix (array of rows)');
    expect(() => bestAssignment([[1, 2], [3]])).toThrow('bestAssignment: row 1 has 1 entries, row 0 has 2');
    expect(() => bestAssignment([[1, Number.NaN]])).toThrow('bestAssignment: weights[0][1] is NaN, not a finite number');
  });
});

describe('assignmentAccuracy', () => {
  it('is 1 for a relabelled perfect clustering and reports the code → class map', () => {
    const classes = [0, 1, 2, 0, 1, 2];
    const codes = classes.map((k) => (k + 1) % 3);
    const r = assignmentAccuracy(codes, classes);
    expect(r.accuracy).toBe(1);
    expect(Array.from(r.classOfCode)).toEqual([2, 0, 1]);
    expect(r.counts).toEqual([
      [0, 0, 2],
      [2, 0, 0],
      [0, 2, 0],
    ]);
  });

  it('counts the examples of a code that shares its class with another as wrong (the 4/9 failure)', () => {
    // Codes 0 and 1 both draw class 0 (4 each); code 2 draws class 1 (4); class 2 never appears.
    const codes = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    const classes = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    const r = assignmentAccuracy(codes, classes, { numClasses: 3 });
    expect(r.accuracy).toBeCloseTo(8 / 12, 12);
    expect(r.classOfCode[2]).toBe(1);
    expect([r.classOfCode[0], r.classOfCode[1]].sort()).toEqual([0, 2]);
  });

  it('a 10-way hand case: 95 of 100 right under the best map', () => {
    const codes: number[] = [];
    const classes: number[] = [];
    for (let c = 0; c < 10; c++) {
      for (let i = 0; i < 10; i++) {
        codes.push(c);
        // code c draws digit (c + 3) mod 10, except the first example of codes 0..4, which draws digit 0
        classes.push(i === 0 && c < 5 ? 0 : (c + 3) % 10);
      }
    }
    const r = assignmentAccuracy(codes, classes, { numCodes: 10, numClasses: 10 });
    expect(r.accuracy).toBeCloseTo(0.95, 12);
    expect(Array.from(r.classOfCode)).toEqual([3, 4, 5, 6, 7, 8, 9, 0, 1, 2]);
  });

  it('names bad input in one line', () => {
    expect(() => assignmentAccuracy([0, 1], [0])).toThrow('assignmentAccuracy: 2 codes for 1 classes; give one of each per example');
    expect(() => assignmentAccuracy([], [])).toThrow('assignmentAccuracy: no examples');
    expect(() => assignmentAccuracy([0, 3], [0, 1], { numCodes: 3 })).toThrow(
      'assignmentAccuracy: code 3 at index 1 is out of range [0, 3)',
    );
    expect(() => assignmentAccuracy([0, 1], [0, -1])).toThrow('assignmentAccuracy: class -1 at index 1 is out of range [0, 1)');
  });
});
