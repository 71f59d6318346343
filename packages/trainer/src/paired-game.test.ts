// The pix2pix parts of #16 assembled into a game on the one trainer: a U-Net whose packed output
// faces a conditional PatchGAN, real pairs from a paired data set, and the L1 term.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type GanPlugin, RandomSource, type StepLogs } from '@gankit/core';
import { pairedGenerator, pix2pixDiscriminator, unetGenerator, unpackPair } from '@gankit/architectures';
import { pairedDataset } from '@gankit/data';
import { pix2pixL1Term } from '@gankit/losses';
import type { Game } from './game';
import { nonSaturating } from './test-utils';
import { Trainer } from './trainer';

/** 12 pairs: a 4×4 input and its 8×8 target, the input upsampled ×2 and negated. */
function data() {
  const x = new RandomSource(1).uniform([12, 4, 4, 1], -1, 1);
  const inputs = x.dataSync().slice() as Float32Array;
  x.dispose();
  const targets = new Float32Array(12 * 64);
  for (let e = 0; e < 12; e++)
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) targets[e * 64 + r * 8 + c] = -inputs[e * 16 + (r >> 1) * 4 + (c >> 1)];
  return pairedDataset({ inputs, inputShape: [4, 4, 1], targets, targetShape: [8, 8, 1], name: 'toy-pairs' });
}

function game(tag: string): Game {
  const pairs = data();
  const generator = pairedGenerator(
    unetGenerator({ inputShape: [4, 4, 1], outputShape: [8, 8, 1], filters: 2, seed: 1, name: `g-${tag}` }),
  );
  const discriminator = pix2pixDiscriminator({
    inputShape: [4, 4, 1],
    imageShape: [8, 8, 1],
    filters: 2,
    layers: 1,
    seed: 2,
    name: `d-${tag}`,
  });
  return {
    name: 'pix2pix',
    networks: { generator, discriminator },
    data: { input: pairs.inputs, real: pairs.packed },
    pairs: [
      {
        name: '',
        generator: 'generator',
        discriminator: 'discriminator',
        data: 'real',
        input: { kind: 'data', data: 'input' },
        loss: nonSaturating,
      },
    ],
    players: [
      { name: 'discriminator', kind: 'discriminator', networks: ['discriminator'], draw: 'batch', fakes: 'constant' },
      {
        name: 'generator',
        kind: 'generator',
        networks: ['generator'],
        optimizer: tf.train.adam(0.01, 0.5),
        draw: 'batch',
        fakes: 'tape',
        loss: (u) => {
          const l1 = pix2pixL1Term(unpackPair(u.batches.real.x, 1), unpackPair(u.pair('').fake(), 1), 1);
          return { terms: [tf.mul(100, l1)], logs: { l1 } };
        },
      },
    ],
    latentShape: [4, 4, 1],
  };
}

describe('pix2pix parts on the one trainer', () => {
  it('trains a U-Net against a conditional PatchGAN on aligned pairs with the L1 term, without leaks', async () => {
    const checks: number[] = [];
    const aligned: GanPlugin = {
      name: 'aligned',
      afterDiscriminatorStep: (s) => {
        // the real packed pair holds [target | input↑], target = −input↑, and G's input is that input
        const [target, condition] = tf.split(s.batch.x, 2, 3);
        const up = tf.image.resizeNearestNeighbor(s.z as tf.Tensor4D, [8, 8]);
        checks.push(tf.max(tf.abs(tf.add(target, condition))).dataSync()[0], tf.max(tf.abs(tf.sub(condition, up))).dataSync()[0]);
      },
    };
    const logs: StepLogs[] = [];
    const recorder: GanPlugin = { name: 'rec', order: 300, onStepEnd: (_c, l) => void logs.push(l) };
    const g = game('run');
    const trainer = new Trainer({ game: g, batchSize: 4, seed: 3, plugins: [aligned, recorder] });
    await trainer.fit({ steps: 2 });
    const before = tf.memory().numTensors;
    await trainer.fit({ steps: 18 });
    expect(tf.memory().numTensors).toBe(before);
    expect(checks.length).toBe(40);
    for (const c of checks) expect(c).toBe(0);
    const l1 = logs.map((l) => l.terms['pix2pix/l1']);
    expect(l1.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(l1.slice(-4))).toBeLessThan(0.8 * mean(l1.slice(0, 4)));
    trainer.dispose();
    for (const n of Object.values(g.networks)) n.dispose();
  });
});
