// One data-parallel replica of the DCGAN-MNIST trainer for dcgan-threads.mjs, stepped from outside:
// it steps each time the shared gate's request count passes its own count, replica 0 writes each
// step's wall and CPU milliseconds, and when told to stop it returns a hash of its weights.
import { createHash } from 'node:crypto';
import { networkVariables } from '@gankit/core';
import { makeTrainer } from './dcgan-setup.mjs';
import { threadCpuMs } from './util.mjs';

export async function runReplica({ index, count, group, options }) {
  const gate = new Int32Array(options.gate); // [steps requested, steps done, stop]
  const times = new Float64Array(options.times); // [wall ms, this thread's CPU ms] per step
  const t = makeTrainer('replica', { index, count, allReduceMean: (v) => group.allReduceMean(v) });
  for (let done = 0; ; done++) {
    Atomics.wait(gate, 0, done); // until the request count passes `done`
    if (Atomics.load(gate, 2) === 1) break;
    const t0 = performance.now();
    const c0 = threadCpuMs();
    await t.step();
    if (index === 0) {
      times[2 * done] = performance.now() - t0;
      times[2 * done + 1] = threadCpuMs() - c0;
      Atomics.store(gate, 1, done + 1);
      Atomics.notify(gate, 1);
    }
  }
  const hash = createHash('sha256');
  for (const v of [...networkVariables(t.trainer.generator), ...networkVariables(t.trainer.discriminator)]) hash.update(v.dataSync());
  t.dispose();
  return hash.digest('hex');
}
