/**
 * The Inception blocks of pytorch-fid's FID network, one at a time: each against a plain-JS
 * reference at small channel counts, and the E blocks' pool branches against hand-computed values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InceptionLayers, foldConv } from './fid-inception';
import { FID_INCEPTION_BN_EPSILON } from './index';
import { concatRef, conv2dRef, maxAbsDiff, normal, poolRef, refImage, type RefImage } from './test-utils';

const EPS = FID_INCEPTION_BN_EPSILON;

/** Raw (unfolded) weights for the convolutions of one block, with random BN statistics. */
function rawBlock(prefix: string, defs: [string, number, number, number, number][], seed: number): tf.NamedTensorMap {
  const z = normal(seed);
  const m: tf.NamedTensorMap = {};
  for (const [name, kh, kw, cin, cout] of defs) {
    const n = kh * kw * cin * cout;
    const p = `${prefix}.${name}`;
    m[`${p}.conv.weight`] = tf.tensor4d(
      Float32Array.from({ length: n }, () => z() / Math.sqrt(kh * kw * cin)),
      [kh, kw, cin, cout],
    );
    m[`${p}.bn.weight`] = tf.tensor1d(Float32Array.from({ length: cout }, () => 0.5 + Math.abs(z())));
    m[`${p}.bn.bias`] = tf.tensor1d(Float32Array.from({ length: cout }, () => 0.3 * z()));
    m[`${p}.bn.running_mean`] = tf.tensor1d(Float32Array.from({ length: cout }, () => 0.2 * z()));
    m[`${p}.bn.running_var`] = tf.tensor1d(Float32Array.from({ length: cout }, () => 0.5 + Math.abs(z())));
  }
  return m;
}

/** Reference BasicConv2d: conv (no bias) then explicit batch norm (eps 1e-3) then ReLU. */
function refBasic(raw: tf.NamedTensorMap, name: string, x: RefImage, stride: number, pad: 'same' | 'valid'): RefImage {
  const w = raw[`${name}.conv.weight`];
  const y = conv2dRef(x, w.dataSync(), w.shape, null, stride, pad);
  const g = raw[`${name}.bn.weight`].dataSync();
  const b = raw[`${name}.bn.bias`].dataSync();
  const mu = raw[`${name}.bn.running_mean`].dataSync();
  const v = raw[`${name}.bn.running_var`].dataSync();
  const out = y.data.map((val, i) => {
    const c = i % y.c;
    return Math.max(0, (g[c] * (val - mu[c])) / Math.sqrt(v[c] + EPS) + b[c]);
  });
  return { ...y, data: out };
}

function runBlock(
  kind: 'A' | 'B' | 'C' | 'D' | 'E_1' | 'E_2',
  prefix: string,
  raw: tf.NamedTensorMap,
  x: tf.Tensor4D,
  convs: string[],
): Float32Array {
  const folded = new Map(convs.map((c) => [`${prefix}.${c}`, foldConv(raw, `${prefix}.${c}`)]));
  const layers = new InceptionLayers(folded);
  const y = tf.tidy(() => layers.block(kind, prefix, x));
  const out = y.dataSync() as Float32Array;
  y.dispose();
  for (const f of folded.values()) tf.dispose([f.filter, f.bias]);
  return out;
}

