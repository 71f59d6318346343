// The trained weights of a run: `<run>/final/` with the generator's, the discriminator's and the
// averaged generator's variables, in the weights format of weights-format.ts.
import * as tf from '@tensorflow/tfjs-core';
import { basename, join } from 'node:path';
import { isWeightAverager, networkVariables, type WeightAverager } from '@gankit/core';
import type { JsonValue } from '@gankit/core';
import { exists } from './durable-write';
import type { Trainer } from './trainer';
import { MANIFEST_FILE, type WriteWeightsOptions, corrupt, readWeights, writeWeights } from './weights-format';

/** The weights read by {@link loadFinal} (the caller disposes the tensors). */
export interface FinalWeights {
  /** The generator's variables in `networkVariables` order. */
  readonly generator: tf.Tensor[];
  /** The discriminator's variables in `networkVariables` order. */
  readonly discriminator: tf.Tensor[];
  /** The averaged generator's variables, when an averaging plugin of the generator was present. */
  readonly averagedGenerator?: tf.Tensor[] | undefined;
  /** The iterations completed when they were saved. */
  readonly step: number;
}

/**
 * Writes the trained weights to `<runDir>/final/` in the same format as checkpoints:
 * `generator/<i>` and `discriminator/<i>` (every variable, `networkVariables` order) and, when an
 * averaging plugin of the generator (such as `ema`) is present, `averaged-generator/<i>`. Atomic
 * like {@link writeWeights}, and refused (code `'numerical'`) when a weight is NaN or ±Infinity,
 * so that a diverged run leaves an earlier `final/` as it was. Returns the directory.
 */
export async function saveFinal(runDir: string, trainer: Trainer, options: WriteWeightsOptions = {}): Promise<string> {
  const entries: { name: string; tensor: tf.Tensor }[] = [];
  const describe = (role: string, vars: readonly tf.Tensor[]) => {
    vars.forEach((t, i) => entries.push({ name: `${role}/${i}`, tensor: t }));
    return vars.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
  };
  const networks: Record<string, JsonValue> = {
    generator: {
      name: trainer.generator.name,
      variables: describe('generator', networkVariables(trainer.generator)),
      trainable: trainer.generator.trainableVariables.length,
    },
    discriminator: {
      name: trainer.discriminator.name,
      variables: describe('discriminator', networkVariables(trainer.discriminator)),
      trainable: trainer.discriminator.trainableVariables.length,
    },
  };
  const avg = trainer.plugins.find(
    (p): p is WeightAverager => isWeightAverager(p) && (p.network ?? 'generator') === 'generator' && p.initialized !== false,
  );
  if (avg) {
    networks['averaged-generator'] = {
      plugin: avg.name,
      variables: describe('averaged-generator', avg.averagedWeights()),
      trainable: trainer.generator.trainableVariables.length,
    };
  }
  return writeWeights(runDir, 'final', entries, { kind: 'final', step: trainer.iteration, networks }, options);
}

/**
 * Reads `<runDir>/final/` (or any directory written by {@link saveFinal}), verified like a
 * checkpoint. Assign `generator` (or `averagedGenerator`) to a network built the same way with
 * `networkVariables(net).forEach((v, i) => v.assign(w.generator[i]))`, then dispose the tensors.
 */
export async function loadFinal(path: string): Promise<FinalWeights> {
  const dir = basename(path) === 'final' || (await exists(join(path, MANIFEST_FILE))) ? path : join(path, 'final');
  const { tensors, manifest } = await readWeights(dir);
  const g = manifest.gankit as { kind?: unknown; step?: unknown } | null;
  if (!g || g.kind !== 'final') {
    tf.dispose(Object.values(tensors));
    throw corrupt(join(dir, MANIFEST_FILE), `does not hold final weights (gankit.kind ${JSON.stringify(g?.kind)})`);
  }
  const group = (role: string): tf.Tensor[] | undefined => {
    const out: tf.Tensor[] = [];
    for (let i = 0; tensors[`${role}/${i}`]; i++) out.push(tensors[`${role}/${i}`]);
    return out.length ? out : undefined;
  };
  return {
    generator: group('generator') ?? [],
    discriminator: group('discriminator') ?? [],
    averagedGenerator: group('averaged-generator'),
    step: Number(g.step),
  };
}
