import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import type { Layer } from '../layer';
import { asSelfAttention, selfAttentionMap } from '../layers/self-attention';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from '../test-helpers';
import { architectures } from '../registry';
import { dcganDiscriminator, dcganGenerator } from './dcgan';

/** A weight parametrization that records the kernels it is given and leaves them as they are. */
function recording(names: string[]): WeightParametrizationFactory {
  return (_shape, name) => {
    names.push(name);
    return { name: 'identity', variables: [], apply: (k) => k, dispose: () => {} };
  };
}

describe('DCGAN builders with self-attention (SAGAN)', () => {
  it('G: attention after the 14×14 block; with γ = 0 the output equals the plain DCGAN generator of the same seed', () => {
    const z = tf.tidy(() => new RandomSource(1).normal([2, 16]));
    const plain = dcganGenerator({ imageShape: [28, 28, 1], latentDim: 16, baseFilters: 16, seed: 4 });
    const want = plain.apply(z, { training: false });
    plain.dispose();
    const kernels: string[] = [];
    const g = dcganGenerator({
      imageShape: [28, 28, 1],
      latentDim: 16,
      baseFilters: 16,
      seed: 4,
      selfAttention: 14,
      weightParametrization: recording(kernels),
    });
    const attention = asSelfAttention(g.layers.find((l) => l.name === 'generator/self_attention_0') as Layer);
    expect(attention.inputShape).toEqual([14, 14, 16]);
    expect(g.layers.map((l) => l.name).indexOf('generator/self_attention_0')).toBe(
      g.layers.map((l) => l.name).indexOf('generator/relu_1') + 1,
    );
    expect(kernels).toEqual([
      'generator/dense_0/kernel',
      'generator/conv2d_transpose_0/kernel',
      'generator/self_attention_0/query/kernel',
      'generator/self_attention_0/key/kernel',
      'generator/self_attention_0/value/kernel',
      'generator/self_attention_0/output/kernel',
      'generator/conv2d_transpose_1/kernel',
    ]);
    const got = g.apply(z, { training: false });
    expect(maxAbsDiff(got, want)).toBe(0);
    // once γ moves, the attention changes the images
    tf.tidy(() => attention.gamma.assign(tf.scalar(0.5)));
    const moved = g.apply(z, { training: false });
    expect(maxAbsDiff(moved, want)).toBeGreaterThan(1e-4);
    expectNoLeak(g, z);
    expectGradientsFlow(g, z);
    const map = selfAttentionMap(g, z);
    expect(map.shape).toEqual([2, 196, 196]);
    tf.dispose([z, want, got, moved, map]);
    g.dispose();
  });

  it('D: attention after the conv that puts out 7×7 maps; γ = 0 leaves the logits unchanged', () => {
    const x = tf.tidy(() => new RandomSource(2).normal([4, 28, 28, 1]));
    const plain = dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 8, seed: 5, batchNorm: false });
    const want = plain.apply(x, { training: false });
    plain.dispose();
    const d = dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 8, seed: 5, batchNorm: false, selfAttention: 7 });
    const names = d.layers.map((l) => l.name);
    expect(names.slice(names.indexOf('discriminator/leaky_relu_1'))).toEqual([
      'discriminator/leaky_relu_1',
      'discriminator/self_attention_0',
      'discriminator/flatten_0',
      'discriminator/dense_0',
    ]);
    expect(d.layers[names.indexOf('discriminator/self_attention_0')].inputShape).toEqual([7, 7, 16]);
    const got = d.apply(x, { training: false });
    expect(maxAbsDiff(got, want)).toBe(0);
    tf.dispose([x, want, got]);
    d.dispose();
  });

  it('rejects a size at which no block puts out feature maps', () => {
    expect(() => dcganGenerator({ imageShape: [28, 28, 1], selfAttention: 28 })).toThrow(
      /dcganGenerator: selfAttention must be one of the feature-map sizes 7, 14, got 28/,
    );
    expect(() => dcganDiscriminator({ imageShape: [32, 32, 3], selfAttention: 32 })).toThrow(
      /dcganDiscriminator: selfAttention must be one of the feature-map sizes 16, 8, 4, got 32/,
    );
  });

  it("the registry's dcgan entry takes selfAttention for G and D", () => {
    const pair = architectures.create('dcgan', { latentDim: 8, baseFilters: 4, batchNorm: false, selfAttention: 14 });
    const g = pair.generator({ seed: 1, exampleShape: [28, 28, 1] }) as ReturnType<typeof dcganGenerator>;
    const d = pair.discriminator({ seed: 1, exampleShape: [28, 28, 1] }) as ReturnType<typeof dcganDiscriminator>;
    expect(g.layers.filter((l) => l.name.includes('self_attention')).map((l) => l.inputShape)).toEqual([[14, 14, 4]]);
    expect(d.layers.filter((l) => l.name.includes('self_attention')).map((l) => l.inputShape)).toEqual([[14, 14, 4]]);
    g.dispose();
    d.dispose();
    expect(architectures.parse('dcgan')).not.toHaveProperty('selfAttention');
  });
});
