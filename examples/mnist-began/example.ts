// mnist-began and mnist-began-low-gamma: `gankit train --example mnist-began` (γ = 0.7) and
// `gankit train --example mnist-began-low-gamma` (γ = 0.3).
import fs from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '@gankit/core';
import { beganCompactAutoencoder, beganDiscriminator, dcganGenerator } from '@gankit/architectures';
import { beganLoss } from '@gankit/losses';
import { lineChartSvg, readMetricsLog } from '@gankit/report';
import { type BeganEquilibrium, beganEquilibrium } from '@gankit/trainer';
import { MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example, type ExampleSetup } from '@gankit/cli';

/** The mnist-began examples' shared settings (the defaults of `gankit train --example mnist-began`). */
export const MNIST_BEGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  /** Adam's learning rate for D. */
  learningRate: 2e-4,
  /** Adam's learning rate for G (five times D's). */
  generatorLearningRate: 1e-3,
  beta1: 0.5,
  steps: 3000,
  batchSize: 16,
  /** Filters of the autoencoder's stride-2 convolution and of its decoder's 14×14 map. */
  filters: 64,
  /** h: length of the autoencoder's embedding and of z. */
  hidden: 32,
  /** G's dense layer before the 7×7 projection (InfoGAN's MNIST generator, batch norm throughout). */
  generatorHidden: 1024,
  /** G's base filters (7×7×64 → 14×14×32 → 28×28×1). */
  generatorFilters: 32,
  /** λ_k, the gain of the equilibrium control (the paper: 0.001 over far longer runs). */
  lambdaK: 0.05,
  /** γ of mnist-began (diversity). */
  gamma: 0.7,
  /** γ of mnist-began-low-gamma (quality). */
  lowGamma: 0.3,
} as const;

const S = MNIST_BEGAN;

/** The example with equilibrium ratio `gamma` and initial k `initialK`. */
function beganExample(name: string, gamma: number, words: string, initialK = 0): Example {
  const base = mnistImageExample(MNIST_BEGAN, {
    name,
    description: `BEGAN on the mnist digits with γ = ${gamma} (${words}): an autoencoder discriminator, the equilibrium control k_t and the convergence measure M`,
    title: `BEGAN on MNIST digits, γ = ${gamma}`,
    generator: (seed) =>
      dcganGenerator({
        imageShape: [28, 28, 1],
        latentDim: S.hidden,
        hiddenUnits: S.generatorHidden,
        baseFilters: S.generatorFilters,
        seed,
      }),
    discriminator: (seed) => beganDiscriminator({ autoencoder: beganCompactAutoencoder({ filters: S.filters, hidden: S.hidden, seed }) }),
    // Replaced in setup by the loss of that run's controller (which owns k_t).
    loss: beganLoss(0),
    plugins: () => [beganEquilibrium({ gamma, lambdaK: MNIST_BEGAN.lambdaK, initialK })],
    precisionRecall: true,
    settings: {
      data: 'mnist (train split, 9,003 digits)',
      architecture: `G: dcganGenerator (z ∈ R^${S.hidden}, dense ${S.generatorHidden} → 7×7×${2 * S.generatorFilters} → ${S.generatorFilters} → 1, batch norm, tanh); D: beganDiscriminator on beganCompactAutoencoder (conv ${S.filters} 4×4 s2 → dense ${S.hidden} → dense 14×14×${S.filters}, batch norm, → transposed conv, tanh)`,
      loss: `BEGAN: L(v) = mean |v − AE(v)|, L_D = L(x) − k_t L(G(z)), L_G = L(G(z)); γ = ${gamma}, λ_k = ${MNIST_BEGAN.lambdaK}, k_0 = ${initialK}`,
      optimizer: `adam beta1 ${S.beta1}: lr ${S.generatorLearningRate} (G), ${S.learningRate} (D)`,
      averaging: 'ema decay 0.999, ramp-up',
    },
  });
  return {
    ...base,
    setup(options): ExampleSetup {
      const s = base.setup(options);
      const began = s.plugins.find((p): p is BeganEquilibrium => p.name === 'began') as BeganEquilibrium;
      return { ...s, loss: began.loss };
    },
    async finish(trainer, facts) {
      const out = await base.finish(trainer, facts);
      const logFile = path.join(facts.out, 'logs.jsonl');
      if (!fs.existsSync(logFile)) return out;
      // The convergence measure M and k_t of every step: a chart and their first and last values.
      const records = await readMetricsLog(logFile);
      const series = (key: string) => records.filter((r) => Number.isFinite(r.metrics[key])).map((r) => [r.step, r.metrics[key]] as const);
      const m = series('began/M');
      const k = series('began/k');
      const svg = (points: typeof m, title: string, yLabel: string) =>
        lineChartSvg([{ name: yLabel, points }], { title, yLabel, width: 560, height: 260, maxPoints: 150 });
      fs.writeFileSync(path.join(facts.out, 'convergence.svg'), svg(m, `BEGAN convergence measure M (γ = ${gamma})`, 'M'));
      fs.writeFileSync(path.join(facts.out, 'k.svg'), svg(k, `BEGAN equilibrium k_t (γ = ${gamma})`, 'k'));
      const mean = (pts: typeof m) => pts.reduce((a, p) => a + p[1], 0) / Math.max(1, pts.length);
      const window = Math.min(100, Math.floor(m.length / 2));
      const began: { [key: string]: JsonValue } = {
        gamma,
        lambdaK: MNIST_BEGAN.lambdaK,
        mFirst100: Number(mean(m.slice(0, window)).toPrecision(6)),
        mLast100: Number(mean(m.slice(-window)).toPrecision(6)),
        kFinal: k.length ? Number(k[k.length - 1][1].toPrecision(6)) : null,
      };
      const metrics = { ...out.metrics, began };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
      return {
        files: [...out.files, 'convergence.svg', 'k.svg'],
        metrics,
        summary: `${out.summary}; M ${began.mFirst100} → ${began.mLast100} (means of the first and last ${window} steps), k ${began.kFinal}`,
      };
    },
  };
}

