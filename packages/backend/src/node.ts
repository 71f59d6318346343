/**
 * `@gankit/backend/node`: Node-only parts of `@gankit/backend`.
 *
 * - {@link DataParallel}: data-parallel training on worker threads, one replica per worker, so that
 *   a step uses several cores (tfjs's wasm backend runs one thread in Node).
 * - {@link runReplicas}: runs one function in several worker threads with a shared, blocking
 *   all-reduce ({@link AllReduceMember}), e.g. data-parallel replicas of a whole `Trainer`.
 *
 * @packageDocumentation
 */
export { DataParallel } from './parallel/data-parallel';
export type { DataParallelOptions, DataParallelStep } from './parallel/data-parallel';
export type { Replica, ReplicaContext, ReplicaFactory, ReplicaGradients } from './parallel/protocol';
export { AllReduceMember, abortAllReduceGroup, createAllReduceGroup } from './parallel/all-reduce';
export type { AllReduceGroupHandle } from './parallel/all-reduce';
export { DEFAULT_REPLICA_CAPACITY, runReplicas } from './parallel/replicas';
export type { ReplicaFunction, ReplicaRun, RunReplicasOptions } from './parallel/replicas';
