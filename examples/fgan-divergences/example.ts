// fgan-divergences: `gankit train --example fgan-mixture` and `gankit train --example fgan-mnist`.
// Each fits the same generator under several f-divergences (f-GAN, Nowozin et al. 2016), one run
// after another into a folder per divergence, and puts the pictures and numbers side by side.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type JsonValue } from '@gankit/core';
import { dcganDiscriminator, dcganGenerator, dense, mlpDiscriminator, sequential, type Initializer } from '@gankit/architectures';
import { gaussianMixture, type GaussianMixture } from '@gankit/data';
import { r1 } from '@gankit/regularizers';
import { F_DIVERGENCES, fGan, type FDivergence, type FGanGeneratorObjective } from '@gankit/losses';
import { decodePng, encodePng, type RasterImage } from '@gankit/report';
import type { Trainer } from '@gankit/trainer';
import {
  MNIST_IMAGE_DEFAULTS,
  mnistImageExample,
  runTraining,
  scatterPng,
  type CustomExample,
  type Example,
  type ExampleOutputs,
  type RunFacts,
  type RunOptions,
  type RunResult,
} from '@gankit/cli';

/**
 * The settings of `gankit train --example fgan-mixture`: a Gaussian generator (an affine map of a
 * 2-D standard normal, so every fit is a Gaussian whose divergences can be computed exactly) fitted
 * to a mixture of two Gaussians with weights 2 : 1, started as a narrow Gaussian between them.
 */
export const FGAN_MIXTURE = {
  /** Centres of the two components: the heavy one (weight 2/3) first. */
  modes: [
    [-1.5, 0],
    [1.5, 0],
  ] as readonly (readonly number[])[],
  /** Weights of the components, as whole numbers (each centre is listed this many times in the data). */
  weights: [2, 1] as readonly number[],
  /** Standard deviation of each component. */
  std: 0.3,
  /** Mean of the generator's first Gaussian (between the modes, nearer the heavy one). */
  startMean: [-0.75, 0.5] as readonly number[],
  /** Standard deviation of the generator's first Gaussian. */
  startStd: 0.2,
  /** Hidden widths of the leaky-ReLU MLP critic. */
  criticHidden: [64, 64] as readonly number[],
  /** Adam's learning rate, for both players. */
  learningRate: 1e-3,
  /** Adam's β₁. */
  beta1: 0.5,
  /** G's objective (Nowozin et al. §3.2; see `fGan`). */
  generatorObjective: 'non-saturating' as FGanGeneratorObjective,
  /**
   * The divergences whose critic gets an R1 penalty: those with an unbounded conjugate (KL's
   * exp(v − 1), Pearson's v²/4 + v), where the critic's output grows without bound on real data the
   * generator does not reach; KL's fit blew up without it (seed 0: mean x −2.11, 99 % of the samples
   * off both modes; with γ = 1: −0.49, the moment-matched −0.5).
   */
  r1Divergences: ['kl', 'pearson'] as readonly FDivergence[],
  /** Weight γ of that R1 penalty. */
  r1Gamma: 1,
  /** Iterations per divergence. */
  steps: 3000,
  /** Examples per batch. */
  batchSize: 256,
  /** Samples drawn from each fit for the pictures and the sample counts. */
  evalSamples: 5000,
  /** A sample is "on a mode" within this many standard deviations of its centre. */
  onModeStds: 2,
  /** The divergences fitted, in this order. */
  divergences: F_DIVERGENCES as readonly FDivergence[],
};

/** A fitted 2-D Gaussian: mean and covariance `[[a, b], [b, c]]`. */
export interface FganGaussian {
  /** Mean `[x, y]`. */
  readonly mean: readonly number[];
  /** Covariance as `[var x, cov xy, var y]`. */
  readonly cov: readonly [number, number, number];
}

/** A 2-D mixture of isotropic Gaussians with weights (they need not sum to 1). */
export interface FganMixture {
  /** Component centres. */
  readonly modes: readonly (readonly number[])[];
  /** Component weights. */
  readonly weights: readonly number[];
  /** Standard deviation of every component. */
  readonly std: number;
}

const logSumExp = (a: number, b: number): number => {
  const m = Math.max(a, b);
  return m === -Infinity ? -Infinity : m + Math.log(Math.exp(a - m) + Math.exp(b - m));
};

