// mnist-sagan and its control: `gankit train --example mnist-sagan | mnist-sagan-no-attention`.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, type JsonValue, type Network } from '@gankit/core';
import { dcganDiscriminator, dcganGenerator, selfAttentionMap, type Layer } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { mnistDigits } from '@gankit/data/node';
import { hinge } from '@gankit/losses';
import { spectralNorm } from '@gankit/regularizers';
import { imageGrid } from '@gankit/report';
import type { Trainer } from '@gankit/trainer';
import { MNIST_IMAGE_DEFAULTS, findAverager, imageExample, type Example, type ExampleOutputs, type RunFacts } from '@gankit/cli';

/** The mnist-sagan example's settings (the defaults of `gankit train --example mnist-sagan`). */
export const MNIST_SAGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  steps: 2000,
  batchSize: 64,
  latentDim: 100,
  /** Filters of G's last hidden block and D's first conv (the DCGAN builders' 64 halved, for 2 cores). */
  baseFilters: 32,
  /** Feature-map size of G's self-attention layer (after its 7 → 14 block; attention.png shows its 14×14 map). */
  generatorAttention: 14,
  /**
   * Feature-map size of D's self-attention layer (after its 14 → 7 conv). At 14×14 in D too, a step
   * took 1.6× as long as with 7×7 (1.28 s against 0.80 s at batch 64 under load), for D's three
   * passes a step.
   */
  discriminatorAttention: 7,
  /** Two-timescale update rule (Heusel et al. 2017) as SAGAN: G's and D's Adam learning rates. */
  generatorLearningRate: 1e-4,
  discriminatorLearningRate: 4e-4,
  /** SAGAN's Adam β = (0, 0.9) for both players. */
  beta1: 0,
  beta2: 0.9,
  /** Generated digits shown in attention.png, one row each. */
  attentionDigits: 4,
} as const;

/** Builds one network of a SAGAN run: the DCGAN builder with spectral norm on every kernel, attention or not. */
function saganNetworks(attention: boolean) {
  const s = MNIST_SAGAN;
  return {
    generator: (seed: number): Network =>
      dcganGenerator({
        imageShape: [28, 28, 1],
        latentDim: s.latentDim,
        baseFilters: s.baseFilters,
        selfAttention: attention ? s.generatorAttention : undefined,
        weightParametrization: spectralNorm({ seed }),
        seed,
      }),
    discriminator: (seed: number): Network =>
      dcganDiscriminator({
        imageShape: [28, 28, 1],
        baseFilters: s.baseFilters,
        batchNorm: false,
        selfAttention: attention ? s.discriminatorAttention : undefined,
        weightParametrization: spectralNorm({ seed }),
        seed,
      }),
  };
}

/** Where the query sits in attention.png: the brightest cell of the digit, and a background cell far from it. */
function queryCells(image: Float32Array, size: number, cells: number): [number, number] {
  const f = size / cells;
  const mean = new Float32Array(cells * cells);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) mean[Math.floor(y / f) * cells + Math.floor(x / f)] += image[y * size + x];
  let stroke = 0;
  for (let i = 1; i < mean.length; i++) if (mean[i] > mean[stroke]) stroke = i;
  // The background query: the darkest cell among those at least half the map away from the stroke query.
  const sy = Math.floor(stroke / cells);
  const sx = stroke % cells;
  let background = -1;
  for (let i = 0; i < mean.length; i++) {
    const far = Math.max(Math.abs(Math.floor(i / cells) - sy), Math.abs((i % cells) - sx)) >= cells / 2;
    if (far && (background < 0 || mean[i] < mean[background])) background = i;
  }
  return [stroke, background < 0 ? (stroke + Math.floor(mean.length / 2)) % mean.length : background];
}

/** Pixels per digit pixel in attention.png. */
const ATTENTION_ZOOM = 4;

/**
 * An RGB tile in [0, 1], `ATTENTION_ZOOM` times the digit's size: the digit in grey with the
 * attention weights of one query as red (scaled to that row's largest weight), and the query's cell
 * outlined in green.
 */
function overlayTile(
  image: Float32Array,
  size: number,
  cells: number,
  weights: Float32Array | undefined,
  query: number | undefined,
): Float32Array {
  const big = size * ATTENTION_ZOOM;
  const f = big / cells;
  const out = new Float32Array(big * big * 3);
  let top = 0;
  if (weights) for (const w of weights) top = Math.max(top, w);
  for (let y = 0; y < big; y++) {
    for (let x = 0; x < big; x++) {
      const grey = (image[Math.floor(y / ATTENTION_ZOOM) * size + Math.floor(x / ATTENTION_ZOOM)] + 1) / 2;
      const cell = Math.floor(y / f) * cells + Math.floor(x / f);
      const o = (y * big + x) * 3;
      const dim = weights ? 0.6 * grey : grey;
      out[o] = weights && top > 0 ? Math.min(1, dim + weights[cell] / top) : dim;
      out[o + 1] = dim;
      out[o + 2] = dim;
      if (query === cell) {
        const inY = y - Math.floor(query / cells) * f;
        const inX = x - (query % cells) * f;
        if (inY < 1 || inX < 1 || inY >= f - 1 || inX >= f - 1) {
          out[o] = 0;
          out[o + 1] = 1;
          out[o + 2] = 0;
        }
      }
    }
  }
  return out;
}

/**
 * Writes `attention.png`: one row per generated digit (the averaged generator, fixed latent points
 * from the run's seed): the digit; where a query on its stroke attends (red, G's attention layer);
 * where a query on the background attends. Returns what it measured of the maps.
 */
