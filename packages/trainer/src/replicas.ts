// Data-parallel replicas: the options, the random source plugins see, and the all-reduce of
// gradients, batch-norm statistics and the starting weights.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, type Network, networkVariables } from '@gankit/core';

/**
 * Data-parallel training: `count` trainers, built alike (same networks, seed, data, plugins and
 * options), each in its own thread, train one model together. Every iteration each replica draws
 * the same whole batch (`batchSize` examples and latent points, from the shared seed) and keeps its
 * own `batchSize / count` rows; after computing its gradients for an update it calls
 * `allReduceMean` on them (and the loss), and every replica applies the same mean, so the replicas
 * stay identical. After the generator update the networks' non-trainable variables (batch-norm
 * moving statistics) are averaged the same way, and the logged values are means over the replicas.
 *
 * What differs from one thread with the whole batch: batch normalization normalises each shard
 * with its own statistics (as PyTorch's DistributedDataParallel without SyncBatchNorm does), and
 * losses that compare an example with its batch's mean (the relativistic ones) see the shard's
 * mean. Plugins run in every replica; their random draws (`s.random`) are decorrelated between
 * replicas while staying in step. A plugin whose state depends on its shard (experience replay's
 * buffer) keeps a per-replica state, and a checkpoint (written by one replica) holds that
 * replica's.
 *
 * `AllReduceMember` of `@gankit/backend/node` implements `allReduceMean` over shared memory; the
 * `gankit` command's `--workers` runs a whole example this way.
 */
export interface ReplicaOptions {
  /** This replica's index, 0 .. count - 1: rows `index·b/count .. (index+1)·b/count` of each batch. */
  readonly index: number;
  /** Replicas in all; `batchSize` must be a multiple of it. */
  readonly count: number;
  /**
   * Replaces `values` by the element-wise mean over every replica's `values`, returning when all
   * replicas have called it. It must give every replica the same bits.
   */
  allReduceMean(values: Float32Array): void;
}

/**
 * The random source a replica's plugins see: every draw is taken from the shared source (so the
 * replicas' counters stay in step and checkpoints hold one state) on a stream of its own, so
 * replicas draw different numbers.
 * @internal
 */
export class ReplicaRandomSource extends RandomSource {
  constructor(
    private readonly shared: RandomSource,
    private readonly index: number,
  ) {
    super(shared.seed);
  }
  override get seed(): number {
    return this.shared.seed;
  }
  override get counter(): number {
    return this.shared.counter;
  }
  override nextSeed(stream = ''): number {
    return this.shared.nextSeed(`${stream}@replica${this.index}`);
  }
  override fork(stream: string): RandomSource {
    return this.shared.fork(`${stream}@replica${this.index}`);
  }
  override state(): { seed: number; counter: number } {
    return this.shared.state();
  }
  override loadState(state: { seed: number; counter: number }): void {
    this.shared.loadState(state);
  }
}

/**
 * Checks replica options and returns them when there is more than one replica.
 * @internal
 */
export function checkReplica(replica: ReplicaOptions | undefined, batchSize: number): ReplicaOptions | undefined {
  if (replica === undefined) return undefined;
  if (
    !replica ||
    !Number.isInteger(replica.count) ||
    replica.count < 1 ||
    !Number.isInteger(replica.index) ||
    replica.index < 0 ||
    replica.index >= replica.count
  ) {
    throw new GankitError(
      'config',
      `replica must have an integer count >= 1 and index in [0, count), got index ${replica?.index} of ${replica?.count}`,
    );
  }
  if (typeof replica.allReduceMean !== 'function') throw new GankitError('config', 'replica.allReduceMean must be a function');
  if (batchSize % replica.count !== 0) {
    throw new GankitError(
      'config',
      `batchSize ${batchSize} does not split evenly over ${replica.count} replicas; use a multiple of ${replica.count}`,
    );
  }
  return replica.count > 1 ? replica : undefined;
}

/**
 * This replica's rows of a whole-batch tensor (the tensor itself without replicas; disposes it otherwise).
 * @internal
 */
export function shard<T extends tf.Tensor>(replica: ReplicaOptions | undefined, t: T): T {
  if (!replica) return t;
  const size = t.shape[0] / replica.count;
  const rows = tf.slice(t, [replica.index * size], [size]) as T;
  t.dispose();
  return rows;
}

/**
 * Replaces a replica's gradients and loss by their means over all replicas (one read, one
 * all-reduce, new tensors); the inputs are disposed. Gradients are taken in `vars` order.
 * @internal
 */
export function reduceGradients(
  replica: ReplicaOptions,
  cost: tf.Scalar,
  grads: tf.NamedTensorMap,
  vars: readonly tf.Variable[],
): { cost: tf.Scalar; grads: tf.NamedTensorMap } {
  const present = vars.filter((v) => grads[v.name] != null);
  const flat = tf.tidy(() => tf.concat([tf.reshape(cost, [1]), ...present.map((v) => tf.reshape(grads[v.name], [-1]))]));
  // A copy: on the cpu backend dataSync can hand out a buffer that another tensor still uses.
  const values = (flat.dataSync() as Float32Array).slice();
  flat.dispose();
  tf.dispose([cost, ...Object.values(grads)]);
  replica.allReduceMean(values);
  const out: tf.NamedTensorMap = {};
  let offset = 1;
  for (const v of present) {
    out[v.name] = tf.tensor(values.subarray(offset, offset + v.size), v.shape, 'float32');
    offset += v.size;
  }
  return { cost: tf.scalar(values[0]), grads: out };
}

/**
 * Averages the networks' non-trainable variables (batch-norm statistics) over the replicas.
 * @internal
 */
export function reduceNonTrainable(replica: ReplicaOptions | undefined, networks: readonly Network[]): void {
  const vars = networks.flatMap((n) => n.nonTrainableVariables).filter((v) => v.dtype === 'float32');
  if (!replica || vars.length === 0) return;
  const flat = tf.tidy(() => tf.concat(vars.map((v) => tf.reshape(v, [-1]))));
  const values = (flat.dataSync() as Float32Array).slice(); // a copy (see reduceGradients)
  flat.dispose();
  replica.allReduceMean(values);
  let offset = 0;
  for (const v of vars) {
    const t = tf.tensor(values.subarray(offset, offset + v.size), v.shape, 'float32');
    v.assign(t);
    t.dispose();
    offset += v.size;
  }
}

/**
 * Replicas must start from the same weights; averaging gradients keeps equal weights equal but
 * never makes different ones meet. Every replica all-reduces a fingerprint of its variables
 * (FNV-1a of their bytes, as two exact 16-bit halves): where the mean differs from a replica's
 * own, that replica throws (and `runReplicas` stops the others).
 * @internal
 */
export function checkReplicasAgree(replica: ReplicaOptions, networks: readonly Network[]): void {
  let h = 0x811c9dc5;
  for (const v of networks.flatMap((n) => networkVariables(n))) {
    const bytes = new Uint8Array((v.dataSync() as Float32Array).slice().buffer);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  const own = new Float32Array([h >>> 16, h & 0xffff]);
  const mean = Float32Array.from(own);
  replica.allReduceMean(mean);
  if (mean[0] !== own[0] || mean[1] !== own[1]) {
    throw new GankitError(
      'config',
      `replica ${replica.index} of ${replica.count} starts from other weights than the rest: build every replica the same way (the same seeds, and the same network names, from which initial weights are derived)`,
    );
  }
}