/**
 * `D_f(P‖Q) = ∫ q f(p/q)` for a 2-D mixture P and a Gaussian Q, by the midpoint rule on a square
 * grid that covers both (`cells` per side), each term written from log p and log q so that no ratio
 * overflows: KL `p (log p − log q)`, reverse KL `q (log q − log p)`, Pearson `(p − q)²/q`, squared
 * Hellinger `(√p − √q)²`, Jensen–Shannon `p log(2p/(p+q)) + q log(2q/(p+q))`, GAN the same less
 * `log 4`, total variation `½|p − q|` (the f of `F_DIVERGENCE_SPECS`, integrated).
 */
export function fganDivergencesOfGaussian(p: FganMixture, q: FganGaussian, cells = 400): Record<FDivergence, number> {
  const [a, b, c] = q.cov;
  const det = a * c - b * b;
  if (!(det > 0) || !(a > 0))
    throw new GankitError('value', `fganDivergencesOfGaussian: the covariance [${q.cov.join(', ')}] is not positive definite`);
  const total = p.weights.reduce((s, w) => s + w, 0);
  const logW = p.weights.map((w) => Math.log(w / total));
  const s2 = p.std * p.std;
  const logNormP = -Math.log(2 * Math.PI * s2);
  const logNormQ = -Math.log(2 * Math.PI) - 0.5 * Math.log(det);
  // The grid: the mixture's centres ± 8 std and the Gaussian's mean ± 8 of its largest std.
  const spread = 8 * Math.sqrt(Math.max(a, c) + Math.abs(b));
  let lo = Infinity;
  let hi = -Infinity;
  const widen = (v: number, by: number) => {
    lo = Math.min(lo, v - by);
    hi = Math.max(hi, v + by);
  };
  for (const m of p.modes) for (const v of m) widen(v, 8 * p.std);
  for (const v of q.mean) widen(v, spread);
  const h = (hi - lo) / cells;
  const sums: Record<FDivergence, number> = {
    kl: 0,
    'reverse-kl': 0,
    pearson: 0,
    'squared-hellinger': 0,
    'jensen-shannon': 0,
    gan: 0,
    'total-variation': 0,
  };
  for (let i = 0; i < cells; i++) {
    const x = lo + (i + 0.5) * h;
    for (let j = 0; j < cells; j++) {
      const y = lo + (j + 0.5) * h;
      let lp = -Infinity;
      p.modes.forEach((m, k) => {
        lp = logSumExp(lp, logW[k] - ((x - m[0]) ** 2 + (y - m[1]) ** 2) / (2 * s2));
      });
      lp += logNormP;
      const dx = x - q.mean[0];
      const dy = y - q.mean[1];
      const lq = logNormQ - (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / (2 * det);
      const pv = Math.exp(lp);
      const qv = Math.exp(lq);
      const lm = logSumExp(lp, lq); // log(p + q)
      if (pv > 0) sums.kl += pv * (lp - lq);
      if (qv > 0) sums['reverse-kl'] += qv * (lq - lp);
      sums.pearson += Math.exp(2 * lp - lq) - 2 * pv + qv;
      sums['squared-hellinger'] += (Math.sqrt(pv) - Math.sqrt(qv)) ** 2;
      const js = (pv > 0 ? pv * (Math.LN2 + lp - lm) : 0) + (qv > 0 ? qv * (Math.LN2 + lq - lm) : 0);
      sums['jensen-shannon'] += js;
      sums['total-variation'] += 0.5 * Math.abs(pv - qv);
    }
  }
  const area = h * h;
  const out = {} as Record<FDivergence, number>;
  for (const d of F_DIVERGENCES) out[d] = sums[d] * area;
  out.gan = out['jensen-shannon'] - Math.log(4);
  return out;
}

/** The Gaussian that minimises KL(P‖Q) over all Gaussians Q: the mixture's mean and covariance (moment matching). */
export function fganMomentMatch(p: FganMixture): FganGaussian {
  const total = p.weights.reduce((s, w) => s + w, 0);
  const w = p.weights.map((v) => v / total);
  const mean = [0, 1].map((k) => p.modes.reduce((s, m, i) => s + w[i] * m[k], 0));
  const second = (k: number, l: number) => p.modes.reduce((s, m, i) => s + w[i] * (m[k] - mean[k]) * (m[l] - mean[l]), 0);
  const s2 = p.std * p.std;
  return { mean, cov: [second(0, 0) + s2, second(0, 1), second(1, 1) + s2] };
}

const mixtureOf = (s: typeof FGAN_MIXTURE): FganMixture => ({ modes: s.modes, weights: s.weights, std: s.std });

/** The mixture's data source: each centre listed as many times as its weight. */
function mixtureData(s: typeof FGAN_MIXTURE): GaussianMixture {
  const modes = s.modes.flatMap((m, i) => Array.from({ length: s.weights[i] }, () => [...m]));
  return gaussianMixture({ modes, std: s.std, name: 'two-gaussians-2to1' });
}

/** The Gaussian generator: `x = z·W + b` on a 2-D standard normal z, W = startStd·I and b = startMean at first. */
function gaussianGenerator(s: typeof FGAN_MIXTURE, seed: number) {
  const kernel: Initializer = () => tf.mul(tf.eye(2), s.startStd);
  const bias: Initializer = () => tf.tensor1d([...s.startMean], 'float32');
  return sequential({
    name: 'generator',
    inputShape: [2],
    seed,
    layers: [dense({ units: 2, kernelInitializer: kernel, biasInitializer: bias })],
  });
}

const round = (v: number, digits = 4): number => (Number.isFinite(v) ? Number(v.toPrecision(digits)) : v);

/** The fitted Gaussian of a trained Gaussian generator, read from its weights: mean b, covariance WᵀW. */
function fittedGaussian(trainer: Trainer): FganGaussian {
  const [kernel, bias] = trainer.generator.trainableVariables;
  const w = kernel.arraySync() as number[][];
  const b = bias.arraySync() as number[];
  const col = (i: number, j: number) => w[0][i] * w[0][j] + w[1][i] * w[1][j];
  return { mean: b, cov: [col(0, 0), col(0, 1), col(1, 1)] };
}

/** The share of samples within `onModeStds` std of each centre, and the share on none. */
function modeShares(points: number[][], s: typeof FGAN_MIXTURE): { onMode: number[]; between: number } {
  const r2 = (s.onModeStds * s.std) ** 2;
  const counts = s.modes.map(() => 0);
  let none = 0;
  for (const p of points) {
    const k = s.modes.findIndex((m) => (p[0] - m[0]) ** 2 + (p[1] - m[1]) ** 2 <= r2);
    if (k >= 0) counts[k]++;
    else none++;
  }
  return { onMode: counts.map((c) => round(c / points.length, 3)), between: round(none / points.length, 3) };
}

const MIXTURE_RANGE: [number, number] = [-3.5, 3.5];

/** Points on the k-std ellipse of a 2-D Gaussian, for drawing it. */
function ellipse(g: FganGaussian, k: number, n = 400): number[][] {
  const [a, b, c] = g.cov;
  // Cholesky factor L of the covariance: x = mean + k·L·(cos t, sin t).
  const l11 = Math.sqrt(a);
  const l21 = b / l11;
  const l22 = Math.sqrt(Math.max(c - l21 * l21, 0));
  return Array.from({ length: n }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    const u = k * Math.cos(t);
    const v = k * Math.sin(t);
    return [g.mean[0] + l11 * u, g.mean[1] + l21 * u + l22 * v];
  });
}

