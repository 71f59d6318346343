import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, isWeightAverager, type JsonValue, type Network } from '@gankit/core';
import type { GaussianMixture } from '@gankit/data';
import { modeCoverage } from '@gankit/metrics';
import type { Trainer } from '@gankit/trainer';
import { scatterPng } from './scatter';
import type { ExampleOutputs, RunFacts } from './examples/types';

/** A plugin that can swap averaged generator weights in (EMA, uniform averaging). */
interface Averager {
  readonly name: string;
  withAveragedWeights<T>(net: Network, fn: () => T): T;
}

function findAverager(trainer: Trainer): Averager | undefined {
  return trainer.plugins.find(isWeightAverager);
}

/** Writes `rows` as CSV with a header line. */
function writeCsv(file: string, header: string, rows: readonly (readonly number[])[]): void {
  const lines = [header, ...rows.map((r) => r.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(7)) : v)).join(','))];
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/**
 * The end of a run on a 2-D Gaussian mixture (ring8, configured mixtures): samples the generator
 * (its averaged weights when an averaging plugin is present, and the raw weights for comparison)
 * at the same latent points, scores both with `modeCoverage` (`@gankit/metrics`), and writes `samples.csv`,
 * `samples.png` (generated points over the real mixture) and `metrics.json`.
 */
export async function finishPointsRun(trainer: Trainer, facts: RunFacts, name: string): Promise<ExampleOutputs> {
  const data = trainer.data as GaussianMixture;
  if (!Array.isArray(data.modes) || typeof data.std !== 'number')
    throw new GankitError('config', `${name}: the data is not a Gaussian mixture with modes and std`);
  const averager = findAverager(trainer);
  const n = facts.evalSamples ?? 2500;
  const z = trainer.sampleLatent(n);
  const raw = trainer.sample(n, { z });
  const averaged = averager ? averager.withAveragedWeights(trainer.generator, () => trainer.sample(n, { z })) : raw.clone();
  const rawPoints = raw.arraySync() as number[][];
  const points = averaged.arraySync() as number[][];
  tf.dispose([z, raw, averaged]);
  const real = data.nextBatch(n, trainer.random);
  const realPoints = real.x.arraySync() as number[][];
  tf.dispose([real.x, real.labels as tf.Tensor]);

  const coverage = modeCoverage(points, data.modes, data.std);
  const rawCoverage = modeCoverage(rawPoints, data.modes, data.std);
  writeCsv(path.join(facts.out, 'samples.csv'), 'x,y', points);
  const extent = Math.max(...data.modes.flat().map(Math.abs)) * 1.3 + 0.1;
  fs.writeFileSync(
    path.join(facts.out, 'samples.png'),
    scatterPng(
      [
        { points: realPoints, color: [150, 150, 150], size: 3, alpha: 0.35 },
        { points, color: [220, 60, 30], size: 2, alpha: 0.7 },
      ],
      { range: [-extent, extent] },
    ),
  );
  const metrics: { [key: string]: JsonValue } = {
    example: name,
    modesCaptured: coverage.modesCaptured,
    numModes: coverage.numModes,
    highQualityFraction: coverage.highQualityFraction,
    pointsPerMode: coverage.pointsPerMode,
    numPoints: coverage.numPoints,
    generator: averager ? averager.name : 'raw',
    raw: { modesCaptured: rawCoverage.modesCaptured, highQualityFraction: rawCoverage.highQualityFraction },
    definition: `a point is high quality within 3 std (${Number((3 * data.std).toPrecision(6))}) of its nearest mode; a mode is captured when at least one high-quality point is nearest to it`,
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
    summary: `${name}: ${coverage.modesCaptured}/${coverage.numModes} modes captured, ${(coverage.highQualityFraction * 100).toFixed(1)}% high quality (${facts.steps} steps, ${facts.seconds.toFixed(1)} s on ${facts.backend})`,
  };
}
