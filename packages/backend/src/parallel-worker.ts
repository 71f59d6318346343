// The worker thread of DataParallel: builds one replica from a module path and options, then
// answers the main thread's messages (see protocol.ts).
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './select';
import type { FromWorker, PackedTensors, Replica, ReplicaFactory, ToWorker } from './parallel/protocol';

interface WorkerInput {
  readonly module: string;
  readonly exportName: string;
  readonly options: unknown;
  readonly index: number;
  readonly count: number;
  readonly backend: string;
}

/** Packs named tensors into one Float32Array (sorted by name, so every replica agrees). */
function pack(map: tf.NamedTensorMap): { layout: PackedTensors; values: Float32Array } {
  const names = Object.keys(map).sort();
  const shapes = names.map((n) => [...map[n].shape]);
  const offsets: number[] = [];
  let total = 0;
  for (const n of names) {
    offsets.push(total);
    total += map[n].size;
  }
  const values = new Float32Array(total);
  names.forEach((n, i) => values.set(map[n].dataSync() as Float32Array, offsets[i]));
  return { layout: { names, shapes, offsets, total }, values };
}

function unpack(layout: PackedTensors, values: Float32Array): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  layout.names.forEach((n, i) => {
    const size = layout.shapes[i].reduce((a, b) => a * b, 1);
    out[n] = tf.tensor(values.subarray(layout.offsets[i], layout.offsets[i] + size), layout.shapes[i], 'float32');
  });
  return out;
}

if (parentPort == null) throw new Error('@gankit/backend: the data-parallel worker must run in a worker thread');
const port = parentPort;
const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
const input = workerData as WorkerInput;
let replica: Replica | undefined;

async function handle(msg: ToWorker): Promise<void> {
  if (replica == null) throw new Error('replica not ready');
  switch (msg.type) {
    case 'gradients': {
      const { grads, logs } = await replica.gradients(msg.phase, msg.step);
      const packed = pack(grads);
      tf.dispose(Object.values(grads));
      send({ type: 'gradients', layout: packed.layout, values: packed.values, logs: { ...(logs ?? {}) } }, [
        packed.values.buffer as ArrayBuffer,
      ]);
      return;
    }
    case 'apply': {
      const grads = unpack(msg.layout, new Float32Array(msg.shared, 0, msg.layout.total));
      try {
        await replica.apply(msg.phase, grads);
      } finally {
        tf.dispose(Object.values(grads));
      }
      send({ type: 'applied' });
      return;
    }
    case 'weights': {
      const packed = pack(replica.weights());
      send({ type: 'weights', layout: packed.layout, values: packed.values }, [packed.values.buffer as ArrayBuffer]);
      return;
    }
    case 'close': {
      replica.dispose?.();
      replica = undefined;
      send({ type: 'closed' });
      port.close();
      return;
    }
  }
}

async function main(): Promise<void> {
  const report = await initBackend({ backend: input.backend as never, log: () => undefined });
  const mod = (await import(input.module)) as Record<string, unknown>;
  const factory = mod[input.exportName];
  if (typeof factory !== 'function') {
    throw new Error(`${input.module} has no function export '${input.exportName}' (exports: ${Object.keys(mod).join(', ') || 'none'})`);
  }
  replica = await (factory as ReplicaFactory)(input.options, { index: input.index, count: input.count });
  // One message at a time, in order (the main thread waits for each answer anyway).
  let queue = Promise.resolve();
  port.on('message', (msg: ToWorker) => {
    queue = queue.then(() =>
      handle(msg).catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }))
    );
  });
  send({ type: 'ready', phases: [...replica.phases], backend: report.backend });
}

main().catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