/**
 * The reference panel: the 2-std circles of the mixture's components in grey, the 1- and 2-std
 * ellipses of the moment-matched Gaussian (the best fit under KL) in blue, and the 2-std circle of
 * the generator's start in green.
 */
function referencePanel(s: typeof FGAN_MIXTURE): Uint8Array {
  const best = fganMomentMatch(mixtureOf(s));
  const start: FganGaussian = { mean: s.startMean, cov: [s.startStd ** 2, 0, s.startStd ** 2] };
  const modes = s.modes.map((m) => ({
    points: ellipse({ mean: m, cov: [s.std ** 2, 0, s.std ** 2] }, 2),
    color: [150, 150, 150] as [number, number, number],
    size: 2,
    alpha: 0.8,
  }));
  return scatterPng(
    [
      ...modes,
      ...[1, 2].map((k) => ({ points: ellipse(best, k), color: [40, 90, 220] as [number, number, number], size: 2, alpha: 0.9 })),
      { points: ellipse(start, 2), color: [40, 160, 60], size: 2, alpha: 0.9 },
    ],
    { range: MIXTURE_RANGE, size: 320 },
  );
}

/** One divergence's fit on the mixture (trained by `runTraining` into its own folder). */
function mixtureRun(divergence: FDivergence, s: typeof FGAN_MIXTURE): Example {
  const name = `fgan-mixture/${divergence}`;
  return {
    name: `fgan-mixture-${divergence}`,
    description: `a Gaussian generator fitted to a 2 : 1 mixture of two Gaussians under ${divergence}`,
    defaults: { steps: s.steps, batchSize: s.batchSize },
    output: 'points',
    setup: ({ seed }) => ({
      generator: gaussianGenerator(s, seed * 2 + 1),
      discriminator: mlpDiscriminator({ inputDim: 2, hidden: s.criticHidden, seed: seed * 2 + 2 }),
      loss: fGan(divergence, { generator: s.generatorObjective }),
      data: mixtureData(s),
      generatorOptimizer: tf.train.adam(s.learningRate, s.beta1),
      discriminatorOptimizer: tf.train.adam(s.learningRate, s.beta1),
      plugins: s.r1Divergences.includes(divergence) ? [r1({ gamma: s.r1Gamma })] : [],
      discriminatorSteps: 1,
    }),
    async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
      const fit = fittedGaussian(trainer);
      const n = facts.evalSamples ?? s.evalSamples;
      const samples = trainer.sample(n);
      const points = samples.arraySync() as number[][];
      samples.dispose();
      const shares = modeShares(points, s);
      const exact = fganDivergencesOfGaussian(mixtureOf(s), fit);
      const real = trainer.data.nextBatch(n, trainer.random);
      const realPoints = real.x.arraySync() as number[][];
      tf.dispose([real.x, real.labels as tf.Tensor]);
      fs.writeFileSync(
        path.join(facts.out, 'samples.png'),
        scatterPng(
          [
            { points: realPoints, color: [150, 150, 150], size: 2, alpha: 0.3 },
            { points, color: [220, 60, 30], size: 2, alpha: 0.5 },
          ],
          { range: MIXTURE_RANGE, size: 320 },
        ),
      );
      const metrics: { [key: string]: JsonValue } = {
        example: name,
        divergence,
        generatorObjective: s.generatorObjective,
        r1Gamma: s.r1Divergences.includes(divergence) ? s.r1Gamma : 0,
        mean: fit.mean.map((v) => round(v)),
        cov: fit.cov.map((v) => round(v)),
        onMode: shares.onMode,
        between: shares.between,
        divergencesOfFit: Object.fromEntries(F_DIVERGENCES.map((d) => [d, round(exact[d])])),
        steps: facts.steps,
        seconds: round(facts.seconds, 4),
        backend: facts.backend,
        seed: facts.seed,
        batchSize: facts.batchSize,
      };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      return {
        files: ['samples.png', 'metrics.json'],
        metrics,
        summary: `${name}: mean (${fit.mean.map((v) => v.toFixed(2)).join(', ')}), var x ${fit.cov[0].toFixed(2)}, on the modes ${shares.onMode.join(' / ')}, between ${shares.between}`,
      };
    },
  };
}

