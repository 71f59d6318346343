// A plugin that records what D and G see in each phase, and the small helpers the trainer's
// variant tests (discriminator outputs, fake labels, AC-GAN, plugin hooks) read it with.
import type { GanPlugin, StepContext } from '@gankit/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { Trainer } from './trainer';

export const softplus = (v: number) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);
export const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
export const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const flat = (t: tf.Tensor) => Array.from(t.dataSync());
const rows = (t: tf.Tensor) => t.arraySync() as number[][];

/** Records, per phase, D's outputs and the labels each hook sees. */
export function recorder(): GanPlugin & { d: Record<string, unknown>[]; g: Record<string, unknown>[] } {
  const d: Record<string, unknown>[] = [];
  const g: Record<string, unknown>[] = [];
  const grab = (s: StepContext) => ({
    real: rows(s.realOutput()),
    fake: rows(s.fakeOutput()),
    realFlat: flat(s.realOutput()),
    fakeFlat: flat(s.fakeOutput()),
    fakeX: flat(s.fake()),
    labels: s.batch.labels ? flat(s.batch.labels) : undefined,
    fakeLabels: s.fakeLabels ? flat(s.fakeLabels) : undefined,
  });
  return {
    name: 'recorder',
    apiVersion: 2,
    order: 50,
    d,
    g,
    discriminatorLoss: (s) => void d.push(grab(s)),
    generatorLoss: (s) => void g.push(grab(s)),
  };
}

/** Disposes a trainer and both of its networks. */
export function dispose(t: Trainer) {
  t.dispose();
  t.generator.dispose();
  t.discriminator.dispose();
}
