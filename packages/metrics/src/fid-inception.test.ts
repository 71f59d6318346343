/**
 * The FID Inception network as a whole: its weight list, input resizing, batch-norm folding and a
 * full-size network with random weights (shapes, pool3 / logits, loading errors, leaks). The
 * blocks one by one are in `fid-inception-blocks.test.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InceptionLayers, fidInceptionInput, foldConv } from './fid-inception';
import { FID_INCEPTION_ACTIVATIONS, FID_INCEPTION_WEIGHT_SPECS, type FidInception, loadFidInception } from './index';
import { maxAbsDiff } from './test-utils';

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

describe('FID Inception layers with hand-computable weights', () => {
  /** A 1-channel 4x4 input with values 1..16 (row-major). */
  const grid = () =>
    tf.tensor4d(
      Float32Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );

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
