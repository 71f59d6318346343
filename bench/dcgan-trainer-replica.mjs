// One data-parallel replica of the DCGAN-MNIST trainer (dcgan-setup.mjs), for dcgan-mnist.mjs:
// times its steps and returns them with a hash of its weights (replicas must agree).
import { createHash } from 'node:crypto';
import { networkVariables } from '@gankit/core';
import { makeTrainer } from './dcgan-setup.mjs';
import { time } from './util.mjs';

export async function runReplica({ index, count, group, options }) {
  const t = makeTrainer('replica', { index, count, allReduceMean: (v) => group.allReduceMean(v) });
  const ms = await time(t.step, { warmup: options.warmup, runs: options.runs });
  const hash = createHash('sha256');
  for (const v of [...networkVariables(t.trainer.generator), ...networkVariables(t.trainer.discriminator)]) hash.update(v.dataSync());
  t.dispose();
  return { ms, weights: hash.digest('hex') };
}
