// The paired digit examples' shared runner (mnist-superres, mnist-pix2pix): a pix2pix game
// (Isola et al. 2017) on pairs made from the mnist digits — a U-Net whose packed output faces a
// conditional PatchGAN, real pairs from a PairedDataset, and the generator's own terms — trained
// with the run directory, checkpoints, resume and NaN guard every example has.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type JsonValue, type LossPair, type Network } from '@gankit/core';
import { pairedGenerator, unpackPair } from '@gankit/architectures';
import { pairedDataset, type InMemoryDataset, type PairedDataset } from '@gankit/data';
import { mnistDigits } from '@gankit/data/node';
import { nonSaturating } from '@gankit/losses';
import { imageGrid } from '@gankit/report';
import { Trainer, type Game, type PlayerSpec } from '@gankit/trainer';
import { Progress } from '../progress';
import { openRunDirectory } from '../run-dir';
import { RunCheckpoints, resumeRun, yieldNow } from '../run-dir-loop';
import { endGameRun, type RunOptions, type RunResult } from '../train';

/** Held-out pairs (the test split, in order) that a paired example's finish scores. */
export interface HeldOutPairs {
  /** The inputs `[n, ...inputShape]`. */
  readonly inputs: tf.Tensor4D;
  /** The true targets `[n, 28, 28, 1]`. */
  readonly targets: tf.Tensor4D;
  /** The digit classes. */
  readonly labels: Int32Array;
}

/** What a paired example's finish is given. */
export interface PairedFinishContext {
  /** The trained image-to-image generator (the U-Net, not the packed one), in inference mode via `apply(x, { training: false })`. */
  readonly generator: Network;
  /** Held-out pairs. */
  readonly heldOut: HeldOutPairs;
  /** The run directory. */
  readonly out: string;
  /** Run seed. */
  readonly seed: number;
}

/** A paired digit example: what {@link trainPairedDigits} trains. */
export interface PairedDigitsSpec {
  /** The example's name. */
  readonly name: string;
  /** Settings that identify the run (config.json) and that metrics.json repeats. */
  readonly settings: { readonly [key: string]: JsonValue };
  /** Iterations and batch size when the command line gives none. */
  readonly defaults: { readonly steps: number; readonly batchSize: number };
  /** Shape of one input `[h, w, 1]`. */
  readonly inputShape: readonly [number, number, number];
  /** The input made from digits `[n, 28, 28, 1]` in [-1, 1]. */
  makeInput(digits: tf.Tensor4D): tf.Tensor4D;
  /** The target made from the same digits. */
  makeTarget(digits: tf.Tensor4D): tf.Tensor4D;
  /** Builds the image-to-image generator (a `unetGenerator`) from a seed. */
  generator(seed: number): Network;
  /** Builds the conditional discriminator (a `pix2pixDiscriminator`) from a seed. */
  discriminator(seed: number): Network;
  /** Weight of the adversarial term in G's loss; 0 trains G on its own terms alone and D not at all. */
  readonly adversarialWeight: number;
  /** G's own terms of one update, each with its weight (logged unweighted as `<name>/<key>`). */
  generatorTerms(target: tf.Tensor, output: tf.Tensor): Record<string, { readonly weight: number; readonly value: tf.Scalar }>;
  /** Adam's learning rate and β₁ (both players). */
  readonly learningRate: number;
  /** Adam's β₁. */
  readonly beta1: number;
  /** Held-out test digits the finish scores. */
  readonly heldOut: number;
  /** Scores the trained generator and writes the example's outputs. */
  finish(ctx: PairedFinishContext): Promise<{ files: string[]; metrics: { [key: string]: JsonValue }; summary: string }>;
}

/** The first `max` digits `[n, 28, 28, 1]` of a data set (all when it has fewer). */
function digitsOf(data: InMemoryDataset, max: number): tf.Tensor4D {
  const n = Math.min(max, data.size);
  return tf.tensor4d(data.data.subarray(0, n * 784), [n, 28, 28, 1]);
}

/**
 * Aligned pairs made from digits: input `makeInput(digits)`, target `makeTarget(digits)`, in a
 * `PairedDataset` (of `@gankit/data`) whose views serve them in one shuffled order.
 */
