// cyclegan-digits: `gankit train --example cyclegan-digits`, an example with a training loop of its own.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type DataSource, type Network } from '@gankit/core';
import { cycleganGenerator, patchganDiscriminator } from '@gankit/architectures';
import { tensorDataset } from '@gankit/data';
import { mnistDigits } from '@gankit/data/node';
import type { InMemoryDataset } from '@gankit/data';
import { imageGrid, tensorboardWriter, type TensorBoardWriter } from '@gankit/report';
import { Trainer, cycleGan } from '@gankit/trainer';
import {
  Progress,
  RunCheckpoints,
  endGameRun,
  openRunDirectory,
  resumeRun,
  yieldNow,
  type CustomExample,
  type RunOptions,
  type RunResult,
} from '@gankit/cli';

/** How domain B is made from upright digits. */
export type DigitTransform = 'rotated' | 'bold';

/** The settings of `gankit train --example cyclegan-digits` (small widths, for a CPU). */
export const CYCLEGAN_DIGITS = {
  steps: 2000,
  batchSize: 4,
  /**
   * Domain B: digits in bold (strokes dilated by one pixel), which the CycleGAN learns in 2,000
   * iterations, or rotated 90° counter-clockwise, a geometric change it does not learn there.
   */
  domainB: 'bold' as DigitTransform,
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

/** The settings {@link trainCycleganDigits} takes: any of {@link CYCLEGAN_DIGITS}. */
export type CycleganDigitsSettings = Partial<typeof CYCLEGAN_DIGITS>;

/** Rotates a batch `[n, h, h, c]` by 90° counter-clockwise: `out[i][j] = in[j][h-1-i]`. */
export function rotate90(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1));
}

/** Bold digits: every pixel becomes the brightest of its 3×3 neighbourhood (a one-pixel dilation of the strokes). */
export function embolden(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.maxPool(x, 3, 1, 'same'));
}

/** Applies a {@link DigitTransform} to a batch of upright digits. */
export function transformDigits(x: tf.Tensor4D, transform: DigitTransform): tf.Tensor4D {
  if (transform === 'rotated') return rotate90(x);
  if (transform === 'bold') return embolden(x);
  throw new GankitError('config', `domainB must be 'rotated' or 'bold', got ${JSON.stringify(transform)}`);
}

/** The examples at even (`0`) or odd (`1`) positions of a digit set, as `[n, 28, 28, 1]` pixels. */
function half(digits: InMemoryDataset, start: 0 | 1): { pixels: Float32Array; n: number } {
  const n = Math.floor((digits.size - start + 1) / 2);
  const out = new Float32Array(n * 784);
  for (let k = 0; k < n; k++) out.set(digits.data.subarray((start + 2 * k) * 784, (start + 2 * k + 1) * 784), k * 784);
  return { pixels: out, n };
}

/**
 * Two unpaired domains from one digit set: A = the upright digits at even positions, B = the
 * digits at odd positions, transformed (`'rotated'` or `'bold'`). No digit is in both.
 */
export function digitDomains(
  digits: InMemoryDataset,
  transform: DigitTransform = CYCLEGAN_DIGITS.domainB,
): { a: DataSource & { size: number }; b: DataSource & { size: number } } {
  const even = half(digits, 0);
  const odd = half(digits, 1);
  const b = tf.tidy(() => transformDigits(tf.tensor4d(odd.pixels, [odd.n, 28, 28, 1]), transform));
  const dataB = tensorDataset({ x: b, name: `mnist-${transform}` });
  b.dispose();
  const dataA = tensorDataset({ x: even.pixels, shape: [28, 28, 1], name: 'mnist-upright' });
  return { a: dataA as DataSource & { size: number }, b: dataB as DataSource & { size: number } };
}

const round = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

/**
 * Trains the CycleGAN between upright and transformed digits and writes the run directory:
 * `config.json`, `checkpoints/` (with `checkpointEvery`), `final/` (the four networks),
 * `translations.png` (rows: held-out upright digits a, G(a), F(G(a)), held-out transformed digits
 * b, F(b), G(F(b))) and `metrics.json` (the last iteration's cycle and identity L1 terms, the same
 * on held-out digits, timings). `settings` override {@link CYCLEGAN_DIGITS}.
 */
export async function trainCycleganDigits(options: RunOptions, settings: CycleganDigitsSettings = {}): Promise<RunResult> {
  if (options.replica || (options.workers ?? 1) > 1) {
    throw new GankitError(
      'config',
      'cyclegan-digits trains on one thread (its batch of one pair of digits does not split over workers); use --workers 1',
    );
  }
  const s = { ...CYCLEGAN_DIGITS, ...settings, ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}) };
  const seed = options.seed ?? 0;
  const steps = options.steps ?? s.steps;
  const out = options.out;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const onNan = options.onNan ?? 'stop';
  const opened = openRunDirectory({
    out,
    identity: { example: 'cyclegan-digits', seed, batchSize: s.batchSize, workers: 1, settings: s },
    resume: options.resume,
    overwrite: options.overwrite,
    tensorboard: options.tensorboard,
    settings: { steps, checkpointEvery: options.checkpointEvery ?? null, backend: options.backend, onNan },
    log,
  });
  try {
    const result = await trainOpened(options, s, { seed, steps, out, log, onNan });
    opened.close();
    return result;
  } catch (e) {
    opened.abandon();
    throw e;
  }
}

