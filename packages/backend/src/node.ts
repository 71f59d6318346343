/**
 * `@gankit/backend/node`: Node-only parts of `@gankit/backend`.
 *
 * - {@link runReplicas}: runs one function in several worker threads with a shared, blocking
 *   all-reduce ({@link AllReduceMember}): data-parallel replicas of a whole `Trainer` (its
 *   `replica` option), so that a step uses several cores (tfjs's wasm backend runs one thread in
 *   Node).
 *
 * @packageDocumentation
 */
export { AllReduceMember, abortAllReduceGroup, createAllReduceGroup } from './parallel/all-reduce';
export type { AllReduceGroupHandle } from './parallel/all-reduce';
export { DEFAULT_REPLICA_CAPACITY, runReplicas } from './parallel/replicas';
export type { ReplicaFunction, ReplicaRun, RunReplicasOptions } from './parallel/replicas';
