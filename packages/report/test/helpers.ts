// Test doubles shared by the report tests: a tiny generator network and a TrainContext.
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomSource, type ApplyOptions, type Network, type StepLogs, type TrainContext } from '@gankit/core';

/** A fresh temporary folder. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'gankit-report-'));
}

/** One call of {@link TinyGenerator.apply}: the mode and a copy of the input values. */
export interface ApplyCall {
  training: boolean;
  z: number[];
  labels?: number[] | undefined;
}

let made = 0;

/**
 * z [n, latent] → tanh(z · W + label offset) reshaped to [n, h, w, c]. Records every call.
 */
export class TinyGenerator implements Network {
  readonly name = 'generator';
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly trainableVariables: tf.Variable[];
  readonly nonTrainableVariables: tf.Variable[] = [];
  readonly calls: ApplyCall[] = [];

  constructor(
    latent = 4,
    readonly h = 3,
    readonly w = 2,
    readonly c = 1,
    seed = 7,
  ) {
    this.inputShape = [latent];
    this.outputShape = [h, w, c];
    const rng = new RandomSource(seed);
    this.trainableVariables = [
      tf.variable(
        tf.tidy(() => rng.normal([latent, h * w * c], 0, 1)),
        true,
        `tiny-generator-${++made}/kernel`,
      ),
    ];
  }

  get kernel(): tf.Variable {
    return this.trainableVariables[0];
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    this.calls.push({
      training: options.training,
      z: Array.from(x.dataSync()),
      labels: options.labels ? Array.from(options.labels.dataSync()) : undefined,
    });
    return tf.tidy(() => {
      let y = tf.matMul(x as tf.Tensor2D, this.kernel);
      if (options.labels) y = tf.add(y, tf.expandDims(tf.cast(options.labels, 'float32'), 1));
      return tf.reshape(tf.tanh(y), [x.shape[0], this.h, this.w, this.c]);
    });
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

/** A TrainContext around a generator; set `step` as the trainer would (iterations completed). */
export function makeContext(generator: Network, seed = 1): TrainContext & { step: number } {
  const random = new RandomSource(seed);
  const ctx = {
    step: 0,
    info: { batchSize: 8, discriminatorSteps: 1, latentShape: [...generator.inputShape], seed, loss: 'non-saturating' },
    generator,
    discriminator: generator,
    networks: { generator },
    random,
    sampleLatent: (n: number) => random.normal([n, ...generator.inputShape]),
    requestStop: () => undefined,
  };
  return ctx;
}

/** StepLogs for iteration `step` (0-based) with made-up but distinct values. */
export function makeLogs(step: number, extra: Partial<StepLogs> = {}): StepLogs {
  return {
    step,
    discriminatorLoss: 1.4 - step * 0.01,
    generatorLoss: 0.7 + step * 0.02,
    dReal: 0.5 + step * 0.001,
    dFake: 0.5 - step * 0.001,
    terms: { 'gp/penalty': step * 0.1 },
    metrics: {},
    seconds: 0.05,
    ...extra,
  };
}

/** Runs the plugin hooks as the trainer does for `steps` iterations. */
export async function simulate(
  plugin: { setup?(c: TrainContext): unknown; onStepEnd?(c: TrainContext, l: StepLogs): unknown; onTrainEnd?(c: TrainContext): unknown },
  ctx: TrainContext & { step: number },
  steps: number,
  logsFor: (step: number) => StepLogs = (s) => makeLogs(s),
): Promise<StepLogs[]> {
  await plugin.setup?.(ctx);
  const all: StepLogs[] = [];
  for (let i = 0; i < steps; i++) {
    const logs = logsFor(ctx.step);
    ctx.step++;
    await plugin.onStepEnd?.(ctx, logs);
    all.push(logs);
  }
  await plugin.onTrainEnd?.(ctx);
  return all;
}