describe('FID Inception blocks against a plain-JS reference of pytorch-fid (small channel counts)', () => {
  const C = 3;
  let x: tf.Tensor4D;
  let xr: RefImage;
  beforeAll(() => {
    const z = normal(99);
    x = tf.tensor4d(
      Float32Array.from({ length: 2 * 9 * 9 * C }, () => z()),
      [2, 9, 9, C],
    );
    xr = refImage(x.dataSync(), x.shape);
  });
  afterAll(() => x.dispose());

  const check = (got: Float32Array, ref: RefImage, shape: number[]) => {
    expect([ref.n, ref.h, ref.w, ref.c]).toEqual(shape);
    const scale = Math.max(...ref.data.map(Math.abs));
    expect(maxAbsDiff(got, ref.data) / scale).toBeLessThan(1e-5);
  };

  it('FIDInceptionA (Mixed_5b): 1x1, 5x5, double 3x3, avg-pool (padding excluded) branches', () => {
    const p = 'Mixed_5b';
    const defs: [string, number, number, number, number][] = [
      ['branch1x1', 1, 1, C, 2],
      ['branch5x5_1', 1, 1, C, 2],
      ['branch5x5_2', 5, 5, 2, 3],
      ['branch3x3dbl_1', 1, 1, C, 2],
      ['branch3x3dbl_2', 3, 3, 2, 2],
      ['branch3x3dbl_3', 3, 3, 2, 2],
      ['branch_pool', 1, 1, C, 2],
    ];
    const raw = rawBlock(p, defs, 1);
    const got = runBlock(
      'A',
      p,
      raw,
      x,
      defs.map((d) => d[0]),
    );
    const r = (n: string, h: RefImage, s = 1, pad: 'same' | 'valid' = 'same') => refBasic(raw, `${p}.${n}`, h, s, pad);
    const ref = concatRef([
      r('branch1x1', xr),
      r('branch5x5_2', r('branch5x5_1', xr)),
      r('branch3x3dbl_3', r('branch3x3dbl_2', r('branch3x3dbl_1', xr))),
      r('branch_pool', poolRef(xr, 'avg', 3, 1, 'same')),
    ]);
    check(got, ref, [2, 9, 9, 9]);
    tf.dispose(Object.values(raw));
  });

  it('InceptionB (Mixed_6a): stride-2 3x3, double 3x3, max-pool branches', () => {
    const p = 'Mixed_6a';
    const defs: [string, number, number, number, number][] = [
      ['branch3x3', 3, 3, C, 2],
      ['branch3x3dbl_1', 1, 1, C, 2],
      ['branch3x3dbl_2', 3, 3, 2, 2],
      ['branch3x3dbl_3', 3, 3, 2, 3],
    ];
    const raw = rawBlock(p, defs, 2);
    const got = runBlock(
      'B',
      p,
      raw,
      x,
      defs.map((d) => d[0]),
    );
    const r = (n: string, h: RefImage, s = 1, pad: 'same' | 'valid' = 'same') => refBasic(raw, `${p}.${n}`, h, s, pad);
    const ref = concatRef([
      r('branch3x3', xr, 2, 'valid'),
      r('branch3x3dbl_3', r('branch3x3dbl_2', r('branch3x3dbl_1', xr)), 2, 'valid'),
      poolRef(xr, 'max', 3, 2, 'valid'),
    ]);
    check(got, ref, [2, 4, 4, 2 + 3 + C]);
    tf.dispose(Object.values(raw));
  });

  it('FIDInceptionC (Mixed_6b): factorised 1x7 / 7x1 branches and avg-pool', () => {
    const p = 'Mixed_6b';
    const defs: [string, number, number, number, number][] = [
      ['branch1x1', 1, 1, C, 2],
      ['branch7x7_1', 1, 1, C, 2],
      ['branch7x7_2', 1, 7, 2, 2],
      ['branch7x7_3', 7, 1, 2, 2],
      ['branch7x7dbl_1', 1, 1, C, 2],
      ['branch7x7dbl_2', 7, 1, 2, 2],
      ['branch7x7dbl_3', 1, 7, 2, 2],
      ['branch7x7dbl_4', 7, 1, 2, 2],
      ['branch7x7dbl_5', 1, 7, 2, 2],
      ['branch_pool', 1, 1, C, 2],
    ];
    const raw = rawBlock(p, defs, 3);
    const got = runBlock(
      'C',
      p,
      raw,
      x,
      defs.map((d) => d[0]),
    );
    const r = (n: string, h: RefImage) => refBasic(raw, `${p}.${n}`, h, 1, 'same');
    let dbl = r('branch7x7dbl_1', xr);
    for (const k of [2, 3, 4, 5]) dbl = r(`branch7x7dbl_${k}`, dbl);
    const ref = concatRef([
      r('branch1x1', xr),
      r('branch7x7_3', r('branch7x7_2', r('branch7x7_1', xr))),
      dbl,
      r('branch_pool', poolRef(xr, 'avg', 3, 1, 'same')),
    ]);
    check(got, ref, [2, 9, 9, 8]);
    tf.dispose(Object.values(raw));
  });

  it('InceptionD (Mixed_7a): stride-2 reductions and max-pool', () => {
    const p = 'Mixed_7a';
    const defs: [string, number, number, number, number][] = [
      ['branch3x3_1', 1, 1, C, 2],
      ['branch3x3_2', 3, 3, 2, 2],
      ['branch7x7x3_1', 1, 1, C, 2],
      ['branch7x7x3_2', 1, 7, 2, 2],
      ['branch7x7x3_3', 7, 1, 2, 2],
      ['branch7x7x3_4', 3, 3, 2, 2],
    ];
    const raw = rawBlock(p, defs, 4);
    const got = runBlock(
      'D',
      p,
      raw,
      x,
      defs.map((d) => d[0]),
    );
    const r = (n: string, h: RefImage, s = 1, pad: 'same' | 'valid' = 'same') => refBasic(raw, `${p}.${n}`, h, s, pad);
    const ref = concatRef([
      r('branch3x3_2', r('branch3x3_1', xr), 2, 'valid'),
      r('branch7x7x3_4', r('branch7x7x3_3', r('branch7x7x3_2', r('branch7x7x3_1', xr))), 2, 'valid'),
      poolRef(xr, 'max', 3, 2, 'valid'),
    ]);
    check(got, ref, [2, 4, 4, 4 + C]);
    tf.dispose(Object.values(raw));
  });

  for (const [kind, p, pool] of [
    ['E_1', 'Mixed_7b', 'avg'],
    ['E_2', 'Mixed_7c', 'max'],
  ] as const) {
    it(`FIDInception${kind} (${p}): split 1x3 / 3x1 branches and a ${pool}-pool branch`, () => {
      const defs: [string, number, number, number, number][] = [
        ['branch1x1', 1, 1, C, 2],
        ['branch3x3_1', 1, 1, C, 2],
        ['branch3x3_2a', 1, 3, 2, 2],
        ['branch3x3_2b', 3, 1, 2, 2],
        ['branch3x3dbl_1', 1, 1, C, 2],
        ['branch3x3dbl_2', 3, 3, 2, 2],
        ['branch3x3dbl_3a', 1, 3, 2, 2],
        ['branch3x3dbl_3b', 3, 1, 2, 2],
        ['branch_pool', 1, 1, C, 2],
      ];
      const raw = rawBlock(p, defs, 5);
      const got = runBlock(
        kind,
        p,
        raw,
        x,
        defs.map((d) => d[0]),
      );
      const r = (n: string, h: RefImage) => refBasic(raw, `${p}.${n}`, h, 1, 'same');
      const t = r('branch3x3_1', xr);
      const u = r('branch3x3dbl_2', r('branch3x3dbl_1', xr));
      const ref = concatRef([
        r('branch1x1', xr),
        concatRef([r('branch3x3_2a', t), r('branch3x3_2b', t)]),
        concatRef([r('branch3x3dbl_3a', u), r('branch3x3dbl_3b', u)]),
        r('branch_pool', poolRef(xr, pool, 3, 1, 'same')),
      ]);
      check(got, ref, [2, 9, 9, 12]);
      tf.dispose(Object.values(raw));
    });
  }
});