/** Lays PNG panels side by side (`columns` per row) with a white margin, into one PNG. */
export function fganPanels(pngs: readonly Uint8Array[], columns: number, margin = 6): Uint8Array {
  const images = pngs.map((p) => decodePng(p));
  const w = Math.max(...images.map((i) => i.width));
  const h = Math.max(...images.map((i) => i.height));
  const rows = Math.ceil(images.length / columns);
  const width = columns * w + (columns + 1) * margin;
  const height = rows * h + (rows + 1) * margin;
  const pixels = new Uint8Array(width * height * 3).fill(255);
  images.forEach((img, k) => {
    const x0 = margin + (k % columns) * (w + margin);
    const y0 = margin + Math.floor(k / columns) * (h + margin);
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++)
        for (let ch = 0; ch < 3; ch++)
          pixels[((y0 + y) * width + x0 + x) * 3 + ch] = img.pixels[(y * img.width + x) * img.channels + (img.channels === 3 ? ch : 0)];
  });
  const out: RasterImage = { width, height, channels: 3, pixels };
  return encodePng(out);
}

/** What one run of a side-by-side example gives for each divergence. */
interface DivergenceRun {
  readonly divergence: FDivergence;
  readonly result: RunResult;
  readonly metrics: { [key: string]: JsonValue } | undefined;
}

/**
 * Trains `runs` one after another, each into `out/<divergence>/` with the options given (seed,
 * steps, resume, overwrite, ...), then writes `divergences.png` (each run's `picture` side by side,
 * in the order of `runs`, then `extraPanels`) and `metrics.json` (each run's metrics by divergence).
 */
