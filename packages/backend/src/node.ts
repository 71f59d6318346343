/**
 * `@gankit/backend/node`: Node-only parts of `@gankit/backend`.
 *
 * - {@link DataParallel}: data-parallel training on worker threads, one replica per worker, so that
 *   a step uses several cores (tfjs's wasm backend runs one thread in Node).
 *
 * @packageDocumentation
 */
export { DataParallel } from './parallel/data-parallel';
export type { DataParallelOptions, DataParallelStep } from './parallel/data-parallel';
export type { Replica, ReplicaContext, ReplicaFactory, ReplicaGradients } from './parallel/protocol';
