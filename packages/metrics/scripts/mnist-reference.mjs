// Reference values of the MNIST score and the MNIST Frechet distance with the bundled digit
// classifier, as listed in the README. Run from the package directory after `npx tsup`:
//   node scripts/mnist-reference.mjs
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { mnistDigits } from '@gankit/data/node';
import { RandomSource } from '@gankit/core';
import { digitClassifier, extractFeatureStatistics, mnistFrechetDistance, mnistScore } from '../dist/index.js';

await initBackend();
const rng = new RandomSource(7);
// The data sets are stored grouped by digit; the Inception Score's splits need a shuffled order.
const all = (ds) => ds.batchAt(rng.permutation(ds.size)).x;
const train = all(mnistDigits({ split: 'train', shuffle: false }));
const testSorted = mnistDigits({ split: 'test', shuffle: false });
const test = all(testSorted);
const clf = digitClassifier();
const t0 = Date.now();
const trainStats = extractFeatureStatistics(clf, train).statistics();
const sec = (Date.now() - t0) / 1000;
const n = test.shape[0];
const fmt = (v) => v.toFixed(3);
const uniform = tf.tidy(() => rng.uniform([n, 28, 28, 1], -1, 1));
const gauss = tf.tidy(() => tf.clipByValue(rng.normal([n, 28, 28, 1], -0.5, 0.5), -1, 1));
const blank = tf.fill([n, 28, 28, 1], -1);
// A "mode-collapsed generator": copies of the first 90 test images, which are all zeros.
const zeros = tf.tidy(() =>
  tf.slice(
    tf.tile(tf.slice(testSorted.batchAt(Array.from({ length: 90 }, (_, i) => i)).x, [0, 0, 0, 0], [90, 28, 28, 1]), [12, 1, 1, 1]),
    [0, 0, 0, 0],
    [n, 28, 28, 1],
  ),
);
const options = { classifier: clf };
console.log(`features of ${train.shape[0]} images: ${sec.toFixed(1)} s`);
console.log(`FID(train, test)        ${fmt(mnistFrechetDistance(trainStats, test, options))}`);
console.log(`FID(train, only zeros)  ${fmt(mnistFrechetDistance(trainStats, zeros, options))}`);
console.log(`FID(train, gauss noise) ${fmt(mnistFrechetDistance(trainStats, gauss, options))}`);
console.log(`FID(train, uniform)     ${fmt(mnistFrechetDistance(trainStats, uniform, options))}`);
console.log(`FID(train, blank)       ${fmt(mnistFrechetDistance(trainStats, blank, options))}`);
for (const [name, x] of [
  ['train', train],
  ['test', test],
  ['only zeros', zeros],
  ['uniform noise', uniform],
]) {
  const s = mnistScore(x, options);
  console.log(`mnistScore(${name}) = ${fmt(s.mean)} ± ${fmt(s.std)}`);
}
clf.dispose();
