// The worker thread of runReplicas: starts the backend, imports the replica module and runs its
// function once with this worker's index and the group's all-reduce.
import { parentPort, workerData } from 'node:worker_threads';
import { BackendError } from './errors';
import { initBackend } from './select';
import { AllReduceMember } from './parallel/all-reduce';
import type { ReplicaFunction, ReplicaWorkerData, ReplicaWorkerMessage } from './parallel/replicas';

if (parentPort == null) throw new BackendError('config', '@gankit/backend: the replica worker must run in a worker thread');
const port = parentPort;
const input = workerData as ReplicaWorkerData;
const send = (msg: ReplicaWorkerMessage) => port.postMessage(msg);

async function main(): Promise<void> {
  const report = await initBackend({ backend: input.backend, threads: input.threads });
  const mod = (await import(input.module)) as Record<string, unknown>;
  const fn = mod[input.exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[input.exportName];
  if (typeof fn !== 'function') throw new BackendError('config', `module ${input.module} has no function export '${input.exportName}'`);
  const group = new AllReduceMember(input.group, input.index);
  const result = await (fn as ReplicaFunction)({
    index: input.index,
    count: input.count,
    group,
    options: input.options,
    backend: report.backend,
  });
  send({ type: 'done', result });
}

main().catch((e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  send({ type: 'error', message: err.message, name: err.name, code: typeof code === 'string' ? code : undefined });
});
