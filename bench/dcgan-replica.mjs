// A DCGAN-MNIST replica for @gankit/backend's DataParallel (see dcgan-mnist.mjs): the same step as
// the hand-written loop there (D on real and fake, then G, non-saturating loss, Adam 2e-4/0.5),
// each replica on its shard of the batch. Every replica draws the whole batch's noise and sample
// indices from the same per-step seed and keeps its own rows, so the shards partition one batch.
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, RandomSource } from '@gankit/core';
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';

export function createReplica({ batch = 64, seed = 0 }, { index, count }) {
  if (batch % count !== 0) throw new Error(`batch ${batch} does not split over ${count} replicas`);
  ensureGradients();
  const shard = batch / count;
  const G = dcganMnistGenerator({ seed: 1 });
  const D = dcganMnistDiscriminator({ seed: 2 });
  const gOpt = tf.train.adam(2e-4, 0.5);
  const dOpt = tf.train.adam(2e-4, 0.5);
  const dVars = [...D.trainableVariables];
  const gVars = [...G.trainableVariables];
  const pool = tf.tidy(() => tf.tanh(tf.randomNormal([512, 28, 28, 1], 0, 2, 'float32', 7)));
  const mine = (t) => tf.slice(t, [index * shard], [shard]);
  const softplusMean = (t) => tf.mean(tf.softplus(t));
  return {
    phases: ['discriminator', 'generator'],
    gradients(phase, step) {
      const rng = new RandomSource(seed * 1_000_003 + step);
      return tf.tidy(() => {
        if (phase === 'discriminator') {
          const idx = rng.permutation(512).slice(index * shard, (index + 1) * shard);
          const x = tf.gather(pool, tf.tensor1d(Array.from(idx), 'int32'));
          const fake = G.apply(mine(rng.normal([batch, 100], 0, 1, 'z1')), { training: true });
          const { value, grads } = tf.variableGrads(
            () => tf.add(softplusMean(tf.neg(D.apply(x, { training: true }))), softplusMean(D.apply(fake, { training: true }))),
            dVars
          );
          return { grads, logs: { loss: value.dataSync()[0] } };
        }
        const z = mine(rng.normal([batch, 100], 0, 1, 'z2'));
        const { value, grads } = tf.variableGrads(
          () => softplusMean(tf.neg(D.apply(G.apply(z, { training: true }), { training: true }))),
          gVars
        );
        return { grads, logs: { loss: value.dataSync()[0], tensors: tf.memory().numTensors } };
      });
    },
    apply(phase, grads) {
      (phase === 'discriminator' ? dOpt : gOpt).applyGradients(grads);
    },
    weights() {
      return Object.fromEntries([...gVars, ...dVars].map((v) => [v.name, v]));
    },
    dispose() {
      G.dispose();
      D.dispose();
      gOpt.dispose();
      dOpt.dispose();
      pool.dispose();
    },
  };
}