/**
 * mnist-began: BEGAN (Berthelot et al. 2017) on the `mnist` digits with γ = 0.7 (the diverse
 * setting). D is an autoencoder whose output is its pixel-wise L1 loss per example
 * (`beganDiscriminator` on `beganCompactAutoencoder`: batch norm on its 32-long embedding); G is
 * InfoGAN's MNIST generator with batch norm (`dcganGenerator` with `hiddenUnits`), G learning five
 * times faster than D. The `beganEquilibrium` plugin owns
 * k_t (eq. 4) and the loss pair that reads it, and logs k and the convergence measure M every step.
 * Outputs as every mnist image example (grids, FID and IS of the raw and EMA generators) plus
 * improved precision and recall, `convergence.svg` (M) and `k.svg`.
 */
export const mnistBegan: Example = beganExample('mnist-began', MNIST_BEGAN.gamma, 'diversity');

/** mnist-began-low-gamma: {@link mnistBegan} with γ = 0.3 (the paper's quality setting). */
export const mnistBeganLowGamma: Example = beganExample('mnist-began-low-gamma', MNIST_BEGAN.lowGamma, 'quality');

/**
 * {@link mnistBegan} with another γ and k_0 (default 0), named `mnist-began-gamma-<γ>`: the γ sweep
 * of the example's README (γ = 0.5 and 1.0, and γ = 0.3 from k_0 = 0.3). Not registered with
 * `gankit train`; train it from code (`examples/mnist-began/train.mjs --gamma G [--initial-k K]`).
 */
export function mnistBeganWithGamma(gamma: number, initialK = 0): Example {
  return beganExample(`mnist-began-gamma-${gamma}`, gamma, `a γ of your own, k_0 = ${initialK}`, initialK);
}

export default [mnistBegan, mnistBeganLowGamma];
