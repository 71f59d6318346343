// Latent vector arithmetic (Radford et al. 2016) on a trained mnist-dcgan run:
//   mean(z of thick 7s) − mean(z of thin 7s) + mean(z of thin 1s)  →  a thick 1.
// Generates many digits from random z, reads each with the digit classifier of @gankit/metrics,
// measures its ink (mean pixel brightness), picks thick and thin examples of two digits, and
// writes a grid:
//   row 1  thick <a>s            (the samples whose z are averaged)
//   row 2  thin <a>s
//   row 3  thin <b>s
//   row 4  mean(z thin <b>) + small noise                      (the baseline: no stroke direction)
//   row 5  mean(z thick <a>) − mean(z thin <a>) + mean(z thin <b>) + the same noise
// and prints the ink and the classifier's reading of rows 4 and 5 as JSON.
//
// Usage: node arithmetic.mjs --run DIR [--out FILE.png] [--a 7] [--b 1] [--samples 2000]
//                            [--pick 40] [--noise 0.25] [--seed 0] [--raw] [--backend wasm]
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@gankit/backend';
import { Progress, loadRun } from '@gankit/cli';
import { RandomSource, latentArithmetic } from '@gankit/core';
import { digitClassifier } from '@gankit/metrics';
import { imageGrid } from '@gankit/report';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    out: { type: 'string' },
    a: { type: 'string', default: '7' },
    b: { type: 'string', default: '1' },
    samples: { type: 'string', default: '2000' },
    pick: { type: 'string', default: '40' },
    noise: { type: 'string', default: '0.25' },
    seed: { type: 'string', default: '0' },
    raw: { type: 'boolean', default: false },
    backend: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const fail = (message) => {
  console.error(`latent-arithmetic: ${message}`);
  process.exit(2);
};
if (!values.run) fail('--run DIR is required (a run directory of `gankit train --example mnist-dcgan`)');
const digit = (name) => {
  const d = Number(values[name]);
  if (!Number.isInteger(d) || d < 0 || d > 9) fail(`--${name} must be a digit 0-9, got '${values[name]}'`);
  return d;
};
const a = digit('a');
const b = digit('b');
if (a === b) fail('--a and --b must be different digits');
const n = Number(values.samples);
const pick = Number(values.pick);
const noise = Number(values.noise);
if (!Number.isInteger(n) || n < 20) fail(`--samples must be an integer >= 20, got '${values.samples}'`);
if (!Number.isInteger(pick) || pick < 4 || pick > n) fail(`--pick must be an integer from 4 to --samples, got '${values.pick}'`);
if (!Number.isFinite(noise) || noise < 0) fail(`--noise must be a number >= 0, got '${values.noise}'`);
const out = values.out ?? `${values.run}/latent-arithmetic.png`;

const backend = await initBackend(values.backend ? { backend: values.backend } : {});
console.error(`backend: ${backend.backend}`);
const run = await loadRun(values.run, { raw: values.raw });
if (run.output !== 'images' || run.numClasses)
  fail(`needs an unconditional image run such as mnist-dcgan; ${values.run} trained '${run.example.name}'`);
const latentDim = run.generator.inputShape;
const clf = digitClassifier();
const random = new RandomSource(Number(values.seed));

// 1. Generate, classify and measure ink.
const z = random.normal([n, ...latentDim]);
const probs = new Float32Array(n * 10);
const ink = new Float32Array(n);
const bar = values.quiet ? undefined : new Progress({ total: n, label: 'generate and classify' });
for (let i = 0; i < n; i += 100) {
  const size = Math.min(100, n - i);
  const [p, m] = tf.tidy(() => {
    const x = run.sampler.sample(tf.slice(z, i, size));
    return [clf.probs(x), tf.mean(tf.div(tf.add(x, 1), 2), [1, 2, 3])];
  });
  probs.set(p.dataSync(), i * 10);
  ink.set(m.dataSync(), i);
  tf.dispose([p, m]);
  bar?.update(i + size);
}
bar?.finish();

