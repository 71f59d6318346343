import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type Network } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import {
  architectures,
  conditionalDiscriminator,
  conditionalGenerator,
  dcganDiscriminator,
  dcganGenerator,
  mlpDiscriminator,
  mlpGenerator,
} from './index';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe('config');
    return (err as Error).message;
  }
  throw new Error('expected a GankitError');
}

/** Every variable's values, in order. */
const weights = (net: Network): number[][] =>
  [...net.trainableVariables, ...net.nonTrainableVariables].map((v) => Array.from(v.dataSync()));

/** Builds a network (one of a name is alive at a time), reads its shapes and weights, frees it. */
function read(build: () => Network): { shapes: unknown; weights: number[][] } {
  const net = build();
  const out = { shapes: [net.inputShape, net.outputShape], weights: weights(net) };
  net.dispose();
  return out;
}

/** Checks that two builds give the same shapes and weights, bit for bit. */
function expectSameWeights(made: () => Network, direct: () => Network): void {
  expect(read(made)).toEqual(read(direct));
}

const image = { exampleShape: [28, 28, 1], numClasses: 10 } as const;

describe('architectures (the registry)', () => {
  it('lists dcgan, conditional, mlp and biggan with their traits, each schema parsing its defaults', () => {
    expect(architectures.names).toEqual(['dcgan', 'conditional', 'mlp', 'biggan']);
    expect(architectures.parse('dcgan')).toEqual({ latentDim: 100, baseFilters: 64, batchNorm: true });
    expect(architectures.parse('conditional')).toEqual({
      latentDim: 100,
      baseFilters: 64,
      batchNorm: true,
      generatorConditioning: 'embedding',
      discriminatorConditioning: 'projection',
    });
    expect(architectures.parse('mlp')).toEqual({ latentDim: 16, hidden: [128, 128] });
    expect(architectures.parse('biggan')).toEqual({ latentDim: 96, embeddingDim: 16, baseFilters: 64, batchNorm: true });
    expect(architectures.entries.map((e) => [e.generates, e.conditional, e.weightParametrization, e.batchMixing?.option])).toEqual([
      ['images', false, true, 'batchNorm'],
      ['images', true, true, 'batchNorm'],
      ['points', false, false, undefined],
      ['images', true, true, 'batchNorm'],
    ]);
  });

  it('refuses bad options with one precise line', () => {
    expect(messageOf(() => architectures.parse('mlp', { hidden: [] }))).toBe('mlp.hidden must have at least 1 item(s), got 0');
    expect(messageOf(() => architectures.parse('mlp', { hidden: [8, 0] }))).toBe('mlp.hidden[1] must be >= 1, got 0');
    expect(messageOf(() => architectures.parse('dcgan', { latentDim: 5000 }))).toBe('dcgan.latentDim must be <= 4096, got 5000');
    expect(messageOf(() => architectures.parse('conditional', { discriminatorConditioning: 'projektion' }))).toBe(
      "conditional.discriminatorConditioning must be one of 'embedding', 'one-hot', 'projection', got \"projektion\"; did you mean 'projection'?",
    );
    expect(messageOf(() => architectures.parse('dcgan', { upsampling: 'bilinear' }))).toMatch(
      /^dcgan\.upsampling must be one of 'transposed', 'nearest', got "bilinear"/,
    );
    expect(messageOf(() => architectures.get('dcgna'))).toBe(
      "unknown architecture 'dcgna'; did you mean 'dcgan'? (one of: dcgan, conditional, mlp, biggan)",
    );
  });

  it('builds the same networks as the builders called directly, bit for bit, and frees them', () => {
    const before = tf.memory().numTensors;
    const dcgan = architectures.create('dcgan', { latentDim: 8, baseFilters: 4, batchNorm: false });
    expectSameWeights(
      () => dcgan.generator({ ...image, seed: 3 }),
      () => dcganGenerator({ imageShape: [28, 28, 1], latentDim: 8, baseFilters: 4, seed: 3 }),
    );
    expectSameWeights(
      () => dcgan.discriminator({ ...image, seed: 4 }),
      () => dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 4, batchNorm: false, seed: 4 }),
    );
    const layered = architectures.create('dcgan', { latentDim: 8, baseFilters: 4, batchNorm: false, normalization: 'layer' });
    expectSameWeights(
      () => layered.discriminator({ ...image, seed: 4 }),
      () => dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: 4, normalization: 'layer', seed: 4 }),
    );
    const resized = architectures.create('dcgan', { latentDim: 8, baseFilters: 4, upsampling: 'nearest' });
    expectSameWeights(
      () => resized.generator({ ...image, seed: 3 }),
      () => dcganGenerator({ imageShape: [28, 28, 1], latentDim: 8, baseFilters: 4, upsampling: 'nearest', seed: 3 }),
    );
    // 3×3 kernels in place of 4×4: the same variables, fewer weights.
    const [plainG, resizedG] = [read(() => dcgan.generator({ ...image, seed: 3 })), read(() => resized.generator({ ...image, seed: 3 }))];
    expect(resizedG.weights.length).toBe(plainG.weights.length);
    expect(resizedG.weights.reduce((n, w) => n + w.length, 0)).toBe(plainG.weights.reduce((n, w) => n + w.length, 0) - 7 * 8 * 4 - 7 * 4);
    // Layer norm after the second conv brings a scale and an offset and takes that conv's bias.
    expect(read(() => layered.discriminator({ ...image, seed: 4 })).weights.length).toBe(
      read(() => dcgan.discriminator({ ...image, seed: 4 })).weights.length + 1,
    );
    const cond = architectures.create('conditional', { latentDim: 8, baseFilters: 4, generatorConditioning: 'one-hot' });
    expectSameWeights(
      () => cond.generator({ ...image, seed: 5 }),
      () => conditionalGenerator({ numClasses: 10, conditioning: 'one-hot', latentDim: 8, baseFilters: 4, seed: 5 }),
    );
    expectSameWeights(
      () => cond.discriminator({ ...image, seed: 6 }),
      () => conditionalDiscriminator({ numClasses: 10, conditioning: 'projection', baseFilters: 4, batchNorm: true, seed: 6 }),
    );
    const mlp = architectures.create('mlp', { hidden: [8, 8] });
    expectSameWeights(
      () => mlp.generator({ exampleShape: [2], seed: 1 }),
      () => mlpGenerator({ latentDim: 16, outputDim: 2, hidden: [8, 8], seed: 1 }),
    );
    expectSameWeights(
      () => mlp.discriminator({ exampleShape: [2], seed: 2 }),
      () => mlpDiscriminator({ inputDim: 2, hidden: [8, 8], seed: 2 }),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a dcgan normalization that batchNorm contradicts, naming the option to change', () => {
    const dcgan = architectures.get('dcgan');
    expect(dcgan.check?.({ batchNorm: false, normalization: 'layer' })).toBeUndefined();
    expect(dcgan.check?.({ batchNorm: true, normalization: 'batch' })).toBeUndefined();
    expect(dcgan.check?.({ batchNorm: true })).toBeUndefined();
    expect(messageOf(() => architectures.create('dcgan', { normalization: 'layer' }))).toBe(
      `architecture 'dcgan': normalization 'layer' needs "batchNorm": false (batchNorm is true, its default)`,
    );
    expect(messageOf(() => architectures.create('dcgan', { batchNorm: false, normalization: 'batch' }))).toBe(
      `architecture 'dcgan': normalization 'batch' needs "batchNorm": true (batchNorm is false)`,
    );
    expect(messageOf(() => architectures.parse('dcgan', { normalization: 'group' }))).toMatch(
      /^dcgan\.normalization must be one of 'batch', 'layer', 'none'/,
    );
  });

  it('refuses data it cannot take', () => {
    const cond = architectures.create('conditional');
    expect(messageOf(() => cond.generator({ exampleShape: [28, 28, 1], seed: 0 }))).toMatch(/^conditional: the data must be labelled/);
    expect(messageOf(() => architectures.create('dcgan').generator({ exampleShape: [2], seed: 0 }))).toBe(
      "dcgan generates images, but the data's examples have shape [2]",
    );
  });
});