async function trainOpened(
  options: RunOptions,
  s: typeof CYCLEGAN_DIGITS,
  run: { seed: number; steps: number; out: string; log: (line: string) => void; onNan: 'stop' | 'skip' | 'off' },
): Promise<RunResult> {
  const { seed, steps, out, log, onNan } = run;
  const { a: dataA, b: dataB } = digitDomains(mnistDigits({ split: 'train' }), s.domainB);
  const shape: [number, number, number] = [28, 28, 1];
  const networks: Network[] = [];
  const build = <T extends Network>(n: T): T => {
    networks.push(n);
    return n;
  };
  const generatorAB = build(
    cycleganGenerator({
      imageShape: shape,
      filters: s.generatorFilters,
      residualBlocks: s.residualBlocks,
      seed: seed * 4 + 1,
      name: 'g_ab',
    }),
  );
  const generatorBA = build(
    cycleganGenerator({
      imageShape: shape,
      filters: s.generatorFilters,
      residualBlocks: s.residualBlocks,
      seed: seed * 4 + 2,
      name: 'g_ba',
    }),
  );
  const discriminatorA = build(
    patchganDiscriminator({
      imageShape: shape,
      filters: s.discriminatorFilters,
      layers: s.discriminatorLayers,
      seed: seed * 4 + 3,
      name: 'd_a',
    }),
  );
  const discriminatorB = build(
    patchganDiscriminator({
      imageShape: shape,
      filters: s.discriminatorFilters,
      layers: s.discriminatorLayers,
      seed: seed * 4 + 4,
      name: 'd_b',
    }),
  );
  let trainer: Trainer | undefined;
  let tensorboard: TensorBoardWriter | undefined;
  const held: tf.Tensor[] = [];
  try {
    const game = cycleGan({
      generatorAB,
      generatorBA,
      discriminatorA,
      discriminatorB,
      dataA,
      dataB,
      cycleWeight: s.cycleWeight,
      identityWeight: s.identityWeight,
      generatorOptimizer: tf.train.adam(s.learningRate, s.beta1),
      discriminatorOptimizer: tf.train.adam(s.learningRate, s.beta1),
    });
    // --tensorboard: the scalars of every iteration (the same plugin as every example's) and, at the end, translations.png.
    tensorboard =
      options.tensorboard === undefined
        ? undefined
        : tensorboardWriter({ dir: options.tensorboard, resume: options.resume === true, keepOpen: true, order: 300 });
    trainer = new Trainer({
      game,
      batchSize: s.batchSize,
      seed,
      plugins: tensorboard ? [tensorboard] : [],
      ...(onNan === 'off' ? {} : { nanGuard: { action: onNan, checkGradients: true } }),
    });
    const resumedFrom = options.resume ? await resumeRun(out, trainer, { log }) : 0;
    const settingsJson = { ...s, trainA: dataA.size, trainB: dataB.size };
    const progress = options.progress === false ? undefined : new Progress({ total: steps, label: 'train cyclegan-digits' });
    const t = trainer;
    const checkpoints = new RunCheckpoints(out, t, { every: options.checkpointEvery, keep: options.keep }, []);
    // The trainer's NaN guard rolls a faulty iteration back ('stop' ends training there, 'skip'
    // goes on); with it off, nothing non-finite is written either.
    let nonFinite: string | undefined;
    let fit: Awaited<ReturnType<typeof trainer.fit>>;
    try {
      fit = await t.fit({
        steps: Math.max(0, steps - t.iteration),
        onStep: async (l) => {
          progress?.update(
            l.step + 1,
            `D ${l.discriminatorLoss.toFixed(3)} G ${l.generatorLoss.toFixed(3)} cycle ${(l.terms['cyclegan/cycleA'] ?? NaN).toFixed(3)}`,
          );
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
      roles: { generatorAB, generatorBA, discriminatorA, discriminatorB },
      log,
    });
    if (fault) return fault;

    // Held-out digits (the test split), A upright and B transformed, none seen in training.
    const test = mnistDigits({ split: 'test', shuffle: false });
    const k = s.gridImages;
    const stride = Math.floor(test.size / k);
    const pick = (offset: number) => {
      const p = new Float32Array(k * 784);
      for (let i = 0; i < k; i++) p.set(test.data.subarray((i * stride + offset) * 784, (i * stride + offset + 1) * 784), i * 784);
      return tf.tensor4d(p, [k, 28, 28, 1]);
    };
    const testA = pick(0);
    const testB = tf.tidy(() => transformDigits(pick(1), s.domainB));
    held.push(testA, testB);
    const l1 = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.mean(tf.abs(tf.sub(x, y))).dataSync()[0]);
    const ab = game.translate(testA, 'AB');
    const aba = game.translate(ab, 'BA');
    const ba = game.translate(testB, 'BA');
    const bab = game.translate(ba, 'AB');
    const fa = game.translate(testA, 'BA');
    const gb = game.translate(testB, 'AB');
    held.push(ab, aba, ba, bab, fa, gb);
    // How close a translation is to the transformation itself (possible here because we know it).
    const target = transformDigits(testA as tf.Tensor4D, s.domainB);
    held.push(target);
    const heldOut = {
      cycleA: l1(aba, testA),
      cycleB: l1(bab, testB),
      identityA: l1(fa, testA),
      identityB: l1(gb, testB),
      translationAB: l1(ab, target),
      copyAB: l1(testA, target),
    };
    const grid = tf.concat([testA, ab, aba, testB, ba, bab], 0);
    const png = imageGrid(grid, { cols: k });
    fs.writeFileSync(path.join(out, 'translations.png'), png);
    grid.dispose();
    if (tensorboard) {
      await tensorboard.addImage(t.iteration, 'translations', png);
      await tensorboard.close();
    }

    const terms = fit.last?.terms ?? {};
    const term = (name: string) => (terms[`cyclegan/${name}`] === undefined ? null : round(terms[`cyclegan/${name}`]));
    const metrics = {
      example: 'cyclegan-digits',
      definition:
        'final: the last training iteration; cycleA = |F(G(a)) - a|, cycleB = |G(F(b)) - b|, identityA = |F(a) - a|, identityB = |G(b) - b|, mean absolute pixel errors (images in [-1, 1]), unweighted (the identity terms are null when identityWeight is 0); heldOut: the same four on held-out test digits in inference mode, plus translationAB = |G(a) - T(a)| (T: the transformation that makes domain B) and copyAB = |a - T(a)| (what copying the input would score); A = upright digits, B = T(digits); G: A -> B, F: B -> A',
      domainB: s.domainB,
      final: fit.last
        ? {
            cycleA: term('cycleA'),
            cycleB: term('cycleB'),
            identityA: term('identityA'),
            identityB: term('identityB'),
            generatorLoss: round(fit.last.generatorLoss),
            discriminatorLoss: round(fit.last.discriminatorLoss),
          }
        : null,
      heldOut: Object.fromEntries(Object.entries(heldOut).map(([key, v]) => [key, round(v)])),
      steps: t.iteration,
      seconds: Number(fit.seconds.toFixed(2)),
      secondsPerStep: fit.steps > 0 ? Number((fit.seconds / fit.steps).toFixed(3)) : null,
      backend: options.backend,
      seed,
      batchSize: s.batchSize,
      settings: settingsJson,
    };
    fs.writeFileSync(path.join(out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    const h = metrics.heldOut;
    const summary = `cyclegan-digits (upright ↔ ${s.domainB}): ${t.iteration} steps, ${fit.seconds.toFixed(1)} s on ${options.backend}; held-out cycle A ${h.cycleA} B ${h.cycleB}, identity A ${h.identityA} B ${h.identityB}; |G(a) - T(a)| ${h.translationAB} (copying a: ${h.copyAB})`;
    return {
      files: [
        'config.json',
        'final/',
        'translations.png',
        'metrics.json',
        ...(options.tensorboard !== undefined ? [tensorboardShown(out, options.tensorboard)] : []),
      ],
      summary,
      steps: t.iteration,
      seconds: fit.seconds,
      resumedFrom,
    };
  } finally {
    await tensorboard?.close().catch(() => undefined);
    tf.dispose(held);
    trainer?.dispose();
    for (const n of networks) n.dispose();
  }
}

/** `gankit train --example cyclegan-digits`: CycleGAN between upright and bold (or rotated) digits (see {@link trainCycleganDigits}). */
export const cycleganDigits: CustomExample = {
  name: 'cyclegan-digits',
  description: 'CycleGAN (two generators, two PatchGAN discriminators) between regular and bold mnist digits (or rotated ones)',
  defaults: { steps: CYCLEGAN_DIGITS.steps, batchSize: CYCLEGAN_DIGITS.batchSize },
  train: (options) => trainCycleganDigits(options),
};

export default cycleganDigits;

/** The --tensorboard folder as the summary lists it: relative to the run directory when inside it. */
function tensorboardShown(out: string, dir: string): string {
  const rel = path.relative(out, dir);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${rel}/` : dir;
}
