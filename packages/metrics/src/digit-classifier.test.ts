import * as tf from '@tensorflow/tfjs-core';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { GankitError } from '@gankit/core';
import { mnistDigits } from '@gankit/data/node';
import {
  DIGIT_CLASSIFIER_WEIGHT_SPECS,
  createDigitClassifier,
  digitClassifier,
  digitClassifierInfo,
  loadDigitClassifier,
  type DigitClassifier,
} from './index';
import { conv2dRef, denseRef, maxAbsDiff, normal, poolRef, refImage, reluRef } from './test-utils';

let clf: DigitClassifier;
let testX: tf.Tensor4D;
let testLabels: Int32Array;

beforeAll(() => {
  const test = mnistDigits({ split: 'test', shuffle: false });
  const batch = test.batchAt(Array.from({ length: test.size }, (_, i) => i));
  testX = batch.x as tf.Tensor4D;
  testLabels = batch.labels!.dataSync() as Int32Array;
  batch.labels!.dispose();
  clf = digitClassifier();
});

afterAll(() => {
  clf.dispose();
  testX.dispose();
});

function accuracy(c: DigitClassifier, x: tf.Tensor, labels: Int32Array): number {
  const pred = tf.tidy(() => tf.argMax(c.logits(x), 1));
  const p = pred.dataSync();
  pred.dispose();
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) ok++;
  return ok / p.length;
}

describe('digitClassifier (bundled weights)', () => {
  it('classifies the 997 held-out test digits with the accuracy the training script reported', () => {
    expect(testX.shape).toEqual([997, 28, 28, 1]);
    const info = digitClassifierInfo();
    expect(info.testAccuracy).toBeGreaterThan(0.97);
    const acc = accuracy(clf, testX, testLabels);
    expect(Math.abs(acc - info.testAccuracy)).toBeLessThanOrEqual(0.003);
    expect(acc).toBeGreaterThan(0.97);
  });

  it('gives features [n, 128] (>= 0), logits [n, 10] and probs = softmax(logits)', () => {
    const x = tf.slice(testX, [0, 0, 0, 0], [5, 28, 28, 1]);
    const f = clf.features(x);
    const l = clf.logits(x);
    const p = clf.probs(x);
    expect(f.shape).toEqual([5, 128]);
    expect(l.shape).toEqual([5, 10]);
    expect(p.shape).toEqual([5, 10]);
    expect(Math.min(...f.dataSync())).toBeGreaterThanOrEqual(0);
    const ld = l.dataSync();
    const pd = p.dataSync();
    for (let i = 0; i < 5; i++) {
      const row = Array.from(ld.slice(i * 10, i * 10 + 10));
      const mx = Math.max(...row);
      const e = row.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < 10; j++) expect(pd[i * 10 + j]).toBeCloseTo(e[j] / s, 5);
    }
    tf.dispose([x, f, l, p]);
  });

  it('accepts [n, 28, 28] and [n, 784] as well as [n, 28, 28, 1]', () => {
    const x = tf.slice(testX, [0, 0, 0, 0], [3, 28, 28, 1]);
    const a = clf.logits(x);
    const x3 = tf.reshape(x, [3, 28, 28]);
    const x2 = tf.reshape(x, [3, 784]);
    const b = clf.logits(x3);
    const c = clf.logits(x2);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    expect(maxAbsDiff(a.dataSync(), c.dataSync())).toBe(0);
    tf.dispose([x, a, b, c, x3, x2]);
  });

  it('rejects bad inputs with GankitError naming the shape or dtype', () => {
    const bad = tf.zeros([2, 32, 32, 1]);
    expect(() => clf.features(bad)).toThrow(/\[2, 32, 32, 1\]/);
    const int = tf.zeros([2, 28, 28, 1], 'int32');
    expect(() => clf.probs(int)).toThrow(GankitError);
    expect(() => clf.probs(int)).toThrow(/int32/);
    tf.dispose([bad, int]);
  });

  it('leaks no tensors (construction, every method, dispose)', () => {
    const x = tf.slice(testX, [0, 0, 0, 0], [4, 28, 28, 1]);
    const before = tf.memory().numTensors;
    const c = digitClassifier();
    const nWeights = DIGIT_CLASSIFIER_WEIGHT_SPECS.length;
    expect(tf.memory().numTensors).toBe(before + nWeights);
    tf.dispose([c.features(x), c.logits(x), c.probs(x)]);
    expect(tf.memory().numTensors).toBe(before + nWeights);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => c.logits(x)).toThrow(/disposed/);
    x.dispose();
  });
});

