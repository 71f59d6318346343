import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { RandomSource } from '@gankit/core';
import { FASHION_MNIST_DIR, fashionMnist } from '@gankit/data/node';
import {
  FeatureStatistics,
  digitClassifier,
  extractFeatureStatistics,
  fashionClassifier,
  fashionClassifierInfo,
  fashionFrechetDistance,
  frechetDistance,
  type DigitClassifier,
} from './index';
import { maxAbsDiff, rel } from './test-utils';

const installed = fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
// .ci/run installs Debian's dataset-fashion-mnist and sets this, so CI cannot skip the real-data tests.
const required = process.env.GANKIT_REQUIRE_FASHION_MNIST === '1';

let clf: DigitClassifier;
let noise: tf.Tensor4D;

beforeAll(() => {
  clf = fashionClassifier();
  noise = tf.tidy(() => new RandomSource(5).uniform([200, 28, 28, 1], -1, 1) as tf.Tensor4D);
});

afterAll(() => {
  clf.dispose();
  noise.dispose();
});

describe('fashionClassifier (bundled weights)', () => {
  it('reports how it was trained: >= 90 % on the 10,000 t10k test images', () => {
    const info = fashionClassifierInfo();
    expect(info.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(info.testAccuracy).toBeLessThanOrEqual(1);
    expect(info.epochs).toBeGreaterThan(0);
    expect(info.storage).toBe('float16');
    expect(info.data).toMatch(/Fashion-MNIST/);
    // a copy: changing it does not change the next call
    (info as { testAccuracy: number }).testAccuracy = -1;
    expect(fashionClassifierInfo().testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('gives features [n, 128] (>= 0), logits [n, 10] and probs = softmax(logits)', () => {
    const x = tf.slice(noise, [0, 0, 0, 0], [5, 28, 28, 1]);
    const f = clf.features(x);
    const l = clf.logits(x);
    const p = clf.probs(x);
    expect(clf.name).toBe('fashion-classifier');
    expect([clf.featureDim, clf.numClasses]).toEqual([128, 10]);
    expect(f.shape).toEqual([5, 128]);
    expect(l.shape).toEqual([5, 10]);
    expect(p.shape).toEqual([5, 10]);
    expect(Math.min(...f.dataSync())).toBeGreaterThanOrEqual(0);
    const ref = tf.softmax(l);
    expect(maxAbsDiff(p.dataSync(), ref.dataSync())).toBeLessThan(1e-6);
    // [n, 784] input gives the same logits
    const flat = tf.reshape(x, [5, 784]);
    const l2 = clf.logits(flat);
    expect(maxAbsDiff(l.dataSync(), l2.dataSync())).toBe(0);
    tf.dispose([x, f, l, p, ref, flat, l2]);
  });

  it('has its own weights, not the digit classifier’s', () => {
    const digits = digitClassifier();
    const a = clf.weights['dense2/kernel']!.dataSync();
    const b = digits.weights['dense2/kernel']!.dataSync();
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0.01);
    digits.dispose();
  });

  it('leaks no tensors and names itself in errors', () => {
    const before = tf.memory().numTensors;
    const c = fashionClassifier();
    tf.dispose([c.features(noise), c.logits(noise), c.probs(noise)]);
    c.dispose();
    c.dispose(); // twice is harmless
    expect(tf.memory().numTensors).toBe(before);
    expect(() => c.logits(noise)).toThrow(/fashionClassifier\.logits: the classifier has been disposed/);
    const bad = tf.zeros([2, 32, 32, 1]);
    expect(() => clf.features(bad)).toThrow(/fashionClassifier\.features: expected images \[n, 28, 28, 1\].*got \[2, 32, 32, 1\]/);
    bad.dispose();
  });
});

describe('fashionClassifier on real Fashion-MNIST', () => {
  it.runIf(required && !installed)('has the real Fashion-MNIST files, which GANKIT_REQUIRE_FASHION_MNIST=1 requires', () => {
    expect.fail(`${FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz is missing: apt-get install dataset-fashion-mnist`);
  });

  let test: tf.Tensor4D;
  let testLabels: Int32Array;
  let train5k: tf.Tensor4D;
  beforeAll(() => {
    if (!installed) return;
    const te = fashionMnist({ split: 'test', shuffle: false });
    const teb = te.batchAt(Array.from({ length: te.size }, (_, i) => i));
    test = teb.x as tf.Tensor4D;
    testLabels = teb.labels!.dataSync() as Int32Array;
    const trb = fashionMnist({ split: 'train', shuffle: false }).batchAt(Array.from({ length: 5000 }, (_, i) => i));
    train5k = trb.x as tf.Tensor4D;
    tf.dispose([teb.labels!, trb.labels!]);
  });
  afterAll(() => {
    if (installed) tf.dispose([test, train5k]);
  });

  it.runIf(installed)('classifies the first 1,000 t10k images with >= 88 % accuracy', () => {
    const x = tf.slice(test, [0, 0, 0, 0], [1000, 28, 28, 1]);
    const pred = tf.tidy(() => tf.argMax(clf.logits(x), 1));
    const p = pred.dataSync();
    let ok = 0;
    for (let i = 0; i < 1000; i++) if (p[i] === testLabels[i]) ok++;
    tf.dispose([x, pred]);
    expect(ok / 1000).toBeGreaterThanOrEqual(0.88);
  });

  it.runIf(installed)('fashionFrechetDistance: small between real train and test images, large against noise', () => {
    const options = { classifier: clf };
    const real = extractFeatureStatistics(clf, train5k).statistics();
    const fdReal = fashionFrechetDistance(real, test, options);
    const fdNoise = fashionFrechetDistance(real, noise, options);
    expect(fdReal).toBeGreaterThan(0);
    expect(fdReal).toBeLessThan(3); // 1.28 with the bundled weights (README)
    expect(fdReal).toBeLessThan(0.02 * fdNoise);
    // the default (bundled) classifier, images on both sides, gives the value of frechetDistance on its features
    const a = tf.slice(train5k, [0, 0, 0, 0], [300, 28, 28, 1]);
    const b = tf.slice(test, [0, 0, 0, 0], [200, 28, 28, 1]);
    const fa = clf.features(a);
    const fb = clf.features(b);
    const ref = frechetDistance(new FeatureStatistics().add(fa).statistics(), new FeatureStatistics().add(fb).statistics());
    const before = tf.memory().numTensors;
    expect(rel(fashionFrechetDistance(a, b, { batchSize: 64 }), ref)).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, fa, fb]);
  });
});
