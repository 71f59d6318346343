// The DCGAN-MNIST step's setup, shared by dcgan-mnist.mjs and its worker replicas
// (dcgan-trainer-replica.mjs): the models of issue 3, bench data and the trainer.
import * as tf from '@tensorflow/tfjs-core';
import { countParameters } from '@gankit/core';
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { Trainer } from '@gankit/trainer';

export const BATCH = 64;

/** Real-looking data without disk access: a fixed pool of [-1, 1] images sampled per batch. */
export function imageData() {
  const pool = tf.tidy(() => tf.tanh(tf.randomNormal([512, 28, 28, 1], 0, 2, 'float32', 7)));
  return {
    name: 'bench-images',
    sampleShape: [28, 28, 1],
    nextBatch(n, random) {
      const idx = random.permutation(512).slice(0, n);
      return { x: tf.tidy(() => tf.gather(pool, tf.tensor1d(Array.from(idx), 'int32'))) };
    },
  };
}

export function models(tag) {
  return {
    generator: dcganMnistGenerator({ seed: 1, name: `generator_${tag}` }),
    discriminator: dcganMnistDiscriminator({ seed: 2, name: `discriminator_${tag}` }),
  };
}

/**
 * The bench's trainer. `makeOptimizer` (default `tf.train.adam(2e-4, 0.5)`) makes each player's
 * optimizer (bench/profile-step.mjs passes `fusedAdam`).
 */
export function makeTrainer(tag, replica, makeOptimizer = () => tf.train.adam(2e-4, 0.5)) {
  const { generator, discriminator } = models(tag);
  const optimizers = { generator: makeOptimizer(), discriminator: makeOptimizer() };
  const trainer = new Trainer({
    generator,
    discriminator,
    loss: nonSaturating,
    data: imageData(),
    batchSize: BATCH,
    generatorOptimizer: optimizers.generator,
    discriminatorOptimizer: optimizers.discriminator,
    seed: 0,
    replica,
  });
  return {
    trainer,
    generator,
    discriminator,
    optimizers,
    step: () => trainer.step(),
    params: { generatorParams: countParameters(generator), discriminatorParams: countParameters(discriminator) },
    dispose() {
      trainer.dispose();
      generator.dispose();
      discriminator.dispose();
    },
  };
}
