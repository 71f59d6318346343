import * as tf from '@tensorflow/tfjs-core';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  FID_INCEPTION_ACTIVATIONS,
  FID_INCEPTION_BN_EPSILON,
  FID_INCEPTION_WEIGHT_SPECS,
  loadFidInception,
  type FidInception,
} from './index';
import { InceptionLayers, foldConv, fidInceptionInput } from './fid-inception';
import { concatRef, conv2dRef, maxAbsDiff, normal, poolRef, refImage, type RefImage } from './test-utils';

const EPS = FID_INCEPTION_BN_EPSILON;

describe('FID_INCEPTION_WEIGHT_SPECS', () => {
  it('lists the 94 BasicConv2d layers and the 1008-class fc of pytorch-fid', () => {
    const convs = FID_INCEPTION_WEIGHT_SPECS.filter((s) => s.name.endsWith('.conv.weight'));
    expect(convs.length).toBe(94);
    expect(FID_INCEPTION_WEIGHT_SPECS.length).toBe(94 * 5 + 2);
    // torchvision's inception_v3 has 27,161,264 trainable parameters with its aux head (3,326,696) and
    // 1000 classes; the FID network drops the aux head and has 1008 classes (+8·2049).
    let trainable = 0;
    for (const s of FID_INCEPTION_WEIGHT_SPECS) {
      if (s.name.endsWith('running_mean') || s.name.endsWith('running_var')) continue;
      trainable += s.shape.reduce((a, b) => a * b, 1);
    }
    expect(trainable).toBe(27_161_264 - 3_326_696 + 8 * 2049);
    const shape = (n: string) => FID_INCEPTION_WEIGHT_SPECS.find((s) => s.name === n)?.shape;
    expect(shape('Conv2d_1a_3x3.conv.weight')).toEqual([3, 3, 3, 32]);
    expect(shape('Mixed_5b.branch_pool.conv.weight')).toEqual([1, 1, 192, 32]);
    expect(shape('Mixed_6b.branch7x7_2.conv.weight')).toEqual([1, 7, 128, 128]);
    expect(shape('Mixed_6e.branch7x7dbl_2.conv.weight')).toEqual([7, 1, 192, 192]);
    expect(shape('Mixed_7c.branch3x3dbl_3b.conv.weight')).toEqual([3, 1, 384, 384]);
    expect(shape('Mixed_7c.branch_pool.bn.running_var')).toEqual([192]);
    expect(shape('fc.weight')).toEqual([2048, 1008]);
    expect(FID_INCEPTION_WEIGHT_SPECS[0].name).toBe('Conv2d_1a_3x3.conv.weight');
    expect(FID_INCEPTION_WEIGHT_SPECS.at(-1)!.name).toBe('fc.bias');
  });
});

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

  it('folds batch norm: relu(γ (x − μ) / √(σ² + 0.001) + β)', () => {
    const raw: tf.NamedTensorMap = {
      'Conv2d_3b_1x1.conv.weight': tf.tensor4d([1, -1], [1, 1, 1, 2]),
      'Conv2d_3b_1x1.bn.weight': tf.tensor1d([2, 3]),
      'Conv2d_3b_1x1.bn.bias': tf.tensor1d([0.5, -1]),
      'Conv2d_3b_1x1.bn.running_mean': tf.tensor1d([1, -4]),
      'Conv2d_3b_1x1.bn.running_var': tf.tensor1d([3, 0.25]),
    };
    const x = grid();
    const folded = new Map([['Conv2d_3b_1x1', foldConv(raw, 'Conv2d_3b_1x1')]]);
    const y = new InceptionLayers(folded).conv('Conv2d_3b_1x1', x);
    const d = y.dataSync();
    for (let i = 0; i < 16; i++) {
      const v = i + 1;
      expect(d[2 * i]).toBeCloseTo(Math.max(0, (2 * (v - 1)) / Math.sqrt(3.001) + 0.5), 4);
      expect(d[2 * i + 1]).toBeCloseTo(Math.max(0, (3 * (-v + 4)) / Math.sqrt(0.251) - 1), 4);
    }
    tf.dispose([x, y, ...Object.values(raw), ...[...folded.values()].flatMap((f) => [f.filter, f.bias])]);
  });

  it('resizes inputs to 299x299 with half-pixel bilinear sampling and repeats grey to RGB', () => {
    const x = tf.tensor4d([-1, 1, 0.5, 0], [1, 2, 2, 1]);
    const r = fidInceptionInput(x, 'test');
    expect(r.shape).toEqual([1, 299, 299, 3]);
    const d = r.dataSync();
    // Output pixel (i, j) samples source (i + 0.5)·2/299 − 0.5, clamped: the corners are the source corners.
    expect(d[0]).toBeCloseTo(-1, 6);
    expect(d[1]).toBeCloseTo(-1, 6);
    expect(d[2]).toBeCloseTo(-1, 6);
    expect(d[(298 * 299 + 298) * 3]).toBeCloseTo(0, 6);
    // Centre pixel 149: source coordinate (149.5)·2/299 − 0.5 = 0.5 → the mean of the four values.
    expect(d[(149 * 299 + 149) * 3 + 1]).toBeCloseTo((-1 + 1 + 0.5 + 0) / 4, 5);
    // A 299x299x3 input passes through unchanged.
    const same = tf.randomUniform([1, 299, 299, 3], -1, 1, 'float32', 3);
    const s = fidInceptionInput(same, 'test');
    expect(maxAbsDiff(s.dataSync(), same.dataSync())).toBe(0);
    expect(() => fidInceptionInput(tf.zeros([1, 8, 8, 2]), 'fidInception.features')).toThrow(/\[1, 8, 8, 2\]/);
    tf.dispose([x, r, same, s]);
  });
});

