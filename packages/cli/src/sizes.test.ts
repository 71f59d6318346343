import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type Network } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { exampleFromConfig, validateConfig } from './config';
import { checkTrainingFits, networkSizes, trainingBytes, WASM_HEAP_BYTES } from './sizes';
import { freeSetup } from './setup-test-helpers';

const values = (n: Network): number => [...n.trainableVariables, ...n.nonTrainableVariables].reduce((sum, v) => sum + v.size, 0);

describe('networkSizes', () => {
  const configs: Record<string, unknown>[] = [
    { data: 'ring', architecture: { name: 'mlp', latentDim: 3, hidden: [5, 7] } },
    { data: 'grid', architecture: { name: 'mlp', latentDim: 16, hidden: [9] } },
    { data: 'mnist', architecture: { name: 'dcgan', latentDim: 4, baseFilters: 3, batchNorm: true } },
    { data: 'mnist', architecture: { name: 'dcgan', latentDim: 5, baseFilters: 2, batchNorm: false } },
    { data: 'mnist', architecture: { name: 'dcgan', latentDim: 5, baseFilters: 3, batchNorm: false, normalization: 'layer' } },
    { data: 'mnist', architecture: { name: 'biggan', latentDim: 12, embeddingDim: 5, baseFilters: 3, batchNorm: true } },
    ...(['embedding', 'one-hot'] as const).flatMap((g) =>
      (['embedding', 'one-hot', 'projection'] as const).map((d) => ({
        data: 'mnist',
        architecture: {
          name: 'conditional',
          latentDim: 4,
          baseFilters: 2,
          batchNorm: d !== 'one-hot',
          generatorConditioning: g,
          discriminatorConditioning: d,
        },
      })),
    ),
  ];
  for (const c of configs) {
    it(`counts the variables the CLI builds for ${JSON.stringify(c.architecture)}`, () => {
      const config = validateConfig(c);
      const before = tf.memory().numTensors;
      const setup = exampleFromConfig(config).setup({ seed: 1, batchSize: 2 });
      const sizes = networkSizes(config.architecture);
      expect(sizes.generator).toBe(values(setup.generator));
      expect(sizes.discriminator).toBe(values(setup.discriminator));
      freeSetup(setup, { data: true });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('checkTrainingFits', () => {
  const mlp = (hidden: number[]) => validateConfig({ data: 'ring', architecture: { name: 'mlp', hidden } });

  it('refuses an MLP of three 65,536-wide layers with its parameter count, before building it', () => {
    const config = mlp([65536, 65536, 65536]);
    const sizes = networkSizes(config.architecture);
    // G: 16→65536→65536→65536→2; D: 2→65536→65536→65536→1 (weights and biases).
    expect(sizes.generator).toBe(16 * 65536 + 65536 + 2 * (65536 * 65536 + 65536) + 65536 * 2 + 2);
    expect(sizes.discriminator).toBe(2 * 65536 + 65536 + 2 * (65536 * 65536 + 65536) + 65536 + 1);
    const n = (x: number) => x.toLocaleString('en-US');
    for (const backend of ['wasm', 'cpu', 'tensorflow']) {
      let message = '';
      try {
        checkTrainingFits(config, { batchSize: 64, backend });
      } catch (err) {
        expect(err).toBeInstanceOf(GankitError);
        message = (err as Error).message;
      }
      expect(
        message.startsWith(
          `config.architecture: G and D have ${n(sizes.generator + sizes.discriminator)} parameters (G ${n(sizes.generator)}, D ${n(sizes.discriminator)}); training them needs about 3`,
        ),
        message,
      ).toBe(true);
    }
  });

  it('accepts the default networks and bounds batch × activations by the memory given', () => {
    const config = mlp([128, 128]);
    expect(checkTrainingFits(config, { batchSize: 4096, backend: 'wasm' }).generator).toBeGreaterThan(0);
    const sizes = networkSizes(config.architecture);
    const small = trainingBytes(sizes, 64);
    expect(() => checkTrainingFits(config, { batchSize: 64, backend: 'cpu', memoryBytes: small })).not.toThrow();
    expect(() => checkTrainingFits(config, { batchSize: 65, backend: 'cpu', memoryBytes: small })).toThrow(
      /^batch size 65: 35,971 parameters and the activations of 65 examples per worker need about 1 MB/,
    );
    // Workers split the batch, but each holds a whole copy of the weights.
    expect(() => checkTrainingFits(config, { batchSize: 128, backend: 'cpu', workers: 2, memoryBytes: small })).toThrow(
      /activations of 64 examples per worker/,
    );
    const image = validateConfig({ data: 'mnist', architecture: { name: 'dcgan', baseFilters: 1024, latentDim: 4096 } });
    expect(() => checkTrainingFits(image, { batchSize: 64, backend: 'wasm' })).toThrow(
      /^config\.architecture: G and D have [\d,]+ parameters .* more than the wasm backend's 4\.3 GB heap/,
    );
    expect(WASM_HEAP_BYTES).toBeLessThan(2 ** 32);
  });
});