describe('FID Inception blocks with hand-computable weights', () => {
  /** A 1-channel 4x4 input with values 1..16 (row-major). */
  const grid = () =>
    tf.tensor4d(
      Float32Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );

  /** Every conv of an E block zero, except branch_pool (1x1 identity, BN identity: γ=1, β=0, μ=0, σ²=1−ε). */
  function poolOnlyE(p: string): tf.NamedTensorMap {
    const m: tf.NamedTensorMap = {};
    const defs: [string, number, number, number][] = [
      ['branch1x1', 1, 1, 1],
      ['branch3x3_1', 1, 1, 1],
      ['branch3x3_2a', 1, 3, 1],
      ['branch3x3_2b', 3, 1, 1],
      ['branch3x3dbl_1', 1, 1, 1],
      ['branch3x3dbl_2', 3, 3, 1],
      ['branch3x3dbl_3a', 1, 3, 1],
      ['branch3x3dbl_3b', 3, 1, 1],
      ['branch_pool', 1, 1, 1],
    ];
    for (const [name, kh, kw, cin] of defs) {
      const n = `${p}.${name}`;
      m[`${n}.conv.weight`] = name === 'branch_pool' ? tf.ones([1, 1, 1, 1]) : tf.zeros([kh, kw, cin, 1]);
      m[`${n}.bn.weight`] = tf.ones([1]);
      m[`${n}.bn.bias`] = tf.zeros([1]);
      m[`${n}.bn.running_mean`] = tf.zeros([1]);
      m[`${n}.bn.running_var`] = tf.fill([1], 1 - EPS);
    }
    return m;
  }

  const convNames = [
    'branch1x1',
    'branch3x3_1',
    'branch3x3_2a',
    'branch3x3_2b',
    'branch3x3dbl_1',
    'branch3x3dbl_2',
    'branch3x3dbl_3a',
    'branch3x3dbl_3b',
    'branch_pool',
  ];

  it('Mixed_7b averages its pool branch without counting the padding; Mixed_7c takes the max', () => {
    const x = grid();
    const e1 = poolOnlyE('Mixed_7b');
    const e2 = poolOnlyE('Mixed_7c');
    const a = runBlock('E_1', 'Mixed_7b', e1, x, convNames);
    const b = runBlock('E_2', 'Mixed_7c', e2, x, convNames);
    // 6 channels: branch1x1 (1), branch3x3 (2), branch3x3dbl (2), branch_pool (1); only the last is non-zero.
    expect(a.length).toBe(16 * 6);
    for (let p = 0; p < 16; p++) for (let c = 0; c < 5; c++) expect(a[p * 6 + c]).toBe(0);
    const poolA = Array.from({ length: 16 }, (_, p) => a[p * 6 + 5]);
    const poolB = Array.from({ length: 16 }, (_, p) => b[p * 6 + 5]);
    // Corner (0,0): mean of 1, 2, 5, 6 = 3.5 (with the padding counted it would be 14/9).
    expect(poolA[0]).toBeCloseTo(3.5, 5);
    // Edge (0,1): mean of 1, 2, 3, 5, 6, 7 = 4; centre (1,1): mean of 1,2,3,5,6,7,9,10,11 = 6.
    expect(poolA[1]).toBeCloseTo(4, 5);
    expect(poolA[5]).toBeCloseTo(6, 5);
    expect(poolA[15]).toBeCloseTo((11 + 12 + 15 + 16) / 4, 5);
    // Max pool: (0,0) -> 6, (1,1) -> 11, (3,3) -> 16.
    expect(poolB[0]).toBeCloseTo(6, 5);
    expect(poolB[5]).toBeCloseTo(11, 5);
    expect(poolB[15]).toBeCloseTo(16, 5);
    tf.dispose([x, ...Object.values(e1), ...Object.values(e2)]);
  });
});