describe('loadFidInception (full size, random weights)', () => {
  let weights: tf.NamedTensorMap;
  let net: FidInception;
  beforeAll(async () => {
    weights = {};
    let seed = 1;
    for (const s of FID_INCEPTION_WEIGHT_SPECS) {
      const shape = [...s.shape];
      const n = s.name;
      if (n.endsWith('conv.weight') || n === 'fc.weight') {
        const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
        weights[n] = tf.randomNormal(shape, 0, Math.sqrt((n === 'fc.weight' ? 1 : 2) / fanIn), 'float32', seed++);
      } else if (n.endsWith('bn.weight') || n.endsWith('running_var')) {
        weights[n] = tf.ones(shape);
      } else {
        weights[n] = tf.zeros(shape);
      }
    }
    net = await loadFidInception(weights);
  });
  afterAll(() => {
    net?.dispose();
    tf.dispose(Object.values(weights));
  });

  it('gives every block its documented shape at batch 1 (299x299), pool3 = mean of Mixed_7c, logits = fc(pool3), features = pool3', () => {
    const x = tf.randomUniform([1, 28, 28, 1], -1, 1, 'float32', 7);
    const before = tf.memory().numTensors;
    const acts = net.activations(x);
    expect(Object.keys(acts)).toEqual([...FID_INCEPTION_ACTIVATIONS]);
    const shapes = Object.fromEntries(Object.entries(acts).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      input: [1, 299, 299, 3],
      Conv2d_1a_3x3: [1, 149, 149, 32],
      Conv2d_2a_3x3: [1, 147, 147, 32],
      Conv2d_2b_3x3: [1, 147, 147, 64],
      maxpool1: [1, 73, 73, 64],
      Conv2d_3b_1x1: [1, 73, 73, 80],
      Conv2d_4a_3x3: [1, 71, 71, 192],
      maxpool2: [1, 35, 35, 192],
      Mixed_5b: [1, 35, 35, 256],
      Mixed_5c: [1, 35, 35, 288],
      Mixed_5d: [1, 35, 35, 288],
      Mixed_6a: [1, 17, 17, 768],
      Mixed_6b: [1, 17, 17, 768],
      Mixed_6c: [1, 17, 17, 768],
      Mixed_6d: [1, 17, 17, 768],
      Mixed_6e: [1, 17, 17, 768],
      Mixed_7a: [1, 8, 8, 1280],
      Mixed_7b: [1, 8, 8, 2048],
      Mixed_7c: [1, 8, 8, 2048],
      pool3: [1, 2048],
      logits: [1, 1008],
    });
    expect(tf.memory().numTensors).toBe(before + FID_INCEPTION_ACTIVATIONS.length);
    // pool3 is the spatial mean of Mixed_7c; logits = pool3 · fc.weight + fc.bias.
    const m7c = acts.Mixed_7c.dataSync();
    const pool3 = acts.pool3.dataSync();
    for (const c of [0, 100, 2047]) {
      let s = 0;
      for (let p = 0; p < 64; p++) s += m7c[p * 2048 + c];
      expect(pool3[c]).toBeCloseTo(s / 64, 4);
    }
    expect(Math.max(...pool3)).toBeGreaterThan(0);
    const fw = weights['fc.weight'].dataSync();
    const logits = acts.logits.dataSync();
    for (const j of [0, 1007]) {
      let s = 0;
      for (let k = 0; k < 2048; k++) s += pool3[k] * fw[k * 1008 + j];
      expect(logits[j]).toBeCloseTo(s, 3);
    }
    // features() of the same image given as RGB (grey repeated) equals pool3 of the grey image.
    const rgb = tf.tile(x, [1, 1, 1, 3]);
    const f = net.features(rgb);
    expect(f.shape).toEqual([1, 2048]);
    expect(maxAbsDiff(f.dataSync(), pool3)).toBeLessThan(1e-5 * Math.max(...pool3));
    tf.dispose([f, rgb]);
    tf.dispose(Object.values(acts));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('names a missing or misshapen tensor when loading, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const { 'Mixed_6c.branch7x7dbl_3.bn.running_var': _dropped, ...missing } = weights;
    await expect(loadFidInception(missing)).rejects.toThrow(/'Mixed_6c\.branch7x7dbl_3\.bn\.running_var' is missing/);
    const bad = tf.zeros([7, 1, 160, 160]);
    await expect(loadFidInception({ ...weights, 'Mixed_6c.branch7x7dbl_3.conv.weight': bad })).rejects.toThrow(
      /'Mixed_6c\.branch7x7dbl_3\.conv\.weight' has shape \[7, 1, 160, 160\], expected \[1, 7, 160, 160\]/,
    );
    bad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The network keeps its own folded copies: loading then disposing frees exactly those.
    const n2 = await loadFidInception(weights);
    expect(tf.memory().numTensors).toBe(before + 94 * 2 + 2);
    n2.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
