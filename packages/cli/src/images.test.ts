import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type Network } from '@gankit/core';
import { mnistDigits } from '@gankit/data/node';
import {
  digitClassifier,
  fashionClassifier,
  fashionFrechetDistance,
  mnistFrechetDistance,
  mnistScore,
  precisionRecall,
} from '@gankit/metrics';
import { describe, expect, it } from 'vitest';
import { evaluateImages, realFeatureRows, realFeatureStatistics, rowPerClassLabels } from './images';
import type { GeneratorSampler } from './examples/types';

/** A "generator" that returns real test digits in order, ignoring z: its scores have a known reference. */
function replaySampler(images: Float32Array, count: number, numClasses?: number): GeneratorSampler & { calls: number[] } {
  let next = 0;
  const calls: number[] = [];
  const network = {
    name: 'replay',
    inputShape: [4],
    outputShape: [28, 28, 1],
    trainableVariables: [],
    nonTrainableVariables: [],
  } as unknown as Network;
  return {
    network,
    latentShape: [4],
    numClasses,
    calls,
    sample(z: tf.Tensor, labels?: tf.Tensor) {
      const b = z.shape[0];
      calls.push(b);
      if (numClasses) expect(labels?.shape).toEqual([b]);
      const x = tf.tensor(images.subarray(next * 784, (next + b) * 784), [b, 28, 28, 1]);
      next = (next + b) % count;
      return x;
    },
  };
}

