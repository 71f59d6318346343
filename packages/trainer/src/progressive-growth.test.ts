import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, type StepContext, type TrainContext } from '@gankit/core';
import { progressiveDiscriminator, progressiveGenerator } from '@gankit/architectures';
import { tensorDataset } from '@gankit/data';
import { describe, expect, it } from 'vitest';
import { perVariableAdam } from './per-variable-adam';
import { progressiveGrowth, progressiveSchedule } from './progressive-growth';
import { expectSameState, stateValues } from './test-model';
import { nonSaturating } from './test-utils';
import { Trainer } from './trainer';

// 8×8 images grow 4 → 8. Batch 8: stage 0 for 2 iterations, the fade over 4 (α = 0, ¼, ½, ¾), then stable.
const schedule = { stableImages: 16, fadeImages: 32 };

/** `tf.train.adam` as tfjs has it, or {@link perVariableAdam} (Karras's β = (0, 0.99) either way). */
type OptimizerKind = 'adam' | 'per-variable';
const optimizer = (kind: OptimizerKind) => (kind === 'adam' ? tf.train.adam(0.01, 0, 0.99) : perVariableAdam(0.01, 0, 0.99));

function build(tag: string, kind: OptimizerKind = 'adam') {
  const generator = progressiveGenerator({ imageShape: [8, 8, 1], filters: [8, 4], latentDim: 4, seed: 1, name: `g-${tag}` });
  const discriminator = progressiveDiscriminator({ imageShape: [8, 8, 1], filters: [8, 4], seed: 2, name: `d-${tag}` });
  const images = tf.tidy(() => tf.tanh(new RandomSource(3).normal([40, 8, 8, 1])));
  const growth = progressiveGrowth(schedule);
  const trainer = new Trainer({
    generator,
    discriminator,
    loss: nonSaturating,
    data: tensorDataset({ x: images, shape: [8, 8, 1], name: 'noise-images' }),
    batchSize: 8,
    generatorOptimizer: optimizer(kind),
    discriminatorOptimizer: optimizer(kind),
    plugins: [growth],
    seed: 5,
  });
  const dispose = () => {
    trainer.dispose();
    generator.dispose();
    discriminator.dispose();
    images.dispose();
  };
  return { trainer, generator, discriminator, growth, dispose };
}

describe('progressiveSchedule', () => {
  it('holds the first resolution, fades each new one in linearly, then holds it', () => {
    const at = (images: number) => progressiveSchedule(images, 3, { stableImages: 100, fadeImages: 50 });
    expect(at(0)).toEqual({ stage: 0, alpha: 1, fading: false });
    expect(at(99)).toEqual({ stage: 0, alpha: 1, fading: false });
    expect(at(100)).toEqual({ stage: 1, alpha: 0, fading: true });
    expect(at(120)).toEqual({ stage: 1, alpha: 0.4, fading: true });
    expect(at(150)).toEqual({ stage: 1, alpha: 1, fading: false });
    expect(at(249)).toEqual({ stage: 1, alpha: 1, fading: false });
    expect(at(250)).toEqual({ stage: 2, alpha: 0, fading: true });
    expect(at(299)).toEqual({ stage: 2, alpha: 0.98, fading: true });
    expect(at(1e9)).toEqual({ stage: 2, alpha: 1, fading: false });
    expect(progressiveSchedule(10, 3, { stableImages: 0, fadeImages: 0 })).toEqual({ stage: 2, alpha: 1, fading: false });
    expect(() => at(-1)).toThrow(/images must be >= 0/);
    expect(() => progressiveGrowth({ stableImages: 1.5, fadeImages: 1 })).toThrow(/stableImages must be a non-negative integer/);
  });
});

