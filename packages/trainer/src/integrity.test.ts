// What a run directory's files promise beyond surviving a kill: model.json is checksummed (the
// trainer state in it included), nothing non-finite is ever written, a state loads only into a
// trainer with the same settings, and the NaN guard names the term that went non-finite.
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GankitError, networkVariables, type GanPlugin } from '@gankit/core';
import {
  listCheckpoints,
  loadCheckpoint,
  loadFinal,
  resumeLatest,
  saveCheckpoint,
  saveFinal,
  WEIGHTS_FORMAT_VERSION,
  type SkippedCheckpoint,
  type WeightsManifest,
} from './node';
import { buildTrainer, disposeTrainer } from './test-model';
import { nonSaturating } from './test-utils';

let root: string;
let n = 0;
const freshDir = () => join(root, `run-${n++}`);
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gankit-integrity-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const manifestOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as WeightsManifest & { gankit: any };
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as GankitError,
  );

describe('model.json is covered by a checksum', () => {
  it('a hand-edited trainer state fails to load with a checkpoint error naming the file; resume passes over it', async () => {
    const dir = freshDir();
    const t = buildTrainer('edit');
    await t.fit({ steps: 2 });
    await saveCheckpoint(dir, t);
    await t.fit({ steps: 2 });
    await saveCheckpoint(dir, t);
    const [newest, older] = await listCheckpoints(dir);
    const m = await manifestOf(newest.path);
    expect(m.formatVersion).toBe(WEIGHTS_FORMAT_VERSION);
    expect(m.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    // Rewind the random source's counter by hand: valid JSON, a plausible state, the same weights.
    m.gankit.state.random.counter = 0;
    await writeFile(join(newest.path, 'model.json'), JSON.stringify(m, null, 1));
    const err = await errorOf(loadCheckpoint(newest.path));
    expect(err).toBeInstanceOf(GankitError);
    expect(err!.code).toBe('checkpoint');
    expect(err!.message).toMatch(
      new RegExp(`checkpoint file ${join(newest.path, 'model.json')}: does not match its own checksum .*: it was edited or is corrupt`),
    );

    const fresh = buildTrainer('edit-resumed');
    const skipped: SkippedCheckpoint[] = [];
    const r = await resumeLatest(dir, fresh, { onSkip: (s) => skipped.push(s) });
    expect(r).toMatchObject({ step: older.step, path: older.path, formatVersion: WEIGHTS_FORMAT_VERSION });
    // Reported once, through onSkip only (no console line of its own).
    expect(skipped).toEqual(r!.skipped);
    expect(skipped.map((s) => s.path)).toEqual([newest.path]);
    disposeTrainer(t);
    disposeTrainer(fresh);
  });

  it('a version-1 checkpoint (no manifest checksum) still loads and says it is version 1', async () => {
    const dir = freshDir();
    const t = buildTrainer('v1');
    await t.fit({ steps: 2 });
    const { path } = await saveCheckpoint(dir, t);
    const m = await manifestOf(path);
    delete m.manifestSha256;
    m.formatVersion = 1;
    await writeFile(join(path, 'model.json'), JSON.stringify(m, null, 1));
    const loaded = await loadCheckpoint(path);
    expect(loaded.formatVersion).toBe(1);
    expect(loaded.step).toBe(2);
    tf.dispose(Object.values(loaded.state.tensors));
    // A version-2 manifest whose checksum was removed is refused, not taken for version 1.
    const again = await saveCheckpoint(dir, t);
    const m2 = await manifestOf(again.path);
    delete m2.manifestSha256;
    await writeFile(join(again.path, 'model.json'), JSON.stringify(m2));
    await expect(loadCheckpoint(again.path)).rejects.toThrow(/has no manifestSha256: it was edited or is corrupt/);
    disposeTrainer(t);
  });
});

describe('nothing non-finite is written', () => {
  it('a NaN weight: saveCheckpoint and saveFinal refuse before writing, so the kept checkpoints and final/ stay finite', async () => {
    const dir = freshDir();
    const t = buildTrainer('nan-save');
    for (let i = 0; i < 3; i++) {
      await t.fit({ steps: 1 });
      await saveCheckpoint(dir, t, { keep: 2 });
    }
    await saveFinal(dir, t);
    const finalBefore = await readFile(join(dir, 'final', 'weights.bin'));
    const before = await readdir(join(dir, 'checkpoints'));
    const v = networkVariables(t.discriminator)[1];
    const good = v.clone();
    v.assign(tf.fill(v.shape, NaN));
    await t.fit({ steps: 0 });
    const n0 = tf.memory().numTensors;
    const err = await errorOf(saveCheckpoint(dir, t, { keep: 2 }));
    expect(tf.memory().numTensors).toBe(n0);
    expect(err).toBeInstanceOf(GankitError);
    expect(err!.code).toBe('numerical');
    expect(err!.message).toMatch(
      /not writing .*step-000000003: tensor 'networks\/discriminator\/1' holds \d+ NaN or infinite values of \d+; what is already saved there is kept/,
    );
    // Nothing written, nothing rotated away, no temporary directory left.
    expect(await readdir(join(dir, 'checkpoints'))).toEqual(before);
    await expect(saveFinal(dir, t)).rejects.toThrow(/not writing .*final: tensor 'discriminator\/1' holds/);
    expect((await readFile(join(dir, 'final', 'weights.bin'))).equals(finalBefore)).toBe(true);
    // Asked for explicitly, it is written.
    await saveCheckpoint(dir, t, { keep: 2, allowNonFinite: true });
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([3, 2]);
    v.assign(good);
    good.dispose();
    disposeTrainer(t);
    expect(
      await loadFinal(dir).then((f) => {
        tf.dispose([...f.generator, ...f.discriminator, ...(f.averagedGenerator ?? [])]);
        return f.step;
      }),
    ).toBe(3);
  });
});

describe('a state loads only into a trainer with the same settings', () => {
  it('refuses another seed, batch size, data, loss or optimizer setting, naming it; accepts another learning rate', async () => {
    const source = buildTrainer('settings');
    await source.fit({ steps: 2 });
    const state = await source.state();
    const cases: [string, Parameters<typeof buildTrainer>[1], RegExp][] = [
      ['seed', { seed: 3 }, /cannot load trainer state: the state was saved by a run with seed 17, but this trainer's seed is 3/],
      ['batch size', { batchSize: 16 }, /the state was saved with batchSize 32, but this trainer has 16/],
      ['discriminator steps', { discriminatorSteps: 2 }, /the state was saved with discriminatorSteps 1, but this trainer has 2/],
      [
        'loss',
        { loss: { ...nonSaturating, name: 'hinge' } },
        /the state was saved with loss "non-saturating", but this trainer has "hinge"/,
      ],
      [
        'optimizer beta1',
        { discriminatorOptimizer: tf.train.adam(0.01, 0.9) },
        /the discriminator optimizer's beta1 is 0.9, but the state was saved with 0.5 \(optimizers\/discriminator\)/,
      ],
    ];
    for (const [what, extra, message] of cases) {
      const t = buildTrainer(`settings-${what}`, extra);
      const err = await errorOf(t.loadState(state));
      expect(err, what).toBeInstanceOf(GankitError);
      expect(err!.code).toBe('checkpoint');
      expect(err!.message, what).toMatch(message);
      expect(t.iteration).toBe(0); // left as it was
      disposeTrainer(t);
    }
    const renamed = {
      tensors: state.tensors,
      meta: { ...(state.meta as object), data: { ...(state.meta as any).data, name: 'other-data' } },
    };
    const t = buildTrainer('settings-data');
    await expect(t.loadState(renamed as never)).rejects.toThrow(
      /the state was saved training on data 'other-data', but this trainer's data is 'arcs'/,
    );
    disposeTrainer(t);
    // A learning rate is not checked: schedules change it as training goes on.
    const lr = buildTrainer('settings-lr', { generatorOptimizer: tf.train.adam(0.001, 0.5) });
    await lr.loadState(state);
    expect(lr.iteration).toBe(2);
    disposeTrainer(lr);
    tf.dispose(Object.values(state.tensors));
    disposeTrainer(source);
  });
});

describe('the NaN guard names the term', () => {
  it('names the plugin term that went non-finite, the player and the iteration', async () => {
    let calls = 0;
    const blowUp: GanPlugin = {
      name: 'blow-up',
      discriminatorLoss: () => ({ penalty: ++calls === 4 ? tf.scalar(Infinity) : tf.scalar(0) }),
    };
    const t = buildTrainer('term', { nanGuard: { action: 'stop' }, plugins: [blowUp] });
    await t.fit({ steps: 1 }); // makes the optimizers' slots
    const n0 = tf.memory().numTensors;
    const r = await t.fit({ steps: 10 });
    expect(r.fault).toEqual({
      iteration: 4,
      player: 'discriminator',
      detail: 'the discriminator loss is Infinity (non-finite terms: blow-up/penalty Infinity)',
    });
    expect(r.stopReason).toMatch(
      /^numerical fault in iteration 4 \(discriminator update\): the discriminator loss is Infinity \(non-finite terms: blow-up\/penalty Infinity\)\. .*after 3 completed iterations/,
    );
    expect(t.iteration).toBe(3);
    expect(tf.memory().numTensors).toBe(n0);
    disposeTrainer(t);
  });
});
