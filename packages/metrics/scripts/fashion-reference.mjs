// Reference values of the Fréchet distance in the bundled Fashion-MNIST classifier's features
// (fashionFrechetDistance), as listed in the README: the real-vs-real reference of issue 17's
// "FID <= 3x real-vs-real" target for Fashion-MNIST GANs. Run from the package directory after
// `npx tsup`, with Debian's dataset-fashion-mnist installed:
//   node scripts/fashion-reference.mjs
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { fashionMnist } from '@gankit/data/node';
import { RandomSource } from '@gankit/core';
import { extractFeatureStatistics, fashionClassifier, fashionClassifierInfo, fashionFrechetDistance, mnistScore } from '../dist/index.js';

await initBackend();
const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);
const trainSet = fashionMnist({ split: 'train', shuffle: false });
const testSet = fashionMnist({ split: 'test', shuffle: false });
const train10k = trainSet.batchAt(range(0, 10000));
const train5k = tf.slice(train10k.x, [0, 0, 0, 0], [5000, 28, 28, 1]);
const trainNext10k = trainSet.batchAt(range(10000, 20000)).x;
const testB = testSet.batchAt(range(0, testSet.size));
const test = testB.x;
const n = test.shape[0];
const rng = new RandomSource(7);
const uniform = tf.tidy(() => rng.uniform([n, 28, 28, 1], -1, 1));
const blank = tf.fill([n, 28, 28, 1], -1);
// A "mode-collapsed generator": the t10k test images of one class (0, T-shirt/top) only.
const labels = testB.labels.dataSync();
const tshirts = testSet.batchAt(range(0, n).filter((i) => labels[i] === 0)).x;
const clf = fashionClassifier();
const options = { classifier: clf };
const fmt = (v) => v.toFixed(3);
const t0 = Date.now();
const real = extractFeatureStatistics(clf, test).statistics();
console.log(`fashionClassifierInfo: ${JSON.stringify(fashionClassifierInfo())}`);
console.log(`features of ${n} images: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`FD(test 10k, train first 10k)   ${fmt(fashionFrechetDistance(real, train10k.x, options))}`);
console.log(`FD(test 10k, train first 5k)    ${fmt(fashionFrechetDistance(real, train5k, options))}`);
console.log(`FD(test 10k, train 10k-20k)     ${fmt(fashionFrechetDistance(real, trainNext10k, options))}`);
console.log(`FD(test 10k, ${tshirts.shape[0]} t-shirts only) ${fmt(fashionFrechetDistance(real, tshirts, options))}`);
console.log(`FD(test 10k, blank)             ${fmt(fashionFrechetDistance(real, blank, options))}`);
console.log(`FD(test 10k, uniform noise 10k) ${fmt(fashionFrechetDistance(real, uniform, options))}`);
for (const [name, x] of [
  ['test', test],
  ['train first 10k', train10k.x],
  ['t-shirts only', tshirts],
  ['uniform noise', uniform],
]) {
  const s = mnistScore(x, options);
  console.log(`score(${name}) = ${fmt(s.mean)} ± ${fmt(s.std)}`);
}
clf.dispose();
