import { Worker } from 'node:worker_threads';
import { BackendError } from '../errors';
import { toModuleUrl } from './replicas';
import type { FromWorker, PackedTensors, ToWorker } from './protocol';

/** Options of {@link DataParallel.start}. */
export interface DataParallelOptions {
  /**
   * The module that builds a replica in each worker: a file URL or absolute path (an ES module or
   * a CommonJS file Node can `import()`). It must import the same `@tensorflow/tfjs-core` as the
   * rest of the program (resolve from the same `node_modules`).
   */
  readonly module: string | URL;
  /** The module's export to call as a {@link ReplicaFactory} (default `'createReplica'`). */
  readonly exportName?: string;
  /** Passed to the factory in every worker; must survive structured cloning. */
  readonly options?: unknown;
  /** Worker threads, one replica each (default 2; at least 1). */
  readonly workers?: number;
  /** The tfjs backend of every worker, as for `initBackend` (default `'wasm'`). */
  readonly backend?: string;
}

/** What {@link DataParallel.step} returns. */
export interface DataParallelStep {
  /** The step's index (0 for the first). */
  readonly step: number;
  /** The replicas' logs, averaged, per phase: `{ 'discriminator/loss': ... }`. */
  readonly logs: Record<string, number>;
}

interface Pending {
  resolve(msg: FromWorker): void;
  reject(e: Error): void;
}

/** One worker and the answer it owes. */
class Peer {
  private pending: Pending | undefined;
  private failure: Error | undefined;

