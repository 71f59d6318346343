import os from 'node:os';
import { GankitError } from '@gankit/core';
import type { ArchitectureConfig, TrainConfig } from './config';

/** What a configured GAN holds, counted from its config before anything is built. */
export interface NetworkSizes {
  /** Values in the generator's variables (weights, biases, batch-norm statistics, embeddings). */
  readonly generator: number;
  /** Values in the discriminator's variables. */
  readonly discriminator: number;
  /** Activations of one example through G, then D on a real and a fake example (values, forward pass). */
  readonly activationsPerExample: number;
}

/** Bytes of one float32 value. */
const FLOAT = 4;

/** The wasm backend's heap holds every tensor and cannot grow past 4 GiB (wasm32). */
export const WASM_HEAP_BYTES = 4294901760;

/** Values of a dense layer's kernel and bias. */
const dense = (inputs: number, units: number, bias = true): number => inputs * units + (bias ? units : 0);

/** Values of a 4×4 convolution (or transposed convolution) kernel and bias. */
const conv4 = (inChannels: number, filters: number, bias: boolean): number => 16 * inChannels * filters + (bias ? filters : 0);

/** Values of a batch norm over `channels`: gamma, beta, moving mean and moving variance. */
const batchNorm = (channels: number): number => 4 * channels;

/** The number of classes of the conditional architectures (the digits). */
const CLASSES = 10;

/**
 * BigGAN's G for 28×28×1: the shared table, dense [z₀, e] → 7·7·2b, then per block a linear
 * conditional batch norm (two projections from [z_i, e], moving statistics) and a 4×4 transposed conv.
 */
function bigganGeneratorSize(chunk: number, embeddingDim: number, b: number): number {
  const c = chunk + embeddingDim;
  const cbn = (channels: number) => 2 * c * channels + 2 * channels;
  return CLASSES * embeddingDim + dense(c, 98 * b, false) + cbn(2 * b) + conv4(2 * b, b, false) + cbn(b) + conv4(b, 1, true);
}

/**
 * Counts the values in a configured generator's and discriminator's variables, and the
 * activations of one example, from the config alone (the formulas follow the builders of
 * `@gankit/architectures` for 28×28×1 images and for MLPs on 2-D points; a test checks them against
 * built networks). Nothing is allocated.
 */
export function networkSizes(arch: ArchitectureConfig): NetworkSizes {
  if (arch.name === 'mlp') {
    const widths = (input: number, output: number) => [input, ...arch.hidden, output];
    const count = (w: number[]) => w.slice(1).reduce((sum, units, i) => sum + dense(w[i], units), 0);
    const hidden = arch.hidden.reduce((a, b) => a + b, 0);
    // Each hidden layer keeps its dense output and its activation; G's output is 2 values, D's 1.
    return {
      generator: count(widths(arch.latentDim, 2)),
      discriminator: count(widths(2, 1)),
      activationsPerExample: 2 * hidden + 2 + 2 * (2 * hidden + 1),
    };
  }
  // DCGAN layout for 28×28×1: z → dense 7·7·2b → BN → ReLU → convT 4×4 to 14·14·b → BN → ReLU → convT to 28·28·1 → tanh;
  // D: conv 4×4 to 14·14·b → lReLU → conv to 7·7·2b (→ BN) → lReLU → dense 1.
  const b = arch.baseFilters;
  const conditional = arch.name === 'conditional';
  const gLabel = conditional ? CLASSES : 0; // the label joins z as an embedding (10-d) or one-hot vector
  const gTable = conditional && arch.generatorConditioning === 'embedding' ? CLASSES * CLASSES : 0;
  const generator =
    arch.name === 'biggan'
      ? bigganGeneratorSize(arch.latentDim / 3, arch.embeddingDim, b)
      : gTable +
        dense(arch.latentDim + gLabel, 98 * b, false) +
        batchNorm(98 * b) +
        conv4(2 * b, b, false) +
        batchNorm(b) +
        conv4(b, 1, true);
  const dConditioning = conditional ? arch.discriminatorConditioning : arch.name === 'biggan' ? 'projection' : undefined;
  const dLabel = dConditioning === 'embedding' || dConditioning === 'one-hot' ? CLASSES : 0; // label channels joined to the image
  const dTable = dConditioning === 'embedding' ? CLASSES * CLASSES : dConditioning === 'projection' ? CLASSES * 98 * b : 0;
  // D's normalization after its second conv: batch norm (scale, shift and two moving statistics a
  // channel), layer norm (scale and shift a channel) or none (then the conv keeps its bias).
  const norm = ('normalization' in arch ? arch.normalization : undefined) ?? (arch.batchNorm ? 'batch' : 'none');
  const dNorm = norm === 'batch' ? batchNorm(2 * b) : norm === 'layer' ? 2 * (2 * b) : 0;
  const discriminator = dTable + conv4(1 + dLabel, b, true) + conv4(b, 2 * b, norm === 'none') + dNorm + dense(98 * b, 1);
  const gActivations = 3 * 98 * b + 3 * 196 * b + 2 * 784;
  const dActivations = 784 * (1 + dLabel) + 2 * 196 * b + 3 * 98 * b + 1;
  return { generator, discriminator, activationsPerExample: gActivations + 2 * dActivations };
}