export function digitPairs(
  digits: tf.Tensor4D,
  makeInput: (x: tf.Tensor4D) => tf.Tensor4D,
  makeTarget: (x: tf.Tensor4D) => tf.Tensor4D,
  name: string,
): PairedDataset {
  const input = makeInput(digits);
  const target = makeTarget(digits);
  try {
    return pairedDataset({
      inputs: input.dataSync() as Float32Array,
      inputShape: input.shape.slice(1),
      targets: target.dataSync() as Float32Array,
      targetShape: target.shape.slice(1),
      name,
    });
  } finally {
    tf.dispose([input, target]);
  }
}

/**
 * Writes `file` in the run directory: a grid of `count` held-out examples spread evenly over the
 * set (the test split is in class order), one row per image batch of `rows` (e.g. input, output,
 * target). Returns the file name.
 */
export function writeHeldOutPicture(ctx: PairedFinishContext, rows: readonly tf.Tensor[], count: number, file: string): string {
  const n = ctx.heldOut.labels.length;
  const k = Math.min(count, n);
  const picked = Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
  const grid = tf.tidy(() =>
    tf.concat(
      rows.map((t) => tf.gather(t, picked)),
      0,
    ),
  );
  try {
    fs.writeFileSync(path.join(ctx.out, file), imageGrid(grid, { cols: k }));
  } finally {
    grid.dispose();
  }
  return file;
}

/** The non-saturating pair with G's term scaled by `weight` (D's term as is). */
function scaledNonSaturating(weight: number): LossPair {
  return {
    ...nonSaturating,
    name: `non-saturating×${weight}`,
    generator: (fake, real) => tf.tidy(() => tf.mul(weight, nonSaturating.generator(fake, real))),
  };
}

const round = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

/**
 * Trains a paired digit example and writes its run directory: `config.json`, `checkpoints/`,
 * `final/` (the generator `generator/<i>` and discriminator `discriminator/<i>` variables), then
 * whatever `spec.finish` writes (with `metrics.json`). The game: the generator player trains
 * `pairedGenerator(G)` on `adversarialWeight ×` the non-saturating term against the conditional
 * discriminator plus its weighted own terms; the discriminator player (absent when the weight is
 * 0) trains D on real packed pairs (target, input) against (G(input), input).
 */
export async function trainPairedDigits(options: RunOptions, spec: PairedDigitsSpec): Promise<RunResult> {
  if (options.replica || (options.workers ?? 1) > 1)
    throw new GankitError('config', `${spec.name} trains on one thread (a paired game does not split over workers); use --workers 1`);
  const seed = options.seed ?? 0;
  const steps = options.steps ?? spec.defaults.steps;
  const batchSize = options.batchSize ?? spec.defaults.batchSize;
  const out = options.out;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const onNan = options.onNan ?? 'stop';
  const opened = openRunDirectory({
    out,
    identity: { example: spec.name, seed, batchSize, workers: 1, settings: spec.settings },
    resume: options.resume,
    overwrite: options.overwrite,
    tensorboard: options.tensorboard,
    settings: { steps, checkpointEvery: options.checkpointEvery ?? null, backend: options.backend, onNan },
    log,
  });
  try {
    const result = await trainOpened(options, spec, { seed, steps, batchSize, out, log, onNan });
    opened.close();
    return result;
  } catch (e) {
    opened.abandon();
    throw e;
  }
}

