// A small GAN with every kind of state, for the state, resume and nan-guard tests (not exported).
import * as tf from '@tensorflow/tfjs-core';
import { networkVariables } from '@gankit/core';
import type { DataSource, Network } from '@gankit/core';
import { ema } from '@gankit/averaging';
import type { EmaPlugin } from '@gankit/averaging';
import { tensorDataset } from '@gankit/data';
import { Trainer } from './trainer';
import { buildNetworks, fixedPoints } from '../test/fixtures/test-gan.mjs';
import type { NanGuardOptions } from './nan-guard';
import type { TrainerOptions } from './options';
import { nonSaturating } from './test-utils';

export { buildNetworks, fixedPoints };

/** A full trainer: the networks above, Adam for both, EMA of G, a shuffled finite data set. */
export function buildTrainer(
  tag: string,
  extra: Partial<TrainerOptions> & { nanGuard?: NanGuardOptions | undefined; data?: DataSource | undefined } = {},
): Trainer & { ema: EmaPlugin } {
  const { generator, discriminator } = buildNetworks(tag);
  const avg = ema({ decay: 0.9 });
  const t = new Trainer({
    generator,
    discriminator,
    loss: nonSaturating,
    data: tensorDataset({ x: fixedPoints(), shape: [2], name: 'arcs' }),
    batchSize: 32,
    generatorOptimizer: tf.train.adam(0.01, 0.5),
    discriminatorOptimizer: tf.train.adam(0.01, 0.5),
    plugins: [avg],
    seed: 17,
    ...extra,
  });
  return Object.assign(t, { ema: avg });
}

/** Frees a trainer built by {@link buildTrainer} with its networks. */
export function disposeTrainer(t: Trainer): void {
  t.dispose();
  t.generator.dispose();
  t.discriminator.dispose();
}

/** Every value of a state, flattened by tensor name, plus its metadata without network names. */
export async function stateValues(t: Trainer): Promise<{ values: Record<string, number[]>; meta: unknown }> {
  const s = await t.state();
  const values: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(s.tensors)) values[k] = Array.from(v.dataSync());
  tf.dispose(Object.values(s.tensors));
  const meta = JSON.parse(JSON.stringify(s.meta)) as { networks: Record<string, { name?: string | undefined }> };
  for (const n of Object.values(meta.networks)) delete n.name;
  return { values, meta };
}

/** Throws unless two trainers' states are bit-identical (NaN equal to NaN, -0 distinct from 0). */
export function expectSameState(
  a: { values: Record<string, number[]>; meta: unknown },
  b: { values: Record<string, number[]>; meta: unknown },
): void {
  const ka = Object.keys(a.values).sort();
  const kb = Object.keys(b.values).sort();
  if (JSON.stringify(ka) !== JSON.stringify(kb)) throw new Error(`different tensors: ${ka.join(',')} vs ${kb.join(',')}`);
  for (const k of ka) {
    const x = a.values[k];
    const y = b.values[k];
    if (x.length !== y.length) throw new Error(`${k}: ${x.length} vs ${y.length} values`);
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) throw new Error(`${k}[${i}]: ${x[i]} vs ${y[i]}`);
  }
  const ma = JSON.stringify(a.meta);
  const mb = JSON.stringify(b.meta);
  if (ma !== mb) throw new Error(`metadata differs:\n${ma}\n${mb}`);
}

/** Every variable of a network, read into arrays. */
export function readNetwork(net: Network): Float32Array[] {
  return networkVariables(net).map((v) => v.dataSync().slice() as Float32Array);
}
