// The README's measurement of shorter EMA windows: mnist-cgan's defaults, trained once, with extra
// `ema` plugins (ramp-up on, as the example's) beside the example's own. Averagers only read G's
// weights, so the training, the raw generator and the example's EMA are those of
// `gankit train --example mnist-cgan --seed S --workers 1`. Each average is scored by the example's
// own evaluation (1,000 class-balanced samples, the run's seed). Prints one JSON line.
// Usage: node ema-decays.mjs [seed=0] [steps=1500] [decays=0.99,0.995,0.998]
import { initBackend } from '@gankit/backend';
import { ema } from '@gankit/averaging';
import { Trainer } from '@gankit/trainer';
import { findAverager, mnistCgan, networkSampler } from '@gankit/cli';

const [seedArg = '0', stepsArg = '1500', decaysArg = '0.99,0.995,0.998'] = process.argv.slice(2);
const seed = Number(seedArg);
const steps = Number(stepsArg);
const b = await initBackend();
console.error(`backend: ${b.backend} (${b.reason})`);
const { batchSize } = mnistCgan.defaults;
const setup = mnistCgan.setup({ seed, batchSize });
const extra = decaysArg.split(',').map((d) => ema({ decay: Number(d), rampUp: true, name: `ema-${d}` }));
const trainer = new Trainer({ ...setup, plugins: [...setup.plugins, ...extra], batchSize, seed });
const fit = await trainer.fit({ steps });
const sampler = networkSampler(trainer.generator, mnistCgan.numClasses, mnistCgan.latent);
const score = () => mnistCgan.evaluate(sampler, { seed, samples: 1000, progress: false });
const out = { seed, steps, seconds: Number(fit.seconds.toFixed(1)), raw: await score() };
for (const avg of [findAverager(trainer.plugins), ...extra]) {
  out[`${avg.name}:${avg.decay}`] = await avg.withAveragedWeights(trainer.generator, score);
}
console.log(JSON.stringify(out));
