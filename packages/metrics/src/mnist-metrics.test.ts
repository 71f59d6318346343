import * as tf from '@tensorflow/tfjs-core';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { RandomSource } from '@gankit/core';
import { mnistDigits } from '@gankit/data/node';
import {
  FeatureStatistics,
  digitClassifier,
  extractFeatureStatistics,
  frechetDistance,
  inceptionScore,
  mnistFrechetDistance,
  mnistScore,
  type DigitClassifier,
} from './index';
import { rel } from './test-utils';

let clf: DigitClassifier;
let train: tf.Tensor4D;
let test: tf.Tensor4D;
let testGrouped: tf.Tensor4D;

beforeAll(() => {
  const rng = new RandomSource(11);
  const tr = mnistDigits({ split: 'train', shuffle: false });
  const te = mnistDigits({ split: 'test', shuffle: false });
  // 3000 shuffled training digits keep the suite fast; the data sets are stored grouped by digit.
  const trb = tr.batchAt(rng.permutation(tr.size).subarray(0, 3000));
  const teb = te.batchAt(rng.permutation(te.size));
  const teg = te.batchAt(Array.from({ length: te.size }, (_, i) => i));
  train = trb.x as tf.Tensor4D;
  test = teb.x as tf.Tensor4D;
  testGrouped = teg.x as tf.Tensor4D;
  tf.dispose([trb.labels!, teb.labels!, teg.labels!]);
  clf = digitClassifier();
});

afterAll(() => {
  clf.dispose();
  tf.dispose([train, test, testGrouped]);
});

describe('mnistFrechetDistance', () => {
  it('is small between real train and test digits and large against noise or one digit', () => {
    const options = { classifier: clf };
    const real = extractFeatureStatistics(clf, train).statistics();
    const fidReal = mnistFrechetDistance(real, test, options);
    const noise = tf.tidy(() => new RandomSource(3).uniform([997, 28, 28, 1], -1, 1));
    const fidNoise = mnistFrechetDistance(real, noise, options);
    const zeros = tf.slice(testGrouped, [0, 0, 0, 0], [90, 28, 28, 1]); // the test set starts with its zeros
    const fidZeros = mnistFrechetDistance(real, zeros, options);
    expect(fidReal).toBeGreaterThan(0);
    expect(fidReal).toBeLessThan(0.05 * fidNoise);
    expect(fidReal).toBeLessThan(0.05 * fidZeros);
    tf.dispose([noise, zeros]);
  });

  it('equals frechetDistance of the features computed in one pass, whatever the batch size', () => {
    const a = tf.slice(train, [0, 0, 0, 0], [300, 28, 28, 1]);
    const b = tf.slice(test, [0, 0, 0, 0], [200, 28, 28, 1]);
    const fa = clf.features(a);
    const fb = clf.features(b);
    const ref = frechetDistance(new FeatureStatistics().add(fa).statistics(), new FeatureStatistics().add(fb).statistics());
    const got = mnistFrechetDistance(a, b, { classifier: clf, batchSize: 64 });
    expect(rel(got, ref)).toBeLessThan(1e-6);
    // the default (bundled) classifier gives the same value
    expect(rel(mnistFrechetDistance(a, b), ref)).toBeLessThan(1e-6);
    // a Float32Array of n·784 values is accepted
    expect(rel(mnistFrechetDistance(a.dataSync() as Float32Array, b), ref)).toBeLessThan(1e-6);
    tf.dispose([a, b, fa, fb]);
  });

  it('leaks no tensors', () => {
    const a = tf.slice(test, [0, 0, 0, 0], [100, 28, 28, 1]);
    const b = tf.slice(test, [100, 0, 0, 0], [100, 28, 28, 1]);
    const before = tf.memory().numTensors;
    mnistFrechetDistance(a, b);
    mnistFrechetDistance(a, b, { classifier: clf, batchSize: 30 });
    extractFeatureStatistics(clf, a, { batchSize: 33 });
    mnistScore(a, { splits: 2 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});

describe('mnistScore', () => {
  it('is the Inception Score of the classifier probabilities: high on real digits, ~1 on one digit', () => {
    const s = mnistScore(test, { classifier: clf, batchSize: 128 });
    const p = clf.probs(test);
    const ref = inceptionScore(p, { splits: 10 });
    p.dispose();
    expect(rel(s.mean, ref.mean)).toBeLessThan(1e-6);
    expect(rel(s.std, ref.std)).toBeLessThan(1e-5);
    expect(s.mean).toBeGreaterThan(8);
    expect(s.mean).toBeLessThanOrEqual(10);
    const zeros = tf.slice(testGrouped, [0, 0, 0, 0], [90, 28, 28, 1]);
    const z = mnistScore(zeros, { splits: 3 });
    expect(z.mean).toBeLessThan(1.5);
    zeros.dispose();
  });

  it('rejects bad input with a message naming the problem', () => {
    expect(() => mnistScore(new Float32Array(100))).toThrow(/784/);
    const x = tf.zeros([4, 28, 28, 1]);
    expect(() => mnistScore(x, { batchSize: 0 })).toThrow(/batchSize/);
    x.dispose();
  });
});
