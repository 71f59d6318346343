import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { networkVariables, type GanPlugin, type Network } from '@gankit/core';
import { Trainer } from './trainer';
import { unrolled } from './unrolled';
import { expectIdentical, gaussian1d, mlp, nonSaturating } from './test-utils';
import { buildTrainer, disposeTrainer, readNetwork } from './test-model';

const read = (net: Network) => net.trainableVariables.map((v) => v.dataSync().slice() as Float32Array);

/** Records D's variables after the D phase and while G's loss is computed, and G's inputs. */
function spy(): GanPlugin & {
  afterD: Float32Array[][];
  duringG: Float32Array[][];
  gBefore: Float32Array[][];
  z: tf.Tensor[];
  x: tf.Tensor[];
} {
  const out = {
    afterD: [] as Float32Array[][],
    duringG: [] as Float32Array[][],
    gBefore: [] as Float32Array[][],
    z: [] as tf.Tensor[],
    x: [] as tf.Tensor[],
  };
  return {
    name: 'spy',
    order: 10,
    ...out,
    afterDiscriminatorStep: (s) => void out.afterD.push(readNetwork(s.discriminator)),
    generatorLoss: (s) => {
      out.duringG.push(readNetwork(s.discriminator));
      out.gBefore.push(read(s.generator));
      out.z.push(tf.keep(tf.clone(s.z)));
      out.x.push(tf.keep(tf.clone(s.batch.x)));
    },
  };
}

function copyNetwork(src: Network, values: Float32Array[], name: string): Network {
  const dims = src.trainableVariables.map((v) => v.shape);
  const net = mlp(name, src.inputShape[0] as number, dims[0][1] as number, src.outputShape[0] as number, 0);
  net.trainableVariables.forEach((v, i) => v.assign(tf.tensor(values[i], dims[i])));
  return net;
}

describe('unrolled', () => {
  it("G's update follows the gradient against D unrolled k SGD steps; D is then restored bit for bit", async () => {
    const lr = 0.05;
    const lrG = 0.1;
    const k = 3;
    const sp = spy();
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 16,
      generatorOptimizer: tf.train.sgd(lrG),
      discriminatorOptimizer: tf.train.sgd(0.1),
      plugins: [unrolled({ steps: k, optimizer: 'sgd', learningRate: lr }), sp],
    });
    await t.step();
    // Restored exactly: D after the iteration is D after its own update.
    expectIdentical(readNetwork(t.discriminator), sp.afterD[0]);
    // G saw a different D.
    expect(() => expectIdentical(sp.duringG[0], sp.afterD[0])).toThrow();

    // Reference, computed afresh on copies: k SGD steps of D from its post-update weights on the
    // G phase's batch and G's fakes, then one SGD step of G against that D.
    const dRef = copyNetwork(t.discriminator, sp.afterD[0], 'd-ref');
    const gRef = copyNetwork(t.generator, sp.gBefore[0], 'g-ref');
    const [z, x] = [sp.z[0], sp.x[0]];
    const fake = gRef.apply(z, { training: true });
    for (let i = 0; i < k; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => nonSaturating.discriminator(dRef.apply(x, { training: true }), dRef.apply(fake, { training: true })),
          [...dRef.trainableVariables],
        );
        for (const v of dRef.trainableVariables) v.assign(tf.sub(v, tf.mul(lr, grads[v.name])));
      });
    }
    const unrolledD = read(dRef);
    unrolledD.forEach((w, i) => w.forEach((v, j) => expect(sp.duringG[0][i][j]).toBeCloseTo(v, 5)));
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => nonSaturating.generator(dRef.apply(gRef.apply(z, { training: true }), { training: true })),
        [...gRef.trainableVariables],
      );
      for (const v of gRef.trainableVariables) v.assign(tf.sub(v, tf.mul(lrG, grads[v.name])));
    });
    const expected = read(gRef);
    read(t.generator).forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
    tf.dispose([fake, ...sp.z, ...sp.x]);
    dRef.dispose();
    gRef.dispose();
    t.dispose();
    t.generator.dispose();
    t.discriminator.dispose();
  });

  it('leaves no trace: D (spectral-norm vectors included) as after its own update, G (batch-norm statistics included) as in a plain run; no leaks', async () => {
    const states: Float32Array[][] = [];
    let afterD: Float32Array[] = [];
    let dAfterIteration: Float32Array[] = [];
    for (const withUnrolled of [false, true]) {
      const sp = spy();
      const plugins = withUnrolled ? [unrolled({ steps: 3 }), sp] : [sp];
      // G frozen (SGD with rate 0) so that both runs' G phases see the same G.
      const t = buildTrainer('same', { generatorOptimizer: tf.train.sgd(0), plugins });
      await t.step();
      states.push(networkVariables(t.generator).map((v) => v.dataSync().slice() as Float32Array));
      if (withUnrolled) {
        afterD = sp.afterD[0];
        dAfterIteration = readNetwork(t.discriminator);
        expect(() => expectIdentical(sp.duringG[0], afterD)).toThrow(); // it was unrolled meanwhile
        const n0 = tf.memory().numTensors;
        await t.fit({ steps: 3 });
        expect(tf.memory().numTensors).toBe(n0 + 2 * 3); // the spy keeps z and x of each G phase
      }
      tf.dispose([...sp.z, ...sp.x]);
      disposeTrainer(t);
    }
    expectIdentical(states[1], states[0]);
    expectIdentical(dAfterIteration, afterD);
  });

  it('changes the training of G (k > 0), does nothing with k = 0, and checks its options', async () => {
    const run = async (plugins: GanPlugin[]) => {
      const t = new Trainer({
        generator: mlp('g', 2, 8, 1, 1),
        discriminator: mlp('d', 1, 8, 1, 2),
        loss: nonSaturating,
        data: gaussian1d(1, 0.5),
        batchSize: 16,
        plugins,
        seed: 4,
      });
      await t.fit({ steps: 3 });
      const g = read(t.generator);
      t.dispose();
      t.generator.dispose();
      t.discriminator.dispose();
      return g;
    };
    const plain = await run([]);
    expectIdentical(await run([unrolled({ steps: 0 })]), plain);
    const u = await run([unrolled({ steps: 2 })]);
    expect(() => expectIdentical(u, plain)).toThrow();
    expect(() => unrolled({ steps: -1 })).toThrow(/steps must be a non-negative integer, got -1/);
    expect(() => unrolled({ learningRate: 0 })).toThrow(/learningRate must be a positive finite number, got 0/);
    expect(() => unrolled({ optimizer: 'rmsprop' as never })).toThrow(/optimizer must be 'adam' or 'sgd'/);
    const p = unrolled();
    expect([p.steps, p.learningRate, p.optimizer, p.order, p.apiVersion]).toEqual([5, 1e-2, 'adam', -1000, 2]);
  });
});
