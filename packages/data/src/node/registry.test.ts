import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../idx';
import { FASHION_MNIST_DIR_ENV, nodeDatasets } from '../node';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-node-registry-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function errorOf(fn: () => unknown, code: string): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe(code);
    return (err as Error).message;
  }
  throw new Error('expected a GankitError');
}

/** A folder with a Fashion-MNIST-shaped test split of `n` images. */
function fashionDir(n: number): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'fashion-'));
  fs.writeFileSync(
    path.join(dir, 't10k-images-idx3-ubyte'),
    encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: new Uint8Array(n * 784) }),
  );
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ dtype: 'uint8', shape: [n], data: new Uint8Array(n).fill(3) }));
  return dir;
}

describe('nodeDatasets (the registry)', () => {
  it('lists the file data sets before the 2-D mixtures, with their traits and defaults', () => {
    expect(nodeDatasets.names).toEqual(['mnist', 'fashion-mnist', 'ring', 'grid']);
    expect(nodeDatasets.parse('mnist')).toEqual({ split: 'train' });
    expect(nodeDatasets.parse('fashion-mnist')).toEqual({ split: 'train' });
    for (const name of ['mnist', 'fashion-mnist'] as const) {
      const e = nodeDatasets.get(name);
      expect([e.holds, e.exampleShape, e.numClasses]).toEqual(['images', [28, 28, 1], 10]);
    }
    expect(nodeDatasets.get('mnist').check).toBeUndefined();
  });

  it('refuses bad options with one precise line', () => {
    expect(errorOf(() => nodeDatasets.parse('mnist', { split: 'tset' }), 'config')).toBe(
      `mnist.split must be one of 'train', 'test', 'all', got "tset"; did you mean 'test'?`,
    );
    expect(errorOf(() => nodeDatasets.parse('fashion-mnist', { dir: '' }), 'config')).toBe(
      'fashion-mnist.dir must be a non-empty string, got ""',
    );
    expect(errorOf(() => nodeDatasets.parse('fashion-mnist', { split: 'all' }), 'config')).toMatch(
      /^fashion-mnist\.split must be one of 'train', 'test', got "all"/,
    );
  });

  it('loads the mnist split asked for', () => {
    const test = nodeDatasets.create('mnist', { split: 'test' });
    expect(test.size).toBe(997);
    const before = tf.memory().numTensors;
    const batch = test.nextBatch(4, new RandomSource(0));
    expect(batch.x.shape).toEqual([4, 28, 28, 1]);
    tf.dispose(Object.values(batch));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks and loads Fashion-MNIST from dir, else the environment variable, and says how to install it when absent', () => {
    const dir = fashionDir(3);
    const entry = nodeDatasets.get('fashion-mnist');
    entry.check!(nodeDatasets.parse('fashion-mnist', { dir, split: 'test' }));
    expect(nodeDatasets.create('fashion-mnist', { dir, split: 'test' }).size).toBe(3);
    const saved = process.env[FASHION_MNIST_DIR_ENV];
    try {
      process.env[FASHION_MNIST_DIR_ENV] = dir;
      expect(nodeDatasets.create('fashion-mnist', { split: 'test' }).size).toBe(3);
      process.env[FASHION_MNIST_DIR_ENV] = path.join(tmp, 'absent');
      expect(errorOf(() => entry.check!(nodeDatasets.parse('fashion-mnist')), 'data')).toMatch(
        /^Fashion-MNIST is not installed in \S+absent\. Install it with `sudo apt-get install dataset-fashion-mnist`.*\(missing: train-images-idx3-ubyte\(\.gz\), train-labels-idx1-ubyte\(\.gz\)\)$/,
      );
    } finally {
      if (saved === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
      else process.env[FASHION_MNIST_DIR_ENV] = saved;
    }
  });
});