async function trainSideBySide(
  name: string,
  runs: readonly { divergence: FDivergence; example: Example }[],
  options: RunOptions,
  picture: string,
  columns: number,
  extra: (results: DivergenceRun[]) => { [key: string]: JsonValue },
  extraPanels: () => Uint8Array[] = () => [],
): Promise<RunResult> {
  if (options.replica || (options.workers ?? 1) > 1)
    throw new GankitError('config', `${name} trains its divergences one after another on one thread; use --workers 1`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  fs.mkdirSync(options.out, { recursive: true });
  const done: DivergenceRun[] = [];
  let seconds = 0;
  for (const { divergence, example } of runs) {
    const out = path.join(options.out, divergence);
    log(`${name}: ${divergence} → ${out}`);
    const result = await runTraining(example, {
      ...options,
      out,
      tensorboard: options.tensorboard && path.join(options.tensorboard, divergence),
    });
    seconds += result.seconds;
    if (result.fault) return { ...result, summary: `${name}: ${divergence}: ${result.fault}`, files: [] };
    const file = path.join(out, 'metrics.json');
    const metrics = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { [key: string]: JsonValue }) : undefined;
    done.push({ divergence, result, metrics });
    log(result.summary);
  }
  const pngs = [...done.map((r) => fs.readFileSync(path.join(options.out, r.divergence, picture))), ...extraPanels()];
  fs.writeFileSync(path.join(options.out, 'divergences.png'), fganPanels(pngs, columns));
  const metrics = {
    example: name,
    order: done.map((r) => r.divergence),
    ...extra(done),
    runs: Object.fromEntries(done.map((r) => [r.divergence, r.metrics ?? null])),
    seconds: round(seconds, 5),
    seed: options.seed ?? 0,
    backend: options.backend,
  };
  fs.writeFileSync(path.join(options.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  return {
    files: ['divergences.png', 'metrics.json', ...done.map((r) => `${r.divergence}/`)],
    summary: `${name}: ${done.length} divergence${done.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s; ${done.map((r) => r.result.summary.replace(/^[^:]*: /, `${r.divergence}: `)).join('; ')}`,
    steps: done.reduce((s, r) => s + r.result.steps, 0),
    seconds,
    resumedFrom: 0,
  };
}

/**
 * fgan-mixture: the same Gaussian generator fitted under each of the seven f-divergences to a
 * 2 : 1 mixture of two Gaussians ({@link FGAN_MIXTURE}), started as a narrow Gaussian between
 * them. Mode-covering divergences (KL, Pearson) spread it over both modes; mode-seeking ones
 * (reverse KL, squared Hellinger, Jensen–Shannon, GAN) put it on the heavy mode. Writes one folder per divergence
 * (samples.png, metrics.json with the fit and its exact divergences), `divergences.png` (the seven
 * pictures side by side) and `metrics.json` (with the moment-matched Gaussian, the best fit under KL).
 */
export const fganMixture: CustomExample = {
  name: 'fgan-mixture',
  description: 'f-GAN: one Gaussian generator fitted to a 2-mode mixture under 7 f-divergences, side by side (mode covering vs seeking)',
  defaults: { steps: FGAN_MIXTURE.steps, batchSize: FGAN_MIXTURE.batchSize },
  train: (options) => trainFganMixture(options),
};

/** Trains {@link fganMixture} with `settings` overriding {@link FGAN_MIXTURE} (e.g. fewer divergences). */
export function trainFganMixture(options: RunOptions, settings: Partial<typeof FGAN_MIXTURE> = {}): Promise<RunResult> {
  const s = { ...FGAN_MIXTURE, ...settings };
  return trainSideBySide(
    'fgan-mixture',
    s.divergences.map((d) => ({ divergence: d, example: mixtureRun(d, s) })),
    options,
    'samples.png',
    4,
    () => {
      const best = fganMomentMatch(mixtureOf(s));
      return {
        data: { modes: s.modes.map((m) => [...m]), weights: [...s.weights], std: s.std },
        momentMatched: { mean: best.mean.map((v) => round(v)), cov: best.cov.map((v) => round(v)) },
        divergencesOfMomentMatched: Object.fromEntries(
          Object.entries(fganDivergencesOfGaussian(mixtureOf(s), best)).map(([d, v]) => [d, round(v)]),
        ),
      };
    },
    () => [referencePanel(s)],
  );
}

/** The settings of `gankit train --example fgan-mnist`: a small DCGAN fitted under a few f-divergences. */
export const FGAN_MNIST = {
  ...MNIST_IMAGE_DEFAULTS,
  /** Length of the latent vector. */
  latentDim: 64,
  /** `baseFilters` of `dcganGenerator` and `dcganDiscriminator` (the benchmark model has 64). */
  baseFilters: 16,
  /**
   * Adam's step for G and D: 2e-4 (the DCGAN default) made no digits in 600 iterations (EMA FID
   * 340-440); 5e-4 does in 1,500. 1e-3 at baseFilters 32 blew up under reverse KL without R1.
   */
  learningRate: 5e-4,
  /** EMA decay of G's weights: 0.999 averages over ~1,000 iterations, mostly early weights on a short run. */
  emaDecay: 0.99,
  /** Iterations per divergence (about 4 min each on 2 shared cores). */
  steps: 1500,
  /** Samples of the final evaluation. */
  evalSamples: 1000,
  /** Iterations between sample grids. */
  gridEvery: 500,
  /** G's objective (Nowozin et al. §3.2; see `fGan`). */
  generatorObjective: 'non-saturating' as FGanGeneratorObjective,
  /**
   * The divergences whose critic gets an R1 penalty (unbounded conjugates, as in
   * {@link FGAN_MIXTURE}): without it KL's critic output on real digits grew to 28 in 400
   * iterations, then the run fell apart (seed 0: EMA FID 378, raw 833).
   */
  r1Divergences: ['kl', 'pearson'] as readonly FDivergence[],
  /** Weight γ of that R1 penalty. */
  r1Gamma: 1,
  /** The divergences fitted, in this order. */
  divergences: ['kl', 'reverse-kl'] as readonly FDivergence[],
};

/** One divergence's small DCGAN on the mnist digits (trained by `runTraining` into its own folder). */
function mnistRun(divergence: FDivergence, s: typeof FGAN_MNIST): Example {
  return mnistImageExample(s, {
    name: `fgan-mnist-${divergence}`,
    description: `a small DCGAN on the mnist digits under the ${divergence} f-divergence`,
    title: `f-GAN (${divergence}) on MNIST digits`,
    generator: (seed) => dcganGenerator({ imageShape: [28, 28, 1], latentDim: s.latentDim, baseFilters: s.baseFilters, seed }),
    discriminator: (seed) => dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: s.baseFilters, batchNorm: false, seed }),
    loss: fGan(divergence, { generator: s.generatorObjective }),
    plugins: () => (s.r1Divergences.includes(divergence) ? [r1({ gamma: s.r1Gamma })] : []),
    precisionRecall: true,
    settings: {
      data: 'mnist (train split, 9,003 digits)',
      architecture: `dcganGenerator / dcganDiscriminator, baseFilters ${s.baseFilters}, latent ${s.latentDim}, no batch norm in D`,
      loss: `f-gan/${divergence} (${s.generatorObjective} generator)${s.r1Divergences.includes(divergence) ? `, R1 γ = ${s.r1Gamma} on D` : ''}`,
      optimizer: `adam lr ${s.learningRate} beta1 ${s.beta1} (G and D)`,
      averaging: `ema decay ${s.emaDecay}, ramp-up`,
    },
  });
}