describe('progressiveGrowth', () => {
  it('steps the networks through the schedule, logs it, and keeps the unused block and its optimizer slots untouched until it runs', async () => {
    const run = build('steps');
    const newBlock = run.generator.trainableVariables.filter((v) => v.name.includes('_8'));
    const oldBlock = run.generator.trainableVariables.filter((v) => v.name.includes('block_4'));
    expect(newBlock.length).toBeGreaterThan(0);
    const initial = newBlock.map((v) => v.dataSync().slice());
    const oldInitial = oldBlock.map((v) => v.dataSync().slice());
    const seen: [number, number, number][] = [];
    for (let i = 0; i < 2; i++) {
      const logs = await run.trainer.step();
      seen.push([
        logs.metrics['progressive-growth/stage'],
        logs.metrics['progressive-growth/alpha'],
        logs.metrics['progressive-growth/resolution'],
      ]);
    }
    // stage 0: the 8×8 block has neither moved nor gathered optimizer state, the old block has
    expect(newBlock.map((v) => v.dataSync().slice())).toEqual(initial);
    expect(oldBlock.map((v) => v.dataSync().slice())).not.toEqual(oldInitial);
    const slots = await run.trainer.generatorOptimizer.getWeights();
    const names = run.generator.trainableVariables.map((v) => v.name);
    const n = names.length;
    expect(slots.length).toBe(1 + 2 * n);
    const slotNorm = (i: number) => Array.from(slots[1 + i].tensor.dataSync() as Float32Array).reduce((a, b) => a + Math.abs(b), 0);
    for (const v of newBlock) {
      const i = names.indexOf(v.name);
      expect(slotNorm(i) + slotNorm(n + i), v.name).toBe(0);
    }
    for (const v of oldBlock) expect(slotNorm(names.indexOf(v.name)), v.name).toBeGreaterThan(0);
    slots[0].tensor.dispose();
    expect([run.generator.stage, run.generator.alpha, run.discriminator.stage, run.discriminator.alpha]).toEqual([1, 0, 1, 0]);
    for (let i = 0; i < 6; i++) {
      const logs = await run.trainer.step();
      seen.push([
        logs.metrics['progressive-growth/stage'],
        logs.metrics['progressive-growth/alpha'],
        logs.metrics['progressive-growth/resolution'],
      ]);
    }
    expect(seen).toEqual([
      [0, 1, 4],
      [0, 1, 4],
      [1, 0, 8],
      [1, 0.25, 8],
      [1, 0.5, 8],
      [1, 0.75, 8],
      [1, 1, 8],
      [1, 1, 8],
    ]);
    // the faded-in block has been trained
    expect(newBlock.map((v) => v.dataSync().slice())).not.toEqual(initial);
    run.dispose();
  });

  for (const kind of ['adam', 'per-variable'] as const) {
    it(`a resume in the middle of a fade-in is bit-identical to a straight run (${kind})`, async () => {
      const N = 8;
      const whole = build(`run-${kind}`, kind);
      await whole.trainer.fit({ steps: N });
      const expected = await stateValues(whole.trainer);
      whole.dispose();

      const first = build(`run-${kind}`, kind);
      await first.trainer.fit({ steps: 4 }); // stops after α = ¼: the next iteration runs at α = ½
      expect(first.generator.alpha).toBe(0.5);
      const saved = await first.trainer.state();
      first.dispose();

      const second = build(`resumed-${kind}`, kind);
      await second.trainer.loadState(saved);
      tf.dispose(Object.values(saved.tensors));
      await second.trainer.fit({ steps: N - 4 });
      expectSameState(await stateValues(second.trainer), expected);
      expect([second.generator.stage, second.generator.alpha]).toEqual([1, 1]);
      second.dispose();
    });
  }

  it("with perVariableAdam the new block's variables count their updates from the fade-in, the old ones from the start", async () => {
    const before = tf.memory().numTensors;
    const run = build('counts', 'per-variable');
    await run.trainer.fit({ steps: 5 }); // 2 iterations at stage 0, then α = 0, ¼, ½
    const names = (n: { trainableVariables: readonly tf.Variable[] }) => n.trainableVariables.map((v) => v.name);
    const counts = (opt: tf.Optimizer) => (opt as ReturnType<typeof perVariableAdam>).stepCounts;
    const expectCounts = (opt: tf.Optimizer, vars: string[], joined: (name: string) => boolean) => {
      expect(counts(opt).length).toBe(vars.length);
      counts(opt).forEach((c, i) => expect(c, vars[i]).toBe(joined(vars[i]) ? 3 : 5));
    };
    // G: block_8 and to_rgb_8 run from the fade on; D: from_rgb_8 and block_8
    expectCounts(run.trainer.generatorOptimizer, names(run.generator), (n) => n.includes('_8'));
    expectCounts(run.trainer.discriminatorOptimizer, names(run.discriminator), (n) => n.includes('_8'));
    // a checkpoint holds 3 slots per variable and the counts come back
    const saved = await run.trainer.state();
    const meta = saved.meta as { optimizers: { generator: { className: string; slots: number } } };
    expect(meta.optimizers.generator).toMatchObject({ className: 'PerVariableAdam', slots: 3 * names(run.generator).length });
    const again = build('counts-loaded', 'per-variable');
    await again.trainer.loadState(saved);
    tf.dispose(Object.values(saved.tensors));
    expect(counts(again.trainer.generatorOptimizer)).toEqual(counts(run.trainer.generatorOptimizer));
    run.dispose();
    again.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fades the reals like the fakes: lerp(upsample(pool(x)), x, α) at the newest resolution', async () => {
    const generator = progressiveGenerator({ imageShape: [8, 8, 1], filters: [8, 4], latentDim: 4, name: 'g-reals' });
    const growth = progressiveGrowth(schedule);
    const ctx = { step: 3, info: { batchSize: 8 }, networks: { generator, discriminator: generator } };
    await growth.setup?.(ctx as unknown as TrainContext);
    expect(growth.phase).toEqual({ stage: 1, alpha: 0.25, fading: true });
    const x = tf.tidy(() => new RandomSource(9).normal([2, 8, 8, 1]));
    const s = {} as StepContext;
    const faded = tf.tidy(() => growth.transformDiscriminatorInput?.(x, s, 'real') as tf.Tensor);
    const want = tf.tidy(() => {
      const coarse = tf.image.resizeNearestNeighbor(tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'), [8, 8]);
      return tf.add(tf.mul(coarse, 0.75), tf.mul(x, 0.25));
    });
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(faded, want))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-6);
    expect(growth.transformDiscriminatorInput?.(x, s, 'fake')).toBe(x);
    tf.dispose([x, faded, want]);
    generator.dispose();
    const notGrowing = { step: 0, info: { batchSize: 8 }, networks: { generator: {}, discriminator: {} } };
    expect(() => progressiveGrowth(schedule).setup?.(notGrowing as unknown as TrainContext)).toThrow(/network 'generator' does not grow/);
  });
});