// 2. The `pick` samples most confidently read as a digit, split by ink (quarters).
const quarter = Math.max(1, Math.floor(pick / 4));
const byConfidence = (d) =>
  Array.from({ length: n }, (_, i) => i)
    .sort((i, j) => probs[j * 10 + d] - probs[i * 10 + d])
    .slice(0, pick);
const byInk = (idx) => [...idx].sort((i, j) => ink[i] - ink[j]);
const aSorted = byInk(byConfidence(a));
const bSorted = byInk(byConfidence(b));
const groups = { thickA: aSorted.slice(-quarter).reverse(), thinA: aSorted.slice(0, quarter), thinB: bSorted.slice(0, quarter) };
const gather = (idx) => tf.gather(z, tf.tensor1d(idx, 'int32'));
const zThickA = gather(groups.thickA);
const zThinA = gather(groups.thinA);
const zThinB = gather(groups.thinB);

// 3. The arithmetic, with the same small noise added to the result and to the baseline.
const result = latentArithmetic([zThickA, zThinB], [zThinA]);
const baseline = latentArithmetic([zThinB]);
const cols = 8;
const jitter = tf.tidy(() => tf.concat([tf.zeros([1, ...latentDim]), tf.mul(random.normal([cols - 1, ...latentDim]), noise)]));
const show = (idx) => tf.tidy(() => run.sampler.sample(gather(idx.slice(0, cols))));
const rows = {
  thickA: show(groups.thickA),
  thinA: show(groups.thinA),
  thinB: show(groups.thinB),
  baseline: tf.tidy(() => run.sampler.sample(tf.add(baseline, jitter))),
  result: tf.tidy(() => run.sampler.sample(tf.add(result, jitter))),
};
const pad = (x) => (x.shape[0] === cols ? x : tf.concat([x, tf.fill([cols - x.shape[0], ...x.shape.slice(1)], 1)]));
const grid = tf.tidy(() => tf.concat(Object.values(rows).map(pad)));
fs.writeFileSync(out, imageGrid(grid, { cols }));

// 4. What the rows show, measured.
const meanInk = (idx) => idx.reduce((s, i) => s + ink[i], 0) / idx.length;
const describe = (x) =>
  tf.tidy(() => {
    const p = clf.probs(x);
    const reads = Array.from(tf.argMax(p, 1).dataSync());
    return {
      ink: Number(
        tf
          .mean(tf.div(tf.add(x, 1), 2))
          .dataSync()[0]
          .toFixed(4),
      ),
      readAs: reads,
      [`p(${b})`]: Number(
        tf
          .mean(tf.slice(p, [0, b], [-1, 1]))
          .dataSync()[0]
          .toFixed(3),
      ),
    };
  });
const report = {
  run: values.run,
  step: run.step,
  weights: run.weights,
  samples: n,
  picked: pick,
  perGroup: quarter,
  groups: {
    [`thick ${a}`]: {
      ink: Number(meanInk(groups.thickA).toFixed(4)),
      [`p(${a})`]: Number((groups.thickA.reduce((s, i) => s + probs[i * 10 + a], 0) / quarter).toFixed(3)),
    },
    [`thin ${a}`]: {
      ink: Number(meanInk(groups.thinA).toFixed(4)),
      [`p(${a})`]: Number((groups.thinA.reduce((s, i) => s + probs[i * 10 + a], 0) / quarter).toFixed(3)),
    },
    [`thin ${b}`]: {
      ink: Number(meanInk(groups.thinB).toFixed(4)),
      [`p(${b})`]: Number((groups.thinB.reduce((s, i) => s + probs[i * 10 + b], 0) / quarter).toFixed(3)),
    },
  },
  baseline: describe(rows.baseline),
  result: describe(rows.result),
  out,
};
console.log(JSON.stringify(report, null, 2));
tf.dispose([z, zThickA, zThinA, zThinB, result, baseline, jitter, grid, ...Object.values(rows)]);
clf.dispose();
run.dispose();