/** `1234567` → `1,234,567`. */
const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Bytes as `1.5 GB` / `310 MB`. */
function bytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(n / 1e6))} MB`;
}

/**
 * An estimate of the memory a configured run takes to train, in bytes: each variable's value,
 * gradient and the optimizer's two moment slots (Adam; 4 floats per value), an averaged copy of G,
 * and activations kept for the backward pass (twice the forward ones) for every example of a batch.
 */
export function trainingBytes(sizes: NetworkSizes, batchSize: number): number {
  return FLOAT * (4 * (sizes.generator + sizes.discriminator) + sizes.generator + 2 * batchSize * sizes.activationsPerExample);
}

/**
 * Refuses, before anything is allocated, a configured run that cannot fit: its estimated training
 * memory ({@link trainingBytes}) against `memoryBytes` (default: the wasm heap's 4 GiB on the
 * wasm backend, else the machine's memory), per worker. The message gives the parameter count.
 *
 * @throws GankitError (code `'config'`) naming `config.architecture` or the batch size
 */
export function checkTrainingFits(
  config: TrainConfig,
  options: { batchSize: number; backend: string; workers?: number | undefined; memoryBytes?: number | undefined },
): NetworkSizes {
  const sizes = networkSizes(config.architecture);
  const workers = options.workers ?? 1;
  const perWorkerLimit = options.memoryBytes ?? (options.backend === 'wasm' ? Math.min(WASM_HEAP_BYTES, os.totalmem()) : os.totalmem());
  const totalLimit = options.memoryBytes ?? os.totalmem();
  const rows = Math.ceil(options.batchSize / workers);
  const need = trainingBytes(sizes, rows);
  const params = sizes.generator + sizes.discriminator;
  const where =
    options.backend === 'wasm' && perWorkerLimit === WASM_HEAP_BYTES
      ? `the wasm backend's ${bytes(perWorkerLimit)} heap`
      : `${bytes(perWorkerLimit)} of memory`;
  const weightsNeed = trainingBytes(sizes, 0);
  if (weightsNeed > perWorkerLimit || weightsNeed * workers > totalLimit) {
    throw new GankitError(
      'config',
      `config.architecture: G and D have ${grouped(params)} parameters (G ${grouped(sizes.generator)}, D ${grouped(sizes.discriminator)}); training them needs about ${bytes(weightsNeed)} ` +
        `(weights, gradients and Adam's two moments) per worker, more than ${where}; make the networks smaller`,
    );
  }
  if (need > perWorkerLimit || need * workers > totalLimit) {
    throw new GankitError(
      'config',
      `batch size ${options.batchSize}: ${grouped(params)} parameters and the activations of ${rows} examples per worker need about ${bytes(need)}, more than ${where}; use a smaller batch or smaller networks`,
    );
  }
  return sizes;
}
