// Small hand-made networks, data and a loss for the trainer's tests (not exported by the package).
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, type DataSource, type LossPair, type Network } from '@gankit/core';

/** y = tanh?(x W1 + b1) W2 + b2: a two-layer MLP built from tfjs-core ops. */
export function mlp(name: string, inputDim: number, hidden: number, outputDim: number, seed: number): Network {
  const rng = new RandomSource(seed);
  const w1 = tf.variable(rng.normal([inputDim, hidden], 0, 1 / Math.sqrt(inputDim)));
  const b1 = tf.variable(tf.zeros([hidden]));
  const w2 = tf.variable(rng.normal([hidden, outputDim], 0, 1 / Math.sqrt(hidden)));
  const b2 = tf.variable(tf.zeros([outputDim]));
  const vars = [w1, b1, w2, b2];
  return {
    name,
    inputShape: [inputDim],
    outputShape: [outputDim],
    trainableVariables: vars,
    nonTrainableVariables: [],
    apply: (x) => tf.tidy(() => tf.add(tf.matMul(tf.leakyRelu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1), 0.2), w2), b2)),
    dispose: () => vars.forEach((v) => v.dispose()),
  };
}

/** An affine generator y = z a + b on scalars. */
export function affine(name: string, a0: number, b0: number): Network {
  const a = tf.variable(tf.tensor2d([[a0]]));
  const b = tf.variable(tf.tensor1d([b0]));
  return {
    name,
    inputShape: [1],
    outputShape: [1],
    trainableVariables: [a, b],
    nonTrainableVariables: [],
    apply: (z) => tf.tidy(() => tf.add(tf.matMul(z as tf.Tensor2D, a), b)),
    dispose: () => [a, b].forEach((v) => v.dispose()),
  };
}

/** A 1-D Gaussian data source N(mean, std²) that counts its batches. */
export function gaussian1d(mean: number, std: number): DataSource & { calls: number } {
  const src = {
    name: 'gaussian1d',
    sampleShape: [1],
    calls: 0,
    nextBatch(n: number, random: RandomSource) {
      src.calls++;
      return { x: random.normal([n, 1], mean, std, 'data') };
    },
  };
  return src;
}

/** The non-saturating loss, written out here so that the trainer's tests stand alone. */
export const nonSaturating: LossPair = {
  name: 'non-saturating',
  probabilistic: true,
  discriminator: (r, f) => tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(r))), tf.mean(tf.softplus(f))) as tf.Scalar),
  generator: (f) => tf.tidy(() => tf.mean(tf.softplus(tf.neg(f))) as tf.Scalar),
};

/** Reads every variable of a network into plain arrays. */
export function snapshot(net: Network): Float32Array[] {
  return net.trainableVariables.map((v) => v.dataSync().slice() as Float32Array);
}

/** Throws unless two snapshots are bit-identical (a test assertion: a plain Error, not a GankitError). */
export function expectIdentical(a: Float32Array[], b: Float32Array[]): void {
  if (a.length !== b.length) throw new Error('different variable counts');
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++)
      if (!Object.is(x[j], b[i][j])) throw new Error(`variable ${i} differs at ${j}: ${x[j]} vs ${b[i][j]}`);
  });
}
