// Test-only helpers (not exported from the package): a hand-made StepContext and tiny critics.
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import type { Network, StepContext } from '@gankit/core';

/** What {@link makeStepContext} needs: the critic, a real batch, a fake batch and a seed. */
export interface StepContextSpec {
  readonly discriminator: Network;
  readonly real: tf.Tensor;
  readonly fake?: tf.Tensor | undefined;
  readonly seed?: number | undefined;
  readonly step?: number | undefined;
}

/**
 * A StepContext as the trainer builds it for a discriminator update: `fake()` returns the given
 * batch, `realOutput`/`fakeOutput` are cached D outputs in training mode, `discriminate` runs D in
 * training mode, `random` is a fresh RandomSource(seed) (so two contexts with one seed draw alike).
 */
export function makeStepContext(spec: StepContextSpec): StepContext {
  const d = spec.discriminator;
  const fake = spec.fake ?? tf.zerosLike(spec.real);
  const generator: Network = {
    name: 'generator',
    inputShape: [1],
    outputShape: fake.shape.slice(1),
    trainableVariables: [],
    nonTrainableVariables: [],
    apply: () => {
      throw new Error('the generator is not run in these tests');
    },
    dispose: () => undefined,
  };
  let realOut: tf.Tensor | null = null;
  let fakeOut: tf.Tensor | null = null;
  const context: StepContext = {
    step: spec.step ?? 0,
    phase: 'discriminator',
    discriminatorStep: 0,
    batch: { x: spec.real },
    z: fake,
    generator,
    discriminator: d,
    networks: { generator, discriminator: d },
    random: new RandomSource(spec.seed ?? 1),
    fake: () => fake,
    realOutput: () => (realOut ??= d.apply(spec.real, { training: true })),
    fakeOutput: () => (fakeOut ??= d.apply(fake, { training: true })),
    discriminate: (x) => d.apply(x, { training: true }),
    fakeLabels: undefined,
    loss: {
      name: 'unused',
      probabilistic: false,
      discriminator: () => {
        throw new Error('the loss is not run in these tests');
      },
      generator: () => {
        throw new Error('the loss is not run in these tests');
      },
    },
    adversarial: (output) => output,
    player: 'discriminator',
    pair: '',
    pairs: [],
  };
  (context as { pairs: readonly StepContext[] }).pairs = [context];
  return context;
}

/** A linear critic D(x) = x·w on inputs [batch, n] (its input gradient is w everywhere). */
export function linearCritic(w: number[]): Network {
  const kernel = tf.variable(tf.tensor2d(w, [w.length, 1]), true);
  return {
    name: 'linear-critic',
    inputShape: [w.length],
    outputShape: [1],
    trainableVariables: [kernel],
    nonTrainableVariables: [],
    apply: (x) => tf.matMul(x as tf.Tensor2D, kernel),
    dispose: () => kernel.dispose(),
  };
}

/**
 * A small conv critic without batch statistics: conv2d 3×3 (valid, `filters` channels) + bias,
 * leaky ReLU 0.2, flatten, dense to one output + bias. Weights from a seeded normal × `scale`.
 */
export function convCritic(inputShape: [number, number, number], filters: number, seed: number, scale = 0.5): Network {
  const [h, w, c] = inputShape;
  const flat = (h - 2) * (w - 2) * filters;
  const rng = new RandomSource(seed);
  const make = (shape: number[]) =>
    tf.variable(
      tf.tidy(() => tf.mul(rng.normal(shape), scale)),
      true,
    );
  const kernel = make([3, 3, c, filters]);
  const convBias = make([filters]);
  const dense = make([flat, 1]);
  const denseBias = make([1]);
  const vars = [kernel, convBias, dense, denseBias];
  return {
    name: 'conv-critic',
    inputShape: [h, w, c],
    outputShape: [1],
    trainableVariables: vars,
    nonTrainableVariables: [],
    apply: (x) =>
      tf.tidy(() => {
        const y = tf.leakyRelu(tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid'), convBias), 0.2);
        return tf.add(tf.matMul(tf.reshape(y, [x.shape[0], flat]), dense), denseBias);
      }),
    dispose: () => vars.forEach((v) => v.dispose()),
  };
}