function writeAttentionPicture(trainer: Trainer, facts: RunFacts): { [key: string]: JsonValue } {
  const s = MNIST_SAGAN;
  const averager = findAverager(trainer.plugins);
  const g = trainer.generator as Network & { readonly layers: readonly Layer[] };
  const z = new RandomSource(facts.seed).fork('attention-map').normal([s.attentionDigits, s.latentDim]);
  const run = () => {
    const images = g.apply(z, { training: false });
    const maps = selfAttentionMap(g, z);
    try {
      return { images: images.dataSync() as Float32Array, maps: maps.dataSync() as Float32Array, positions: maps.shape[1] };
    } finally {
      tf.dispose([images, maps]);
    }
  };
  let result: { images: Float32Array; maps: Float32Array; positions: number };
  try {
    result = averager ? averager.withAveragedWeights(trainer.generator, run) : run();
  } finally {
    z.dispose();
  }
  const { images, maps, positions } = result;
  const cells = Math.round(Math.sqrt(positions));
  const size = 28;
  const tiles: Float32Array[] = [];
  const queries: JsonValue[] = [];
  for (let i = 0; i < s.attentionDigits; i++) {
    const image = images.subarray(i * size * size, (i + 1) * size * size);
    const [stroke, background] = queryCells(image, size, cells);
    const row = (q: number) => maps.subarray((i * positions + q) * positions, (i * positions + q + 1) * positions);
    tiles.push(overlayTile(image, size, cells, undefined, undefined));
    tiles.push(overlayTile(image, size, cells, row(stroke), stroke));
    tiles.push(overlayTile(image, size, cells, row(background), background));
    queries.push({
      stroke: [Math.floor(stroke / cells), stroke % cells],
      background: [Math.floor(background / cells), background % cells],
    });
  }
  const big = size * ATTENTION_ZOOM;
  const all = new Float32Array(tiles.length * big * big * 3);
  tiles.forEach((t, i) => all.set(t, i * t.length));
  const batch = tf.tensor4d(all, [tiles.length, big, big, 3]);
  try {
    fs.writeFileSync(path.join(facts.out, 'attention.png'), imageGrid(batch, { cols: 3, range: [0, 1] }));
  } finally {
    batch.dispose();
  }
  return { layer: 'generator self-attention', grid: `${cells}x${cells}`, queries: queries as JsonValue };
}

/** mnist-sagan with or without self-attention. */
function saganExample(name: string, description: string, attention: boolean): Example {
  const s = MNIST_SAGAN;
  const nets = saganNetworks(attention);
  const base = imageExample({
    name,
    description,
    title: `SAGAN on MNIST digits${attention ? '' : ' (no self-attention)'}`,
    defaults: { steps: s.steps, batchSize: s.batchSize, gridEvery: s.gridEvery, evalSamples: s.evalSamples },
    data: () => mnistDigits({ split: 'train' }),
    metric: 'mnist',
    generator: nets.generator,
    discriminator: nets.discriminator,
    loss: hinge,
    optimizers: () => ({
      generator: tf.train.adam(s.generatorLearningRate, s.beta1, s.beta2),
      discriminator: tf.train.adam(s.discriminatorLearningRate, s.beta1, s.beta2),
    }),
    plugins: () => [ema({ decay: s.emaDecay, rampUp: true })],
    discriminatorSteps: 1,
    settings: {
      data: 'mnist (train split, 9,003 digits)',
      architecture: `dcganGenerator / dcganDiscriminator (no batch norm), base ${s.baseFilters}, spectral norm on every kernel of both${attention ? `, self-attention at ${s.generatorAttention}×${s.generatorAttention} in G and ${s.discriminatorAttention}×${s.discriminatorAttention} in D` : ', no attention'}`,
      loss: 'hinge',
      optimizer: `adam G ${s.generatorLearningRate} D ${s.discriminatorLearningRate}, beta (${s.beta1}, ${s.beta2})`,
      averaging: `ema decay ${s.emaDecay}, ramp-up`,
    },
  });
  if (!attention) return base;
  return {
    ...base,
    async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
      const out = await base.finish(trainer, facts);
      const map = writeAttentionPicture(trainer, facts);
      const metrics: { [key: string]: JsonValue } = { ...out.metrics, attentionMap: map };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      return {
        files: [...out.files, 'attention.png'],
        metrics,
        summary: `${out.summary}\n${name}: attention.png (G's ${map.grid} attention)`,
      };
    },
  };
}

/**
 * mnist-sagan: the SAGAN recipe (Zhang et al. 2019) on the `mnist` digits: the DCGAN builders with
 * a self-attention layer (query/key/value 1×1 convs, gate γ from 0) at 14×14 in G and 7×7 in D,
 * spectral norm on every kernel of both networks, the hinge loss, and the two-timescale Adam
 * (G 1e-4, D 4e-4, β = (0, 0.9)); an EMA of G. The finish also writes `attention.png`: where a
 * query on a generated digit's stroke and one on its background attend.
 */
export const mnistSagan: Example = saganExample(
  'mnist-sagan',
  'SAGAN: self-attention in G and D, hinge loss, spectral norm in both, two-timescale Adam, on the mnist digits; a picture of one attention map',
  true,
);

/** mnist-sagan without self-attention: the control of `gankit train --example mnist-sagan-no-attention`. */
export const mnistSaganNoAttention: Example = saganExample(
  'mnist-sagan-no-attention',
  'mnist-sagan without the self-attention layers (the control for its FID)',
  false,
);

export default [mnistSagan, mnistSaganNoAttention];