async function trainOpened(
  options: RunOptions,
  spec: PairedDigitsSpec,
  run: { seed: number; steps: number; batchSize: number; out: string; log: (line: string) => void; onNan: 'stop' | 'skip' | 'off' },
): Promise<RunResult> {
  const { seed, steps, batchSize, out, log, onNan } = run;
  const train = digitsOf(mnistDigits({ split: 'train' }), Number.POSITIVE_INFINITY);
  const pairs = digitPairs(train, spec.makeInput, spec.makeTarget, `${spec.name}-pairs`);
  train.dispose();
  const unet = spec.generator(seed * 2 + 1);
  const generator = pairedGenerator(unet);
  const discriminator = spec.discriminator(seed * 2 + 2);
  const channels = unet.outputShape[2];
  let trainer: Trainer | undefined;
  const held: tf.Tensor[] = [];
  try {
    const players: PlayerSpec[] = [
      {
        name: 'generator',
        kind: 'generator',
        networks: ['generator'],
        optimizer: tf.train.adam(spec.learningRate, spec.beta1),
        draw: 'batch',
        fakes: 'tape',
        loss: (u) => {
          const target = unpackPair(u.batches.real.x, channels);
          const output = unpackPair(u.pair('').fake(), channels);
          const own = spec.generatorTerms(target, output);
          const keys = Object.keys(own);
          return {
            terms: keys.map((k) => tf.mul(own[k].weight, own[k].value) as tf.Scalar),
            logs: Object.fromEntries(keys.map((k) => [k, own[k].value])),
          };
        },
      },
    ];
    if (spec.adversarialWeight > 0)
      players.unshift({
        name: 'discriminator',
        kind: 'discriminator',
        networks: ['discriminator'],
        optimizer: tf.train.adam(spec.learningRate, spec.beta1),
        draw: 'batch',
        fakes: 'constant',
      });
    const game: Game = {
      name: spec.name,
      networks: { generator, discriminator },
      data: { input: pairs.inputs, real: pairs.packed },
      pairs: [
        {
          name: '',
          generator: 'generator',
          discriminator: 'discriminator',
          data: 'real',
          input: { kind: 'data', data: 'input' },
          loss: scaledNonSaturating(spec.adversarialWeight),
        },
      ],
      players,
      latentShape: spec.inputShape,
    };
    trainer = new Trainer({
      game,
      batchSize,
      seed,
      ...(onNan === 'off' ? {} : { nanGuard: { action: onNan, checkGradients: true } }),
    });
    const t = trainer;
    const resumedFrom = options.resume ? await resumeRun(out, t, { log }) : 0;
    const progress = options.progress === false ? undefined : new Progress({ total: steps, label: `train ${spec.name}` });
    const checkpoints = new RunCheckpoints(out, t, { every: options.checkpointEvery, keep: options.keep }, []);
    let nonFinite: string | undefined;
    let fit: Awaited<ReturnType<typeof t.fit>>;
    try {
      fit = await t.fit({
        steps: Math.max(0, steps - t.iteration),
        onStep: async (l) => {
          const own = Object.entries(l.terms)
            .map(([k, v]) => `${k.slice(spec.name.length + 1)} ${v.toFixed(3)}`)
            .join(' ');
          progress?.update(l.step + 1, `D ${l.discriminatorLoss.toFixed(3)} G ${l.generatorLoss.toFixed(3)} ${own}`);
          if (!nonFinite) nonFinite = await checkpoints.afterStep(l.step + 1);
          await yieldNow();
        },
      });
    } finally {
      progress?.finish();
    }
    const fault = await endGameRun({
      out,
      trainer: t,
      fit,
      checkpoints,
      nonFinite,
      onNan,
      resumedFrom,
      checkpointsOn: options.checkpointEvery !== 0,
      roles: { generator: unet, discriminator },
      log,
    });
    if (fault) return fault;

    // Held-out pairs from the test split, none seen in training.
    const test = mnistDigits({ split: 'test', shuffle: false });
    const digits = digitsOf(test, spec.heldOut);
    held.push(digits);
    const inputs = spec.makeInput(digits);
    const targets = spec.makeTarget(digits);
    held.push(inputs, targets);
    const labels = Int32Array.from((test.labels ?? new Int32Array(0)).subarray(0, digits.shape[0]));
    const done = await spec.finish({ generator: unet, heldOut: { inputs, targets, labels }, out, seed });
    const terms = fit.last?.terms ?? {};
    const metrics = {
      example: spec.name,
      ...done.metrics,
      final: fit.last
        ? {
            ...Object.fromEntries(Object.entries(terms).map(([k, v]) => [k.slice(spec.name.length + 1), round(v)])),
            generatorLoss: round(fit.last.generatorLoss),
            discriminatorLoss: round(fit.last.discriminatorLoss),
          }
        : null,
      steps: t.iteration,
      seconds: Number(fit.seconds.toFixed(2)),
      secondsPerStep: fit.steps > 0 ? Number((fit.seconds / fit.steps).toFixed(3)) : null,
      backend: options.backend,
      seed,
      batchSize,
      settings: spec.settings,
    };
    fs.writeFileSync(path.join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    return {
      files: ['config.json', 'final/', ...done.files, 'metrics.json'],
      summary: `${spec.name}: ${t.iteration} steps, ${fit.seconds.toFixed(1)} s on ${options.backend}; ${done.summary}`,
      steps: t.iteration,
      seconds: fit.seconds,
      resumedFrom,
    };
  } finally {
    tf.dispose(held);
    trainer?.dispose();
    generator.dispose();
    discriminator.dispose();
  }
}