describe('createDigitClassifier / loadDigitClassifier', () => {
  /** Random weights by name, seeded. */
  function randomWeights(seed: number): tf.NamedTensorMap {
    const z = normal(seed);
    const m: tf.NamedTensorMap = {};
    for (const s of DIGIT_CLASSIFIER_WEIGHT_SPECS) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const fanIn = s.shape.length > 1 ? n / s.shape[s.shape.length - 1] : 1;
      m[s.name] = tf.tensor(
        Float32Array.from({ length: n }, () => z() * Math.sqrt(2 / fanIn)),
        [...s.shape],
      );
    }
    return m;
  }

  it('computes the architecture documented in DIGIT_CLASSIFIER_WEIGHT_SPECS (plain-JS reference)', () => {
    const w = randomWeights(3);
    const c = createDigitClassifier(w);
    const x = tf.slice(testX, [100, 0, 0, 0], [2, 28, 28, 1]);
    const logits = c.logits(x);
    const feats = c.features(x);
    const get = (k: string) => w[k].dataSync();
    let h = refImage(x.dataSync(), x.shape);
    for (const i of [1, 2, 3]) {
      const k = w[`conv${i}/kernel`];
      h = poolRef(reluRef(conv2dRef(h, k.dataSync(), k.shape, get(`conv${i}/bias`), 1, 'same')), 'max', 2, 2, 'same');
    }
    expect([h.h, h.w, h.c]).toEqual([4, 4, 32]);
    const f = denseRef(h.data, 2, get('dense1/kernel'), 512, 128, get('dense1/bias')).map((v) => Math.max(v, 0));
    const l = denseRef(f, 2, get('dense2/kernel'), 128, 10, get('dense2/bias'));
    const scale = Math.max(...l.map(Math.abs));
    expect(maxAbsDiff(feats.dataSync(), f) / Math.max(...f)).toBeLessThan(1e-4);
    expect(maxAbsDiff(logits.dataSync(), l) / scale).toBeLessThan(1e-4);
    tf.dispose([x, logits, feats]);
    c.dispose(); // does not own the tensors
    expect(w['conv1/kernel'].isDisposed).toBe(false);
    tf.dispose(Object.values(w));
  });

  it('loads the tfjs weights format and names a missing or misshapen tensor', async () => {
    const w = randomWeights(5);
    const { data, specs } = await tf.io.encodeWeights(w);
    const before = tf.memory().numTensors;
    const c = await loadDigitClassifier({ manifest: specs, weightData: data });
    const x = tf.slice(testX, [0, 0, 0, 0], [2, 28, 28, 1]);
    const a = c.logits(x);
    const ref = createDigitClassifier(w);
    const b = ref.logits(x);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([a, b, x]);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const dropped = specs.filter((s) => s.name !== 'conv2/bias');
    const bytesWithout = new Uint8Array(data.byteLength - 16 * 4);
    const all = new Uint8Array(data);
    let off = 0;
    let out = 0;
    for (const s of specs) {
      const nb = s.shape.reduce((p, q) => p * q, 1) * 4;
      if (s.name !== 'conv2/bias') {
        bytesWithout.set(all.subarray(off, off + nb), out);
        out += nb;
      }
      off += nb;
    }
    await expect(loadDigitClassifier({ manifest: dropped, weightData: bytesWithout })).rejects.toThrow(/'conv2\/bias' is missing/);
    expect(tf.memory().numTensors).toBe(before);
    const wrong = { ...w, 'dense1/kernel': tf.zeros([128, 512]) };
    await expect(loadDigitClassifier(wrong)).rejects.toThrow(/'dense1\/kernel' has shape \[128, 512\], expected \[512, 128\]/);
    await expect(loadDigitClassifier({ manifest: specs, weightData: data.slice(0, data.byteLength - 4) })).rejects.toThrow(/bytes/);
    wrong['dense1/kernel'].dispose();
    expect(tf.memory().numTensors).toBe(before);
    ref.dispose();
    tf.dispose(Object.values(w));
  });
});
