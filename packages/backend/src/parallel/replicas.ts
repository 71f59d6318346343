import { Worker } from 'node:worker_threads';
import { GankitError, isGankitErrorCode } from '@gankit/core';
import { BackendError } from '../errors';
import { checkThreads } from '../wasm-threads';
import { abortAllReduceGroup, createAllReduceGroup, type AllReduceMember } from './all-reduce';

/** What a replica function receives in its worker thread (see {@link runReplicas}). */
export interface ReplicaRun<O = unknown> {
  /** This replica's index, 0 .. count - 1. */
  readonly index: number;
  /** Replicas in all. */
  readonly count: number;
  /** The group's all-reduce (a blocking mean over every replica's vector; see `AllReduceMember`). */
  readonly group: AllReduceMember;
  /** The `options` given to {@link runReplicas} (structured-cloned). */
  readonly options: O;
  /** The tfjs backend the worker runs on. */
  readonly backend: string;
}

/** A replica function: runs in every worker; its result (structured-cloneable) comes back. */
export type ReplicaFunction<O = unknown, R = unknown> = (run: ReplicaRun<O>) => R | Promise<R>;

/** Options of {@link runReplicas}. */
export interface RunReplicasOptions {
  /** The module exporting the replica function: a file URL or an absolute path. */
  readonly module: string | URL;
  /** The export to call (default `'runReplica'`). */
  readonly exportName?: string | undefined;
  /** Passed to every replica; must survive structured cloning. */
  readonly options?: unknown;
  /** Worker threads, one replica each (default 2). */
  readonly workers?: number | undefined;
  /** The tfjs backend of every worker, as for `initBackend` (default `'wasm'`). */
  readonly backend?: string | undefined;
  /** Threads inside each worker's wasm kernels, as `initBackend`'s `threads` (default: its one-thread build). */
  readonly threads?: number | undefined;
  /** The largest vector one all-reduce may carry, in float32 values (default 2²⁴: 64 MB a worker, allocated lazily). */
  readonly capacity?: number | undefined;
}

/** The worker's input (internal). */
export interface ReplicaWorkerData {
  readonly module: string;
  readonly exportName: string;
  readonly options: unknown;
  readonly index: number;
  readonly count: number;
  readonly backend: string;
  readonly threads?: number | undefined;
  readonly group: ReturnType<typeof createAllReduceGroup>;
}

/** Messages from a replica worker (internal). */
export type ReplicaWorkerMessage =
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string; name: string; code?: string | undefined };

/** The default all-reduce capacity of {@link runReplicas}: 2²⁴ float32 values. */
export const DEFAULT_REPLICA_CAPACITY = 2 ** 24;

/**
 * Runs a function in `workers` worker threads at once (single program, multiple data), each with
 * its own tfjs backend and a shared, blocking all-reduce (`run.group.allReduceMean`) that keeps
 * replicas of one model identical: for example a `Trainer` from `@gankit/trainer` with
 * `replica: { index, count, allReduceMean }`. Resolves with every replica's result, in index
 * order. If one replica fails, the group is aborted (the others' next all-reduce throws instead of
 * waiting forever), every worker is ended, and the promise rejects with the first failure.
 *
 * Node only: import it from `@gankit/backend/node`.
 *
 * @throws BackendError (`code: 'config'`) for a bad worker count or module path; a failing
 *   replica's error otherwise (its message, its `code` when it had one)
 */
export async function runReplicas<R = unknown>(options: RunReplicasOptions): Promise<R[]> {
  const count = options.workers ?? 2;
  if (!Number.isInteger(count) || count < 1) throw new BackendError('config', `runReplicas: workers must be an integer >= 1, got ${count}`);
  if (options.threads != null) checkThreads(options.threads, 'runReplicas: threads');
  const module = options.module instanceof URL ? options.module.href : toModuleUrl(options.module);
  const group = createAllReduceGroup(count, options.capacity ?? DEFAULT_REPLICA_CAPACITY);
  const workerUrl = new URL('./replica-worker.js', import.meta.url);
  const workers: Worker[] = [];
  let failed = false;
  const results = Array.from({ length: count }, (_, index) => {
    const worker = new Worker(workerUrl, {
      workerData: {
        module,
        exportName: options.exportName ?? 'runReplica',
        options: options.options,
        index,
        count,
        backend: options.backend ?? 'wasm',
        threads: options.threads,
        group,
      } satisfies ReplicaWorkerData,
    });
    workers.push(worker);
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        if (!failed) {
          failed = true;
          abortAllReduceGroup(group);
        }
        reject(e);
      };
      worker.on('message', (msg: ReplicaWorkerMessage) => {
        if (msg.type === 'done') {
          settled = true;
          resolve(msg.result as R);
        } else {
          fail(errorFromWorker(msg));
        }
      });
      worker.on('error', (e) => fail(new BackendError('backend', `replica ${index} failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (!settled) fail(new BackendError('backend', `replica ${index} exited (code ${code}) before finishing`));
      });
    });
  });
  try {
    const settled = await Promise.allSettled(results);
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (rejected.length) {
      // Report the replica that failed first, not the others' "group was aborted".
      const own = rejected.find((r) => !/the group was aborted/.test(String((r.reason as Error)?.message)));
      throw (own ?? rejected[0]).reason;
    }
    return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** A file URL for an absolute path (URLs pass through); relative paths are refused. */
export function toModuleUrl(path: string): string {
  if (/^[a-z]+:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) return path; // a URL (file:, data:)
  if (!path.startsWith('/') && !/^[a-z]:[\\/]/i.test(path)) {
    throw new BackendError('config', `module must be an absolute path or a URL, got '${path}'`);
  }
  return new URL(`file://${path.startsWith('/') ? '' : '/'}${path.replace(/\\/g, '/')}`).href;
}

/**
 * The error a replica threw, rebuilt on this side of the thread: a `GankitError` (or
 * `BackendError`) stays one, so `instanceof GankitError` still catches it; any other error keeps its
 * name, message and string `code`.
 */
function errorFromWorker(msg: { message: string; name: string; code?: string | undefined }): Error {
  if ((msg.name === 'GankitError' || msg.name === 'BackendError') && isGankitErrorCode(msg.code)) {
    const e = new GankitError(msg.code, msg.message);
    e.name = msg.name;
    return e;
  }
  const e = new Error(msg.message) as Error & { code?: string | undefined };
  e.name = msg.name;
  if (msg.code) e.code = msg.code;
  return e;
}
