import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, countParameters } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak } from '../test-helpers';
import { beganAutoencoder, beganCompactAutoencoder, beganDiscriminator, beganGenerator } from './began';

describe('BEGAN networks', () => {
  it('the generator maps z of length h to images (in (-1, 1) with tanh); the autoencoder maps images to images through h', () => {
    const g = beganGenerator({ filters: 4, hidden: 6, seed: 1, output: 'tanh' });
    const ae = beganAutoencoder({ filters: 4, hidden: 6, seed: 2 });
    expect(g.inputShape).toEqual([6]);
    expect(g.outputShape).toEqual([28, 28, 1]);
    expect(ae.inputShape).toEqual([28, 28, 1]);
    expect(ae.outputShape).toEqual([28, 28, 1]);
    // The embedding: the encoder ends with dense to h.
    const embedding = ae.layers.findIndex((l) => l.name.endsWith('dense_0'));
    expect(ae.layers[embedding].trainableVariables[0].shape).toEqual([7 * 7 * 12, 6]);
    expect(ae.summary()).toMatch(/elu/);
    const z = new RandomSource(3).normal([3, 6]);
    const x = g.apply(z, { training: false });
    const [lo, hi] = tf.tidy(() => [tf.min(x).dataSync()[0], tf.max(x).dataSync()[0]]);
    expect(lo).toBeGreaterThan(-1);
    expect(hi).toBeLessThan(1);
    expectNoLeak(g, z);
    expectNoLeak(ae, x);
    expectGradientsFlow(g, z);
    expectGradientsFlow(ae, x);
    tf.dispose([z, x]);
    g.dispose();
    ae.dispose();
  });

  it('the discriminator outputs L(v) = mean |v − AE(v)|^η per example, [batch, 1], for η = 1 and 2', () => {
    for (const eta of [1, 2] as const) {
      const d = beganDiscriminator({ filters: 4, hidden: 6, seed: 2, eta });
      expect(d.outputShape).toEqual([1]);
      expect(d.trainableVariables).toBe(d.autoencoder.trainableVariables);
      expect(countParameters(d)).toBe(countParameters(d.autoencoder));
      const x = new RandomSource(4).uniform([3, 28, 28, 1], -1, 1);
      const out = d.apply(x, { training: true });
      expect(out.shape).toEqual([3, 1]);
      const r = d.reconstruct(x);
      const xs = x.dataSync();
      const rs = r.dataSync();
      const got = out.dataSync();
      for (let i = 0; i < 3; i++) {
        let s = 0;
        for (let p = 0; p < 784; p++) s += Math.abs(xs[i * 784 + p] - rs[i * 784 + p]) ** eta;
        expect(got[i]).toBeCloseTo(s / 784, 5);
      }
      expectNoLeak(d, x);
      expectGradientsFlow(d, x);
      tf.dispose([x, out, r]);
      d.dispose();
    }
  });

  it('same seed, same weights; other image sizes', () => {
    const first = (seed: number) => {
      const g = beganGenerator({ seed });
      const w = g.trainableVariables.map((v) => Array.from(v.dataSync().slice(0, 5)));
      g.dispose();
      return w;
    };
    expect(first(5)).toEqual(first(5));
    expect(first(5)).not.toEqual(first(6));
    const d = beganDiscriminator({ imageShape: [32, 32, 3], scales: 3, filters: 2, hidden: 4, convsPerScale: 2 });
    expect(d.autoencoder.outputShape).toEqual([32, 32, 3]);
    d.dispose();
  });

  it('refuses bad sizes in one line', () => {
    expect(() => beganGenerator({ imageShape: [30, 30, 1] })).toThrow(/divisible by 2\^scales = 4/);
    expect(() => beganDiscriminator({ eta: 3 as 1 })).toThrow(GankitError);
    expect(() => beganDiscriminator({ eta: 3 as 1 })).toThrow(/eta must be 1 or 2, got 3/);
    expect(() => beganAutoencoder({ filters: 0 })).toThrow(/filters/);
    expect(() => beganGenerator({ output: 'relu' as 'tanh' })).toThrow(/output must be 'linear' or 'tanh', got "relu"/);
    const linear = beganGenerator();
    expect(linear.layers[linear.layers.length - 1].name).toMatch(/conv2d/);
    linear.dispose();
    expect(() => beganAutoencoder({ scales: -1 })).toThrow(/scales must be an integer >= 0/);
  });

  it('the compact autoencoder: conv 4×4 s2 → dense h + batch norm → dense back + batch norm → transposed conv, tanh; L(v) from it', () => {
    const ae = beganCompactAutoencoder({ filters: 4, hidden: 6, seed: 3 });
    expect(ae.inputShape).toEqual([28, 28, 1]);
    expect(ae.outputShape).toEqual([28, 28, 1]);
    expect(ae.layers.map((l) => l.name.replace(/^discriminator\//, '').replace(/_\d+$/, ''))).toEqual([
      'conv2d',
      'relu',
      'flatten',
      'dense',
      'batch_norm',
      'relu',
      'dense',
      'batch_norm',
      'relu',
      'reshape',
      'conv2d_transpose',
      'tanh',
    ]);
    const weights = ae.trainableVariables.map((v) => v.shape);
    expect(weights[0]).toEqual([4, 4, 1, 4]);
    expect(weights).toContainEqual([14 * 14 * 4, 6]);
    expect(weights).toContainEqual([6, 14 * 14 * 4]);
    // Two batch norms: their moving mean and variance are the non-trainable variables.
    expect(ae.nonTrainableVariables).toHaveLength(4);
    const d = beganDiscriminator({ autoencoder: ae, eta: 2 });
    expect(d.name).toBe('discriminator');
    expect(d.autoencoder).toBe(ae);
    expect(d.trainableVariables).toBe(ae.trainableVariables);
    const x = new RandomSource(5).uniform([4, 28, 28, 1], -1, 1);
    const out = d.apply(x, { training: true });
    const r = ae.apply(x, { training: true });
    const [xs, rs, got] = [x.dataSync(), r.dataSync(), out.dataSync()];
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let p = 0; p < 784; p++) s += (xs[i * 784 + p] - rs[i * 784 + p]) ** 2;
      expect(got[i]).toBeCloseTo(s / 784, 5);
      expect(Math.max(...Array.from(rs.subarray(i * 784, (i + 1) * 784)).map(Math.abs))).toBeLessThan(1);
    }
    // In training mode an example's reconstruction depends on its batch (batch norm): the first
    // example alone is reconstructed differently from the first of four.
    const first = tf.tidy(() => tf.slice(x, [0, 0, 0, 0], [1, 28, 28, 1]));
    const alone = tf.tidy(() => tf.concat([first, first], 0));
    const rAlone = ae.apply(alone, { training: true });
    const diff = tf.tidy(
      () => tf.max(tf.abs(tf.sub(tf.slice(rAlone, [0, 0, 0, 0], [1, 28, 28, 1]), tf.slice(r, [0, 0, 0, 0], [1, 28, 28, 1])))).dataSync()[0],
    );
    expect(diff).toBeGreaterThan(1e-3);
    expectNoLeak(d, x);
    expectGradientsFlow(d, x);
    tf.dispose([x, out, r, first, alone, rAlone]);
    d.dispose();
    expect(ae.trainableVariables[0].isDisposed).toBe(true);
    const rgb = beganCompactAutoencoder({ imageShape: [8, 6, 3], filters: 2, hidden: 3, name: 'ae' });
    expect(rgb.outputShape).toEqual([8, 6, 3]);
    expect(beganDiscriminator({ autoencoder: rgb, name: 'critic' }).name).toBe('critic');
    rgb.dispose();
  });

  it('refuses a wrong own autoencoder, size options beside it, and odd compact sizes in one line', () => {
    const ae = beganCompactAutoencoder({ filters: 2, hidden: 3 });
    expect(() => beganDiscriminator({ autoencoder: ae, filters: 8, hidden: 4 })).toThrow(
      /beganDiscriminator: filters, hidden size the paper's autoencoder and cannot be given with your own autoencoder/,
    );
    const notSame = beganGenerator({ filters: 2, hidden: 3, name: 'g' });
    expect(() => beganDiscriminator({ autoencoder: notSame })).toThrow(
      /must give back images of its input shape \[3\], but it outputs \[28,28,1\]/,
    );
    expect(() => beganDiscriminator({ autoencoder: {} as never })).toThrow(/autoencoder must be a Network/);
    expect(() => beganCompactAutoencoder({ imageShape: [27, 28, 1] })).toThrow(/must have an even height and width/);
    expect(() => beganCompactAutoencoder({ hidden: 0 })).toThrow(/beganCompactAutoencoder: hidden/);
    ae.dispose();
    notSame.dispose();
  });
});
