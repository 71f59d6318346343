// What the run commands that draw from a generator share: what they report, and generating in batches.
import { GankitError, type RandomSource, truncatedNormal } from '@gankit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Progress } from '../progress';
import type { LoadedRun, RunWeights } from '../run';

/** What a command reports: files written and a one-line summary. */
export interface CommandResult {
  /** Files written. */
  readonly files: string[];
  /** A line for the terminal. */
  readonly summary: string;
  /** Which weights were used. */
  readonly weights: RunWeights;
}

/** Which weights a command used, for its summary line. */
export function weightsNote(run: LoadedRun, raw: boolean | undefined): string {
  if (raw) return 'raw generator';
  return run.hasAveraged ? 'averaged (EMA) generator' : 'raw generator (the run saved no averaged weights)';
}

/** Generates `n` outputs in batches of 100 (labels `i mod numClasses` for a conditional generator). */
export function generate(run: LoadedRun, z: tf.Tensor, labels: Int32Array | undefined, progress: Progress | undefined): tf.Tensor {
  const n = z.shape[0];
  const parts: tf.Tensor[] = [];
  try {
    for (let i = 0; i < n; i += 100) {
      const b = Math.min(100, n - i);
      parts.push(
        tf.tidy(() => {
          const zb = tf.slice(z, i, b);
          return run.sampler.sample(zb, labels ? tf.tensor1d(labels.subarray(i, i + b), 'int32') : undefined);
        }),
      );
      progress?.update(i + b);
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  } finally {
    if (parts.length > 1) tf.dispose(parts);
    progress?.finish();
  }
}

/**
 * Draws `n` latent points for a run's generator: from the example's own latent distribution when
 * it names one (InfoGAN's noise and codes), else a standard normal of G's input shape, truncated at
 * ±ψ when `truncation` is given (which a distribution of the example's own cannot be).
 */
export function drawLatents(run: LoadedRun, n: number, random: RandomSource, truncation?: number | undefined): tf.Tensor {
  const own = run.example.latent;
  if (own === undefined) return truncatedNormal([n, ...run.generator.inputShape], truncation, random);
  if (truncation !== undefined) throw truncationRefused(run.example.name);
  return own(n, random);
}

/** The error for `--truncation` on an example that draws its own latent distribution. */
export function truncationRefused(exampleName: string): GankitError {
  return new GankitError(
    'config',
    `--truncation redraws standard normal latents, but example '${exampleName}' draws its own latent distribution (e.g. codes beside the noise); leave --truncation out`,
  );
}
