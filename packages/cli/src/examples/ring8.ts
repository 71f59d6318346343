import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { mlpDiscriminator, mlpGenerator } from '@gankit/architectures';
import { ema, type EmaPlugin } from '@gankit/averaging';
import { ringMixture } from '@gankit/data';
import { nonSaturating } from '@gankit/losses';
import { modeCoverage } from '@gankit/metrics';
import { r1 } from '@gankit/regularizers';
import { learningRateSchedule, linearDecay, type Trainer } from '@gankit/trainer';
import { scatterPng } from '../scatter';
import type { Example, ExampleOutputs, RunFacts } from './types';

/** The ring8 example's settings (the defaults of `gankit train --example ring8`). */
export const RING8 = {
  modes: 8,
  radius: 2,
  std: 0.02,
  latentDim: 16,
  hidden: [128, 128, 128],
  generatorActivation: 'tanh',
  learningRate: 1e-3,
  beta1: 0.5,
  r1Gamma: 0.1,
  emaDecay: 0.99,
  decayStart: 2500,
  decayFactor: 0.05,
  steps: 5000,
  batchSize: 128,
  evalPoints: 2500,
} as const;

/** Writes `rows` as CSV with a header line. */
function writeCsv(file: string, header: string, rows: readonly (readonly number[])[]): void {
  const lines = [header, ...rows.map((r) => r.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(7)) : v)).join(','))];
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/**
 * ring8: an MLP GAN on a mixture of 8 Gaussians evenly spaced on a circle of radius 2 with standard
 * deviation 0.02 (Metz et al.'s mode-collapse benchmark): a tanh MLP generator (saturating units make
 * the near-constant plateaus and sharp steps that tight, separate clusters need; a ReLU generator
 * left ~4x more points between the modes at the same step count), a leaky-ReLU MLP discriminator,
 * non-saturating loss, an R1 penalty on D (γ = 0.1) against early collapse, Adam at 1e-3 decayed
 * linearly to 5% over the second half, and an EMA of G's weights (decay 0.99) for sampling.
 */
export const ring8: Example = {
  name: 'ring8',
  description: 'MLP GAN on a ring of 8 Gaussians (radius 2, std 0.02): the mode-collapse benchmark',
  defaults: { steps: RING8.steps, batchSize: RING8.batchSize },
  setup({ seed }) {
    const generator = mlpGenerator({ latentDim: RING8.latentDim, outputDim: 2, hidden: RING8.hidden, activation: RING8.generatorActivation, seed: seed * 2 + 1 });
    const discriminator = mlpDiscriminator({ inputDim: 2, hidden: RING8.hidden, seed: seed * 2 + 2 });
    const generatorOptimizer = tf.train.adam(RING8.learningRate, RING8.beta1);
    const discriminatorOptimizer = tf.train.adam(RING8.learningRate, RING8.beta1);
    // Decay both learning rates over the second half of the default run; the decay is a function of
    // the step, so shorter or longer runs (--steps) follow the same curve.
    const decay = linearDecay({ startStep: RING8.decayStart, endStep: RING8.steps, to: RING8.decayFactor });
    return {
      generator,
      discriminator,
      loss: nonSaturating,
      data: ringMixture({ modes: RING8.modes, radius: RING8.radius, std: RING8.std }),
      generatorOptimizer,
      discriminatorOptimizer,
      plugins: [r1({ gamma: RING8.r1Gamma }), ema({ decay: RING8.emaDecay }), learningRateSchedule({ optimizers: [generatorOptimizer, discriminatorOptimizer], schedule: decay })],
      discriminatorSteps: 1,
    };
  },
  async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
    const data = trainer.data as ReturnType<typeof ringMixture>;
    const lastEma = trainer.plugins.find((p) => p.name === 'ema') as EmaPlugin | undefined;
    const n = RING8.evalPoints;
    const z = trainer.sampleLatent(n);
    const raw = trainer.sample(n, { z });
    const averaged = lastEma ? lastEma.withAveragedWeights(trainer.generator, () => trainer.sample(n, { z })) : raw.clone();
    const rawPoints = raw.arraySync() as number[][];
    const points = averaged.arraySync() as number[][];
    tf.dispose([z, raw, averaged]);
    const real = data.nextBatch(n, trainer.random);
    const realPoints = real.x.arraySync() as number[][];
    tf.dispose([real.x, real.labels as tf.Tensor]);

    const coverage = modeCoverage(points, data.modes, data.std);
    const rawCoverage = modeCoverage(rawPoints, data.modes, data.std);
    writeCsv(path.join(facts.out, 'samples.csv'), 'x,y', points);
    fs.writeFileSync(
      path.join(facts.out, 'samples.png'),
      scatterPng(
        [
          { points: realPoints, color: [150, 150, 150], size: 3, alpha: 0.35 },
          { points, color: [220, 60, 30], size: 2, alpha: 0.7 },
        ],
        { range: [-2.6, 2.6] },
      ),
    );
    const metrics = {
      example: 'ring8',
      modesCaptured: coverage.modesCaptured,
      numModes: coverage.numModes,
      highQualityFraction: coverage.highQualityFraction,
      pointsPerMode: coverage.pointsPerMode,
      numPoints: coverage.numPoints,
      generator: lastEma ? 'ema' : 'raw',
      raw: { modesCaptured: rawCoverage.modesCaptured, highQualityFraction: rawCoverage.highQualityFraction },
      definition: `a point is high quality within 3 std (${3 * data.std}) of its nearest mode; a mode is captured when at least one high-quality point is nearest to it`,
      steps: facts.steps,
      seconds: Number(facts.seconds.toFixed(2)),
      backend: facts.backend,
      seed: facts.seed,
      batchSize: facts.batchSize,
    };
    fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    return {
      files: ['samples.csv', 'samples.png', 'metrics.json'],
      metrics,
      summary: `ring8: ${coverage.modesCaptured}/${coverage.numModes} modes captured, ${(coverage.highQualityFraction * 100).toFixed(1)}% high quality (${facts.steps} steps, ${facts.seconds.toFixed(1)} s on ${facts.backend})`,
    };
  },
};
