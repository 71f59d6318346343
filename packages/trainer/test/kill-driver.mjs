// Training driver for src/kill.test.ts: resumes from the newest checkpoint under <runDir>, trains
// to <steps> iterations with a checkpoint every <every> iterations, then writes a last checkpoint
// and the final weights. Prints one JSON line per event on stdout ("ready" after the resume,
// "done" at the end). The test SIGKILLs it at random moments and runs it again.
//
// usage: node kill-driver.mjs <runDir> <steps> <every>
// GANKIT_TRAINER_DIR: a directory holding index.js and node.js bundles of @gankit/trainer's current
// sources (the test builds them); without it, the package's dist is used.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { batchNorm, dense, leakyRelu, relu, sequential } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { RandomSource } from '@gankit/core';
import { tensorDataset } from '@gankit/data';
import { nonSaturating } from '@gankit/losses';
import { spectralNorm } from '@gankit/regularizers';

const [runDir, stepsArg, everyArg] = process.argv.slice(2);
const steps = Number(stepsArg);
const every = Number(everyArg);
const dir = process.env.GANKIT_TRAINER_DIR;
const { Trainer } = await import(dir ? pathToFileURL(join(dir, 'index.js')).href : '@gankit/trainer');
const { resumeLatest, saveCheckpoint, saveFinal } = await import(dir ? pathToFileURL(join(dir, 'node.js')).href : '@gankit/trainer/node');

await tf.setBackend('wasm');
await tf.ready();

const rng = new RandomSource(7).floats();
const points = new Float32Array(2 * 150);
for (let i = 0; i < 150; i++) {
  const a = 2 * Math.PI * rng();
  points[2 * i] = Math.cos(a) + 0.1 * (rng() - 0.5);
  points[2 * i + 1] = Math.sin(a) + 0.1 * (rng() - 0.5);
}
const sn = spectralNorm({ seed: 2 });
const trainer = new Trainer({
  generator: sequential({
    name: 'generator',
    inputShape: [4],
    layers: [dense({ units: 16 }), batchNorm(), relu(), dense({ units: 2 })],
    seed: 1,
  }),
  discriminator: sequential({
    name: 'discriminator',
    inputShape: [2],
    layers: [dense({ units: 16, weightParametrization: sn }), leakyRelu({ alpha: 0.2 }), dense({ units: 1, weightParametrization: sn })],
    seed: 3,
  }),
  loss: nonSaturating,
  data: tensorDataset({ x: points, shape: [2], name: 'circle' }),
  batchSize: 32,
  generatorOptimizer: tf.train.adam(0.005, 0.5),
  discriminatorOptimizer: tf.train.adam(0.005, 0.5),
  plugins: [ema({ decay: 0.9 })],
  seed: 11,
});

const resumed = await resumeLatest(runDir, trainer);
console.log(JSON.stringify({ event: 'ready', resumed }));
const t0 = performance.now();
while (trainer.iteration < steps) {
  await trainer.step();
  if (trainer.iteration % every === 0) await saveCheckpoint(runDir, trainer, { keep: 3 });
}
if (trainer.iteration % every !== 0) await saveCheckpoint(runDir, trainer, { keep: 3 });
await saveFinal(runDir, trainer);
console.log(JSON.stringify({ event: 'done', step: trainer.iteration, ms: performance.now() - t0 }));