/**
 * fgan-mnist: the same small DCGAN ({@link FGAN_MNIST}) trained on the mnist digits under a few
 * f-divergences, one after another; each folder is an image run (grids, samples.png, FID, IS,
 * precision and recall from the shipped digit classifier); `divergences.png` puts the sample grids side by side and
 * `metrics.json` lists each divergence's FID and IS.
 */
export const fganMnist: CustomExample = {
  name: 'fgan-mnist',
  description: 'f-GAN: one small DCGAN trained on mnist digits under KL and reverse KL, side by side (FID, IS, precision, recall)',
  defaults: { steps: FGAN_MNIST.steps, batchSize: FGAN_MNIST.batchSize },
  train: (options) => trainFganMnist(options),
};

/** Trains {@link fganMnist} with `settings` overriding {@link FGAN_MNIST} (e.g. fewer divergences). */
export function trainFganMnist(options: RunOptions, settings: Partial<typeof FGAN_MNIST> = {}): Promise<RunResult> {
  const s = { ...FGAN_MNIST, ...settings };
  return trainSideBySide(
    'fgan-mnist',
    s.divergences.map((d) => ({ divergence: d, example: mnistRun(d, s) })),
    options,
    'samples.png',
    s.divergences.length,
    () => ({}),
  );
}

export default [fganMixture, fganMnist];
