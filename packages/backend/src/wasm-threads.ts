// Threads inside a kernel for the wasm backend (opt-in: initBackend({ threads })).
//
// tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPACK with a pthreadpool) whose emscripten
// glue already runs its pthreads on Node's worker_threads, but tfjs never picks it in Node:
// - its flag WASM_HAS_MULTITHREAD_SUPPORT is false in Node;
// - it hands the glue the pthread worker script as a Blob URL, which worker_threads cannot load,
//   and the glue's own main script as a Blob, which the worker's importScripts cannot read;
// - the wasm caps its pool at emscripten_num_logical_cores() / 2, `os.cpus().length / 2` in Node.
// startThreadedWasm sets the flag, gives the glue a worker_threads Worker that evaluates the Blob's
// script and loads the glue's main script from the package's wasm-out/ folder, and reports enough
// cores while the backend starts. Kernels give the same numbers as the one-thread build.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from './errors';

/** The most threads the wasm backend's pool can use (its build pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

/** The threaded build's glue script, evaluated in every pthread worker (its Node branch loads it by path). */
const MAIN_SCRIPT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';

// Runs first in each pthread worker: reads the worker script tfjs put in a Blob and evaluates it
// with the `require` and `__filename` it expects. Its Node branch then provides `self`,
// `postMessage`, `onmessage` and `importScripts` over worker_threads.
const BOOT = `const { workerData } = require('node:worker_threads');
workerData.script.text().then((src) => new Function('require', '__filename', src)(require, 'tfjs-backend-wasm-threaded-simd.worker.js'));`;

/** Whether this runs in Node (not a browser or a web worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Checks a `threads` option: an integer in [1, {@link MAX_WASM_THREADS}]. */
export function checkThreads(threads: unknown, source = 'options.threads'): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new BackendError('config', `${source} must be an integer from 1 to ${MAX_WASM_THREADS}, got ${String(threads)}`);
  }
  return threads;
}

/** The XNNPACK threads of the active wasm backend (1 when it runs the one-thread build). */
export function wasmThreadsCount(): number {
  try {
    return Math.max(1, getThreadsCount());
  } catch {
    return 1;
  }
}

// Loads a Node built-in by a name bundlers do not follow (this file is also part of the browser build).
const builtin = (name: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ name);

type WorkerCtor = new (script: string, options: object) => { postMessage(msg: unknown, transfer?: unknown): void; ref(): void };

/**
 * Starts tfjs's wasm backend on its threaded SIMD build with `threads` XNNPACK threads
 * (`tf.setBackend('wasm')` with the threaded build forced): in Node through worker_threads, in a
 * browser as tfjs does (it needs cross-origin isolation, else it starts the one-thread build).
 * Must run before the wasm backend first starts in this process or thread.
 *
 * @returns whether `tf.setBackend('wasm')` succeeded
 */
export async function startThreadedWasm(threads: number): Promise<boolean> {
  setThreadsCount(threads);
  if (!isNode()) return tf.setBackend('wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const { Worker: NodeWorker } = (await builtin('node:worker_threads')) as { Worker: WorkerCtor };
  const { resolveObjectURL } = (await builtin('node:buffer')) as { resolveObjectURL(url: string): Blob | undefined };
  const { createRequire } = (await builtin('node:module')) as { createRequire(from: string): { resolve(id: string): string } };
  const os = ((await builtin('node:os')) as { default: { cpus(): unknown[] } }).default;
  const mainScript = createRequire(import.meta.url).resolve(MAIN_SCRIPT);

  // What the glue's `new Worker(url)` gets: a worker_threads Worker running the Blob's script.
  class PthreadWorker extends NodeWorker {
    constructor(url: string) {
      const script = resolveObjectURL(String(url));
      if (script == null) throw new BackendError('backend', `wasm threads: the pthread worker script ${String(url)} is not a Blob URL`);
      super(BOOT, { eval: true, workerData: { script } });
    }
    override postMessage(msg: unknown, transfer?: unknown): void {
      const m = msg as { cmd?: unknown; urlOrBlob?: unknown } | null;
      // The worker's importScripts reads files: give it the glue's main script by path, not as a Blob.
      super.postMessage(m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? { ...m, urlOrBlob: mainScript } : msg, transfer);
    }
    /** Pool threads never keep the process alive (the glue refs a worker while its pthread runs). */
    override ref(): void {}
  }

  // The glue assigns worker_threads' Worker to the global `Worker` and then calls `new Worker(url)`:
  // answer with PthreadWorker while the backend starts (it creates its 8 workers then), ignore the
  // assignment, and restore the global afterwards. The wasm sizes its pool from os.cpus().length / 2:
  // report at least 2 × threads cores meanwhile.
  const g = globalThis as Record<string, unknown>;
  const previous = Object.getOwnPropertyDescriptor(g, 'Worker');
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
  const cpus = os.cpus;
  os.cpus = () => {
    const list = cpus.call(os);
    while (list.length > 0 && list.length < 2 * threads) list.push(list[0]);
    return list;
  };
  try {
    return await tf.setBackend('wasm');
  } finally {
    os.cpus = cpus;
    if (previous != null) Object.defineProperty(g, 'Worker', previous);
    else delete g.Worker;
  }
}
