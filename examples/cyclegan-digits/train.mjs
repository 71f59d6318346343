// CycleGAN between two digit domains built from the mnist digits: A = upright digits, B = digits
// rotated 90° counter-clockwise, made from a different half of the digits than A (unpaired).
// It uses CycleGanTrainer directly: `gankit train --example` hosts only the one-generator Trainer.
// Usage: node train.mjs [steps] [seed] [outDir] [batchSize]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { cycleganGenerator, patchganDiscriminator } from '@gankit/architectures';
import { tensorDataset } from '@gankit/data';
import { mnistDigits } from '@gankit/data/node';
import { imageGrid } from '@gankit/report';
import { CycleGanTrainer } from '@gankit/trainer';

/** The settings of a full run (small widths, for a CPU). */
export const CYCLEGAN_DIGITS = {
  steps: 2000,
  batchSize: 4,
  generatorFilters: 8,
  residualBlocks: 3,
  discriminatorFilters: 8,
  discriminatorLayers: 2,
  cycleWeight: 10,
  identityWeight: 5,
  learningRate: 2e-4,
  beta1: 0.5,
  gridImages: 8,
};

/** Rotates a batch `[n, h, h, c]` by 90° counter-clockwise: out[i][j] = in[j][h-1-i]. */
export function rotate90(x) {
  return tf.tidy(() => tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1));
}

/** Pixels `[n·784]` of the examples at even (`'even'`) or odd (`'odd'`) positions of a digit set. */
function half(data, size, parity) {
  const start = parity === 'even' ? 0 : 1;
  const n = Math.floor((size - start + 1) / 2);
  const out = new Float32Array(n * 784);
  for (let k = 0; k < n; k++) out.set(data.subarray((start + 2 * k) * 784, (start + 2 * k + 1) * 784), k * 784);
  return { pixels: out, n };
}

/**
 * The two unpaired domains: A = the upright digits at even positions of `digits`, B = the digits at
 * odd positions, rotated 90°. Returns `{ a, b }` data sets (the caller owns nothing else).
 */
export function digitDomains(digits, name = 'mnist') {
  const even = half(digits.data, digits.size, 'even');
  const odd = half(digits.data, digits.size, 'odd');
  const upright = tf.tensor4d(odd.pixels, [odd.n, 28, 28, 1]);
  const rotated = rotate90(upright);
  upright.dispose();
  const b = tensorDataset({ x: rotated, name: `${name}-rotated` });
  rotated.dispose();
  const a = tensorDataset({ x: even.pixels, shape: [28, 28, 1], name: `${name}-upright` });
  return { a, b };
}