  constructor(
    readonly worker: Worker,
    readonly index: number
  ) {
    worker.on('message', (msg: FromWorker) => {
      const p = this.pending;
      this.pending = undefined;
      if (msg.type === 'error') p?.reject(new BackendError('backend', `data-parallel worker ${index}: ${msg.message}`));
      else p?.resolve(msg);
    });
    const fail = (e: Error) => {
      this.failure = e;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(e);
    };
    worker.on('error', (e) => fail(new BackendError('backend', `data-parallel worker ${index} failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new BackendError('backend', `data-parallel worker ${index} exited (code ${code})`)));
  }

  /** The next message from the worker. */
  next(): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  /** Sends `msg` and waits for the answer. */
  ask(msg: ToWorker): Promise<FromWorker> {
    const answer = this.next();
    this.worker.postMessage(msg);
    return answer;
  }
}

function expectType<T extends FromWorker['type']>(msg: FromWorker, type: T): Extract<FromWorker, { type: T }> {
  if (msg.type !== type) throw new BackendError('backend', `data-parallel: expected a '${type}' message, got '${msg.type}'`);
  return msg as Extract<FromWorker, { type: T }>;
}

function sameLayout(a: PackedTensors, b: PackedTensors): boolean {
  return a.total === b.total && a.names.join('\n') === b.names.join('\n') && a.shapes.every((s, i) => s.join() === b.shapes[i].join());
}

/**
 * Data-parallel training on Node worker threads: each worker holds a replica (model and optimizer)
 * built by a {@link ReplicaFactory} from a module path and options, and computes gradients on its
 * shard of each batch with its own tfjs backend (wasm by default: tfjs's wasm backend runs one
 * thread in Node, so this is how a step uses several cores). For each phase of a step the runner
 * averages the workers' gradients (in worker order, in float64, rounded once to float32) into a
 * `SharedArrayBuffer` that every worker reads, and every worker applies the same update, so the
 * replicas stay identical bit for bit.
 *
 * The average of per-shard mean gradients is the gradient of the whole batch's mean loss, except
 * where a layer couples the examples of a batch: batch normalization then normalises each shard
 * with its own statistics (as PyTorch's DistributedDataParallel without SyncBatchNorm does).
 *
 * Node only: import it from `@gankit/backend/node`.
 */
export class DataParallel {
  private steps = 0;
  private readonly shared = new Map<string, { layout: PackedTensors; buffer: SharedArrayBuffer }>();
  private closed = false;

  private constructor(
    private readonly peers: Peer[],
    /** The phases of one step, as the replicas declare them. */
    readonly phases: readonly string[],
    /** The tfjs backend the workers run on. */
    readonly backend: string
  ) {}

  /**
   * Starts the workers and builds a replica in each.
   *
   * @throws BackendError (`code: 'config'`) for a bad worker count, (`'backend'`) when a worker fails
   *   to start or to build its replica, or when the replicas disagree on their phases
   */
  static async start(options: DataParallelOptions): Promise<DataParallel> {
    const count = options.workers ?? 2;
    if (!Number.isInteger(count) || count < 1) {
      throw new BackendError('config', `DataParallel: workers must be an integer >= 1, got ${count}`);
    }
    const module = options.module instanceof URL ? options.module.href : toModuleUrl(options.module);
    const workerUrl = new URL('./parallel-worker.js', import.meta.url);
    const peers: Peer[] = [];
    for (let index = 0; index < count; index++) {
      const worker = new Worker(workerUrl, {
        workerData: {
          module,
          exportName: options.exportName ?? 'createReplica',
          options: options.options,
          index,
          count,
          backend: options.backend ?? 'wasm',
        },
      });
      peers.push(new Peer(worker, index));
    }
    try {
      const ready = await Promise.all(peers.map(async (p) => expectType(await p.next(), 'ready')));
      const phases = ready[0].phases;
      if (ready.some((r) => r.phases.join('\n') !== phases.join('\n'))) {
        throw new BackendError('backend', `DataParallel: replicas declare different phases: ${ready.map((r) => r.phases.join(',')).join(' / ')}`);
      }
      return new DataParallel(peers, phases, ready[0].backend);
    } catch (e) {
      await Promise.all(peers.map((p) => p.worker.terminate()));
      throw e;
    }
  }

  /** The number of workers (replicas). */
  get workers(): number {
    return this.peers.length;
  }

  /**
   * Runs one step: for each phase, every replica computes gradients on its shard, the runner
   * averages them, and every replica applies the average.
   */
  async step(): Promise<DataParallelStep> {
    if (this.closed) throw new BackendError('backend', 'DataParallel: step() after close()');
    const step = this.steps;
    const logs: Record<string, number> = {};
    for (const phase of this.phases) {
      const answers = await Promise.all(this.peers.map(async (p) => expectType(await p.ask({ type: 'gradients', phase, step }), 'gradients')));
      const layout = answers[0].layout;
      for (const a of answers) {
        if (!sameLayout(a.layout, layout)) {
          throw new BackendError('backend', `DataParallel: replicas returned different gradients in phase '${phase}': [${a.layout.names}] vs [${layout.names}]`);
        }
      }
      let slot = this.shared.get(phase);
      if (slot == null || !sameLayout(slot.layout, layout)) {
        slot = { layout, buffer: new SharedArrayBuffer(layout.total * 4) };
        this.shared.set(phase, slot);
      }
      averageInto(new Float32Array(slot.buffer), answers.map((a) => a.values));
      for (const key of Object.keys(answers[0].logs)) {
        logs[`${phase}/${key}`] = answers.reduce((s, a) => s + (a.logs[key] ?? NaN), 0) / answers.length;
      }
      await Promise.all(this.peers.map(async (p) => expectType(await p.ask({ type: 'apply', phase, layout: slot.layout, shared: slot.buffer }), 'applied')));
    }
    this.steps++;
    return { step, logs };
  }

  /**
   * Every replica's weights, by name (to check that the replicas agree, or to save the model).
   *
   * @returns one record per worker, in worker order
   */
  async weights(): Promise<Record<string, { values: Float32Array; shape: number[] }>[]> {
    const answers = await Promise.all(this.peers.map(async (p) => expectType(await p.ask({ type: 'weights' }), 'weights')));
    return answers.map(({ layout, values }) =>
      Object.fromEntries(
        layout.names.map((n, i) => {
          const size = layout.shapes[i].reduce((a, b) => a * b, 1);
          return [n, { values: values.slice(layout.offsets[i], layout.offsets[i] + size), shape: layout.shapes[i] }];
        })
      )
    );
  }

  /** Disposes the replicas and ends the workers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.peers.map(async (p) => {
        try {
          await p.ask({ type: 'close' });
        } catch {
          // a worker that already failed
        }
        await p.worker.terminate();
      })
    );
  }
}

/** `out[i] = (sum over sources of source[i]) / sources.length`, summed in float64 in source order. */
function averageInto(out: Float32Array, sources: Float32Array[]): void {
  const n = sources.length;
  if (n === 1) {
    out.set(sources[0]);
    return;
  }
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += sources[k][i];
    out[i] = s / n;
  }
}