describe('evaluateImages', () => {
  const train = mnistDigits({ split: 'train', shuffle: false });
  const testSet = mnistDigits({ split: 'test', shuffle: false });
  // The stored digits are grouped by class: mix them with a fixed pseudo-random permutation.
  const order = Array.from({ length: testSet.size }, (_, i) => i);
  let state = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const testData = new Float32Array(testSet.data.length);
  order.forEach((src, i) => testData.set(testSet.data.subarray(src * 784, (src + 1) * 784), i * 784));
  const test = { data: testData, size: testSet.size };

  it('matches mnistFrechetDistance and mnistScore of @gankit/metrics on the same images, without leaking tensors', () => {
    const real = realFeatureStatistics(train, { progress: false });
    const n = 450; // not a multiple of the batch of 100
    const sampler = replaySampler(test.data, test.size);
    const before = tf.memory().numTensors;
    const scores = evaluateImages(sampler, real, 'mnist', { seed: 1, samples: n, progress: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(sampler.calls).toEqual([100, 100, 100, 100, 50]);

    const clf = digitClassifier();
    const images = tf.tensor(test.data.subarray(0, n * 784), [n, 28, 28, 1]);
    const fid = mnistFrechetDistance(real, images, { classifier: clf });
    const is = mnistScore(images, { classifier: clf, splits: 10 });
    tf.dispose([images]);
    clf.dispose();
    expect(scores.fid).toBeCloseTo(fid, 6);
    expect(scores.inceptionScore!.mean).toBeCloseTo(is.mean, 6);
    expect(scores.inceptionScore!.std).toBeCloseTo(is.std, 6);
    // Real held-out digits against real training digits: a small distance and a high score.
    expect(scores.fid!).toBeLessThan(30);
    expect(scores.inceptionScore!.mean).toBeGreaterThan(7);
    expect(scores.samples).toBe(n);
    expect(scores.labelAccuracy).toBeUndefined();
  });

  it('reports the digit-feature distance only, and label accuracy for conditional samplers', () => {
    const real = realFeatureStatistics(train, { max: 3000, progress: false });
    // Labels i mod 10 against test digits whose true labels are known: accuracy = fraction that agree.
    const n = 200;
    const scores = evaluateImages(replaySampler(test.data, test.size, 10), real, 'digit-features', {
      seed: 0,
      samples: n,
      progress: false,
    });
    expect(scores.fid).toBeUndefined();
    expect(scores.inceptionScore).toBeUndefined();
    expect(scores.frechetDistanceDigitFeatures).toBeGreaterThan(0);
    const clf = digitClassifier();
    const pred = tf.tidy(() => tf.argMax(clf.probs(tf.tensor(test.data.subarray(0, n * 784), [n, 28, 28, 1])), 1).dataSync());
    clf.dispose();
    let agree = 0;
    for (let i = 0; i < n; i++) if (pred[i] === i % 10) agree++;
    expect(scores.labelAccuracy).toBeCloseTo(agree / n, 10);
  });

  it("'fashion' scores in the Fashion-MNIST classifier's features: fashionFrechetDistance of @gankit/metrics on the same images", () => {
    // Any 28×28 images do: the test checks which classifier's features are compared, and how.
    const real = realFeatureStatistics(train, { max: 1000, progress: false, metric: 'fashion' });
    const n = 300;
    const before = tf.memory().numTensors;
    const scores = evaluateImages(replaySampler(test.data, test.size), real, 'fashion', { seed: 0, samples: n, progress: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(scores.fid).toBeUndefined();
    expect(scores.frechetDistanceDigitFeatures).toBeUndefined();
    const clf = fashionClassifier();
    const images = tf.tensor(test.data.subarray(0, n * 784), [n, 28, 28, 1]);
    const expected = fashionFrechetDistance(real, images, { classifier: clf });
    const rows = realFeatureRows({ ...test, sampleShape: [28, 28, 1] }, { max: 5, metric: 'fashion' });
    // realFeatureRows takes images spread over the set: image floor(j · size / 5) for row j.
    const spread = new Float32Array(5 * 784);
    for (let j = 0; j < 5; j++) {
      const src = Math.floor((j * test.size) / 5);
      spread.set(test.data.subarray(src * 784, (src + 1) * 784), j * 784);
    }
    const feats = tf.tidy(() => clf.features(tf.tensor(spread, [5, 28, 28, 1])));
    expect(Array.from(rows)).toEqual(Array.from(feats.dataSync()));
    tf.dispose([images, feats]);
    clf.dispose();
    expect(scores.frechetDistanceFashionFeatures).toBeCloseTo(expected, 6);
    // The digit classifier's statistics of the same real images give another distance.
    const digitReal = realFeatureStatistics(train, { max: 1000, progress: false });
    const digit = evaluateImages(replaySampler(test.data, test.size), digitReal, 'digit-features', {
      seed: 0,
      samples: n,
      progress: false,
    });
    expect(Math.abs(digit.frechetDistanceDigitFeatures! - expected)).toBeGreaterThan(1e-3);
  });

  it('with real feature rows, reports precision and recall: high for held-out digits, recall low for one digit class', () => {
    const real = realFeatureStatistics(train, { max: 2000, progress: false });
    // The real rows: 400 other held-out digits (the stored training digits are grouped by class).
    const others = { data: test.data.subarray(400 * 784), size: test.size - 400, sampleShape: [28, 28, 1] };
    const rows = realFeatureRows(others, { max: 400 });
    expect(rows.length).toBe(400 * 128);
    const n = 400;
    const before = tf.memory().numTensors;
    const scores = evaluateImages(replaySampler(test.data, test.size), real, 'mnist', {
      seed: 0,
      samples: n,
      progress: false,
      realFeatures: rows,
    });
    expect(tf.memory().numTensors).toBe(before);
    // The same computation as precisionRecall of @gankit/metrics on the features.
    const clf = digitClassifier();
    const feats = tf.tidy(() => clf.features(tf.tensor(test.data.subarray(0, n * 784), [n, 28, 28, 1])));
    const expected = precisionRecall(rows, feats, { k: 3, dim: 128 });
    tf.dispose(feats);
    clf.dispose();
    expect(scores.precision).toBeCloseTo(expected.precision, 10);
    expect(scores.recall).toBeCloseTo(expected.recall, 10);
    expect(scores.precision!).toBeGreaterThan(0.6);
    expect(scores.recall!).toBeGreaterThan(0.6);
    // Rows spread over a class-grouped set cover every class: the same score as from mixed rows.
    const grouped = realFeatureRows({ data: testSet.data, size: testSet.size, sampleShape: [28, 28, 1] }, { max: 400 });
    const fromGrouped = evaluateImages(replaySampler(test.data, test.size), real, 'mnist', {
      seed: 0,
      samples: n,
      progress: false,
      realFeatures: grouped,
    });
    expect(fromGrouped.precision!).toBeGreaterThan(0.6);
    expect(fromGrouped.recall!).toBeGreaterThan(0.6);
    // Only the first digit class of the (class-grouped) test set: precise, but it covers a tenth.
    const ones = evaluateImages(replaySampler(testSet.data, 100), real, 'mnist', {
      seed: 0,
      samples: 100,
      progress: false,
      realFeatures: rows,
    });
    expect(ones.recall!).toBeLessThan(0.3);
    expect(ones.recall!).toBeLessThan(scores.recall! / 2);
  });

  it('refuses images the digit classifier cannot score', () => {
    const real = { mean: new Float64Array(128), covariance: new Float64Array(128 * 128) };
    const rgb = { ...replaySampler(test.data, test.size), network: { outputShape: [32, 32, 3] } as unknown as Network };
    expect(() => evaluateImages(rgb, real, 'mnist', { seed: 0, samples: 100, progress: false })).toThrow(GankitError);
    expect(() => evaluateImages(rgb, real, 'mnist', { seed: 0, samples: 100, progress: false })).toThrow(
      /28×28×1 images, got images of shape \[32, 32, 3\]/,
    );
    expect(() => evaluateImages(replaySampler(test.data, 10), real, 'mnist', { seed: 0, samples: 5, progress: false })).toThrow(
      /samples must be an integer >= 10, got 5/,
    );
  });

  it('rowPerClassLabels lays out one class per row', () => {
    expect(Array.from(rowPerClassLabels(3, 2))).toEqual([0, 0, 1, 1, 2, 2]);
  });
});