const round = (v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

/**
 * Trains the CycleGAN and writes `translations.png` (rows: held-out upright digits a, G(a), F(G(a)),
 * held-out rotated digits b, F(b), G(F(b))) and `metrics.json` (the last iteration's cycle and
 * identity L1 terms, the same on held-out digits, timings). Returns `{ files, metrics, summary }`.
 */
export async function trainCycleganDigits(options = {}) {
  const s = { ...CYCLEGAN_DIGITS, ...options };
  const seed = options.seed ?? 0;
  const out = options.out ?? 'out/cyclegan-digits';
  fs.mkdirSync(out, { recursive: true });
  const { a: dataA, b: dataB } = digitDomains(mnistDigits({ split: 'train' }));
  const shape = [28, 28, 1];
  const generatorAB = cycleganGenerator({ imageShape: shape, filters: s.generatorFilters, residualBlocks: s.residualBlocks, seed: seed * 4 + 1, name: 'g_ab' });
  const generatorBA = cycleganGenerator({ imageShape: shape, filters: s.generatorFilters, residualBlocks: s.residualBlocks, seed: seed * 4 + 2, name: 'g_ba' });
  const discriminatorA = patchganDiscriminator({ imageShape: shape, filters: s.discriminatorFilters, layers: s.discriminatorLayers, seed: seed * 4 + 3, name: 'd_a' });
  const discriminatorB = patchganDiscriminator({ imageShape: shape, filters: s.discriminatorFilters, layers: s.discriminatorLayers, seed: seed * 4 + 4, name: 'd_b' });
  const trainer = new CycleGanTrainer({
    generatorAB, generatorBA, discriminatorA, discriminatorB, dataA, dataB,
    cycleWeight: s.cycleWeight, identityWeight: s.identityWeight, batchSize: s.batchSize, seed,
    generatorOptimizer: tf.train.adam(s.learningRate, s.beta1),
    discriminatorOptimizer: tf.train.adam(s.learningRate, s.beta1),
  });
  let testA, testB;
  try {
    const fit = await trainer.fit({ steps: s.steps, onStep: options.onStep });
    // Held-out digits (the test split), A upright and B rotated, none seen in training.
    const test = mnistDigits({ split: 'test', shuffle: false });
    const k = s.gridImages;
    const step = Math.floor(test.size / k);
    const pick = (offset) => { const p = new Float32Array(k * 784); for (let i = 0; i < k; i++) p.set(test.data.subarray((i * step + offset) * 784, (i * step + offset + 1) * 784), i * 784); return p; };
    testA = tf.tensor4d(pick(0), [k, 28, 28, 1]);
    const uprightB = tf.tensor4d(pick(1), [k, 28, 28, 1]);
    testB = rotate90(uprightB);
    uprightB.dispose();
    const ab = trainer.translate(testA, 'AB');
    const aba = trainer.translate(ab, 'BA');
    const ba = trainer.translate(testB, 'BA');
    const bab = trainer.translate(ba, 'AB');
    const heldOut = tf.tidy(() => ({
      cycleA: tf.mean(tf.abs(tf.sub(aba, testA))).dataSync()[0],
      cycleB: tf.mean(tf.abs(tf.sub(bab, testB))).dataSync()[0],
      identityA: tf.tidy(() => { const fa = trainer.translate(testA, 'BA'); return tf.mean(tf.abs(tf.sub(fa, testA))).dataSync()[0]; }),
      identityB: tf.tidy(() => { const gb = trainer.translate(testB, 'AB'); return tf.mean(tf.abs(tf.sub(gb, testB))).dataSync()[0]; }),
    }));
    const grid = tf.concat([testA, ab, aba, testB, ba, bab], 0);
    fs.writeFileSync(path.join(out, 'translations.png'), imageGrid(grid, { cols: k }));
    tf.dispose([ab, aba, ba, bab, grid]);

    const terms = fit.last?.terms ?? {};
    const t = (name) => (terms[`cyclegan/${name}`] === undefined ? null : round(terms[`cyclegan/${name}`]));
    const metrics = {
      example: 'cyclegan-digits',
      definition: 'final: the last training iteration; cycleA = |F(G(a)) - a|, cycleB = |G(F(b)) - b|, identityA = |F(a) - a|, identityB = |G(b) - b|, mean absolute pixel errors (images in [-1, 1]), unweighted (the identity terms are null when identityWeight is 0, as the trainer then skips them); heldOut: the same four on held-out test digits in inference mode; A = upright digits, B = digits rotated 90 degrees counter-clockwise; G: A -> B, F: B -> A',
      final: fit.last
        ? { cycleA: t('cycleA'), cycleB: t('cycleB'), identityA: t('identityA'), identityB: t('identityB'), generatorLoss: round(fit.last.generatorLoss), discriminatorLoss: round(fit.last.discriminatorLoss) }
        : null,
      heldOut: { cycleA: round(heldOut.cycleA), cycleB: round(heldOut.cycleB), identityA: round(heldOut.identityA), identityB: round(heldOut.identityB) },
      steps: fit.steps,
      seconds: Number(fit.seconds.toFixed(2)),
      secondsPerStep: fit.steps > 0 ? Number((fit.seconds / fit.steps).toFixed(3)) : null,
      backend: tf.getBackend(),
      seed,
      batchSize: s.batchSize,
      settings: { generatorFilters: s.generatorFilters, residualBlocks: s.residualBlocks, discriminatorFilters: s.discriminatorFilters, discriminatorLayers: s.discriminatorLayers, cycleWeight: s.cycleWeight, identityWeight: s.identityWeight, learningRate: s.learningRate, beta1: s.beta1, trainA: dataA.size, trainB: dataB.size },
    };
    fs.writeFileSync(path.join(out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    const f = metrics.final;
    const summary = `cyclegan-digits: ${fit.steps} steps, ${fit.seconds.toFixed(1)} s on ${metrics.backend}${f ? `; cycle A ${f.cycleA} B ${f.cycleB}${f.identityA === null ? '' : `, identity A ${f.identityA} B ${f.identityB}`}` : ''}; held-out cycle A ${metrics.heldOut.cycleA} B ${metrics.heldOut.cycleB}, identity A ${metrics.heldOut.identityA} B ${metrics.heldOut.identityB}`;
    return { files: ['translations.png', 'metrics.json'], metrics, summary };
  } finally {
    tf.dispose([testA, testB].filter(Boolean));
    trainer.dispose();
    for (const n of [generatorAB, generatorBA, discriminatorA, discriminatorB]) n.dispose();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [steps, seed, out = 'out/cyclegan-digits', batchSize] = process.argv.slice(2);
  const { initBackend } = await import('@gankit/backend');
  const backend = await initBackend();
  console.error(`backend: ${backend.backend} (${backend.reason})`);
  const result = await trainCycleganDigits({
    steps: steps === undefined ? undefined : Number(steps),
    seed: seed === undefined ? 0 : Number(seed),
    out,
    ...(batchSize === undefined ? {} : { batchSize: Number(batchSize) }),
  });
  console.log(result.summary);
}
