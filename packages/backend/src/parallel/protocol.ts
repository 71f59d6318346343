import type * as tf from '@tensorflow/tfjs-core';

/** Where a replica sits among its peers: worker `index` of `count`. */
export interface ReplicaContext {
  /** This replica's index, 0 .. count - 1: which shard of each batch it takes. */
  readonly index: number;
  /** How many replicas there are. */
  readonly count: number;
}

/** What a replica returns from {@link Replica.gradients}. */
export interface ReplicaGradients {
  /** Gradients by variable name, on this replica's shard (a mean over the shard). */
  readonly grads: tf.NamedTensorMap;
  /** Scalars to report (e.g. losses); averaged over the replicas. */
  readonly logs?: Readonly<Record<string, number>>;
}

/**
 * One copy of a model and its optimizers, living in a worker thread. Every replica must start
 * from the same weights (build them from the same seed) and hold the same optimizer state; the
 * runner then keeps them identical, bit for bit, by applying the same averaged gradients in each.
 */
export interface Replica {
  /** The phases of one step, run in this order (e.g. `['discriminator', 'generator']`). */
  readonly phases: readonly string[];
  /**
   * This replica's gradients for `phase` of step `step`, on its shard of the step's batch
   * ({@link ReplicaContext}). The runner disposes the returned tensors.
   */
  gradients(phase: string, step: number): ReplicaGradients | Promise<ReplicaGradients>;
  /** Applies the gradients averaged over all replicas (identical in each): an optimizer step. */
  apply(phase: string, grads: tf.NamedTensorMap): void | Promise<void>;
  /** The weights to compare across replicas (not disposed by the runner). */
  weights(): tf.NamedTensorMap;
  /** Frees the replica's tensors. */
  dispose?(): void;
}

/** A module's export that builds a replica in a worker from plain (structured-cloneable) options. */
export type ReplicaFactory = (options: unknown, context: ReplicaContext) => Replica | Promise<Replica>;

/** Named arrays, as they cross between threads. @internal */
export interface PackedTensors {
  readonly names: string[];
  readonly shapes: number[][];
  readonly offsets: number[];
  readonly total: number;
}

/** Messages from the main thread to a worker. @internal */
export type ToWorker =
  | { readonly type: 'gradients'; readonly phase: string; readonly step: number }
  | { readonly type: 'apply'; readonly phase: string; readonly layout: PackedTensors; readonly shared: SharedArrayBuffer }
  | { readonly type: 'weights' }
  | { readonly type: 'close' };

/** Messages from a worker to the main thread. @internal */
export type FromWorker =
  | { readonly type: 'ready'; readonly phases: string[]; readonly backend: string }
  | { readonly type: 'gradients'; readonly layout: PackedTensors; readonly values: Float32Array; readonly logs: Record<string, number> }
  | { readonly type: 'applied' }
  | { readonly type: 'weights'; readonly layout: PackedTensors; readonly values: Float32Array }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };
