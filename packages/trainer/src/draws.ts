// The draws of one iteration: real batches of every data set, latent inputs and fake labels.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type Batch } from '@gankit/core';
import { sameShape, sampleUniformLabels } from './adversarial';
import type { PairSpec } from './game';
import type { KernelParts } from './kernel';
import { shard } from './replicas';

/** A pair's generator input in one update. @internal */
export interface PairInput {
  z: tf.Tensor;
  labels: tf.Tensor1D | undefined;
}

/** The draws of one iteration in progress. @internal */
export interface Draws {
  batches: Record<string, Batch> | undefined;
  inputs: Map<string, PairInput>;
  previousFakes: Map<string, { x: tf.Tensor; labels: tf.Tensor1D | undefined }>;
  toDispose: tf.Tensor[];
}

/** Draws a fresh batch of every data set of the game, checked and sharded. */
export function drawBatches(k: KernelParts, draws: Draws): void {
  const { game, batchSize, random, replica } = k;
  const batches: Record<string, Batch> = {};
  for (const [key, data] of Object.entries(game.data)) {
    const batch = data.nextBatch(batchSize, random);
    const shape = batch.x.shape;
    if (shape[0] !== batchSize || !sameShape(shape.slice(1), data.sampleShape)) {
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      throw new GankitError(
        'shape',
        `data '${data.name}' returned a batch of ${formatShape(shape)}, expected ${formatShape([batchSize, ...data.sampleShape])}`,
      );
    }
    if (batch.x.dtype !== 'float32') {
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      throw new GankitError('dtype', `data '${data.name}' returned a batch of dtype ${batch.x.dtype}, expected float32`);
    }
    if (game.conditional && !batch.labels && game.pairs.some((p) => p.data === key && p.input.kind === 'latent')) {
      tf.dispose(batch.x);
      throw new GankitError('data', `conditional training needs labels, but data '${data.name}' returned a batch without them`);
    }
    const b: Batch = replica
      ? { ...batch, x: shard(replica, batch.x), labels: batch.labels ? shard(replica, batch.labels) : undefined }
      : batch;
    draws.toDispose.push(b.x);
    if (b.labels) draws.toDispose.push(b.labels);
    batches[key] = b;
  }
  draws.batches = batches;
}

/** Draws fresh latent points (and fake labels) for the pairs with latent input. */
export function drawInputs(k: KernelParts, pairs: readonly PairSpec[], draws: Draws): void {
  const { game, batchSize, random, replica, latent } = k;
  const batches = draws.batches as Record<string, Batch>;
  for (const pair of pairs) {
    if (pair.input.kind !== 'latent') continue;
    const z = shard(replica, latent(batchSize, random));
    draws.toDispose.push(z);
    let labels: tf.Tensor1D | undefined;
    if (game.conditional) {
      const real = batches[pair.data].labels;
      if (game.fakeLabels === 'uniform') {
        labels = shard(replica, sampleUniformLabels(batchSize, game.data[pair.data].numClasses as number, random));
        draws.toDispose.push(labels);
      } else {
        labels = real;
      }
    }
    draws.inputs.set(pair.name, { z, labels });
  }
}

/** A pair's generator input: its latent draw, or the examples of its input data set. */
export function inputOf(pair: PairSpec, draws: Draws): PairInput {
  if (pair.input.kind === 'data') return { z: (draws.batches as Record<string, Batch>)[pair.input.data].x, labels: undefined };
  return draws.inputs.get(pair.name) as PairInput;
}
