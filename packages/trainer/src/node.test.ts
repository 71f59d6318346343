import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GankitError, networkVariables } from '@gankit/core';
import { findLatestCheckpoint, listCheckpoints, loadCheckpoint, loadFinal, resumeLatest, saveCheckpoint, saveFinal } from './node';
import type { WeightsManifest } from './node';
import { buildTrainer, disposeTrainer, expectSameState, stateValues } from './test-model';

let root: string;
let n = 0;
const freshDir = () => join(root, `run-${n++}`);
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gankit-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const readManifest = async (dir: string) => JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as WeightsManifest;

describe('checkpoint files', () => {
  it('writes model.json (tfjs weightsManifest + checksums + state) and weights.bin, keeps the newest K, points latest at the newest', async () => {
    const dir = freshDir();
    const t = buildTrainer('files');
    await t.fit({ steps: 2 }); // creates the optimizers' slots and the EMA copy
    const n0 = tf.memory().numTensors;
    await saveCheckpoint(dir, t);
    expect(tf.memory().numTensors).toBe(n0); // saving leaks nothing
    for (let i = 0; i < 3; i++) {
      await t.fit({ steps: 2 });
      await saveCheckpoint(dir, t);
    }
    expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual(['latest', 'step-000000004', 'step-000000006', 'step-000000008']);
    expect(await readFile(join(dir, 'checkpoints', 'latest'), 'utf8')).toBe('step-000000008\n');
    expect(await listCheckpoints(dir)).toEqual(
      [6, 4, 2].map((k) => ({ step: k + 2, path: join(dir, 'checkpoints', `step-00000000${k + 2}`) })),
    );

    const ck = join(dir, 'checkpoints', 'step-000000008');
    const m = await readManifest(ck);
    const bin = await readFile(join(ck, 'weights.bin'));
    expect(m.format).toBe('gankit-weights');
    expect(m.weightsManifest).toHaveLength(1);
    expect(m.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(m.checksums['weights.bin']).toEqual({ sha256: createHash('sha256').update(bin).digest('hex'), bytes: bin.byteLength });
    expect((m.gankit as any).kind).toBe('checkpoint');
    expect((m.gankit as any).step).toBe(8);
    expect((m.gankit as any).state.format).toBe('gankit-trainer-state');
    // Decode the binary by hand from the manifest (float32/int32 little-endian, in manifest order)
    // and compare with the live variables: an independent check of the format.
    const offsets = new Map<string, [number, number[]]>();
    let off = 0;
    for (const w of m.weightsManifest[0].weights) {
      offsets.set(w.name, [off, w.shape]);
      off += 4 * w.shape.reduce((a, b) => a * b, 1);
    }
    expect(off).toBe(bin.byteLength);
    const read = (name: string) => {
      const [o, shape] = offsets.get(name)!;
      const count = shape.reduce((a, b) => a * b, 1);
      return Array.from(new Float32Array(bin.buffer.slice(bin.byteOffset + o, bin.byteOffset + o + 4 * count)));
    };
    networkVariables(t.discriminator).forEach((v, i) => expect(read(`networks/discriminator/${i}`)).toEqual(Array.from(v.dataSync())));
    t.ema.averagedWeights().forEach((v, i) => expect(read(`plugins/ema/averaged/${i}`)).toEqual(Array.from(v.dataSync())));
    disposeTrainer(t);
  });

  it('never deletes the checkpoint just written, even when older than the ones kept', async () => {
    const dir = freshDir();
    const t = buildTrainer('keep');
    await t.fit({ steps: 2 });
    const early = await t.state();
    await t.fit({ steps: 4 });
    await saveCheckpoint(dir, t, { keep: 1 });
    await t.loadState(early);
    tf.dispose(Object.values(early.tensors));
    const saved = await saveCheckpoint(dir, t, { keep: 1 });
    expect(saved.step).toBe(2);
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([6, 2]);
    await expect(saveCheckpoint(dir, t, { keep: 0 })).rejects.toThrow(/keep must be a positive integer, got 0/);
    disposeTrainer(t);
  });

  it('falls back past a truncated or corrupt newest checkpoint, says so, and names the damaged file', async () => {
    const dir = freshDir();
    const t = buildTrainer('damage');
    const states: Awaited<ReturnType<typeof stateValues>>[] = [];
    for (let i = 0; i < 3; i++) {
      await t.fit({ steps: 1 });
      await saveCheckpoint(dir, t, { keep: 5 });
      states.push(await stateValues(t));
    }
    const ck = (s: number) => join(dir, 'checkpoints', `step-00000000${s}`);
    // Newest: weights.bin cut short. Next: one flipped byte (same length). Then: a truncated manifest.
    const bin3 = join(ck(3), 'weights.bin');
    const size3 = (await readFile(bin3)).byteLength;
    await truncate(bin3, size3 - 100);
    const bin2 = join(ck(2), 'weights.bin');
    const bytes2 = await readFile(bin2);
    bytes2[40] ^= 0x10;
    await writeFile(bin2, bytes2);
    await expect(loadCheckpoint(ck(3))).rejects.toThrow(
      new RegExp(`${bin3}: is ${size3 - 100} bytes, the manifest says ${size3}: it is truncated or corrupt`),
    );
    await expect(loadCheckpoint(ck(2))).rejects.toThrow(new RegExp(`${bin2}: SHA-256 [0-9a-f]{64} does not match`));

    const fresh = buildTrainer('damage-resumed');
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (msg: string) => void warnings.push(msg);
    let r: Awaited<ReturnType<typeof resumeLatest>>;
    try {
      r = await resumeLatest(dir, fresh);
    } finally {
      console.warn = warn;
    }
    expect(r!.step).toBe(1);
    expect(r!.path).toBe(ck(1));
    expect(r!.skipped.map((s) => s.path)).toEqual([ck(3), ck(2)]);
    expect(r!.skipped[0].reason).toMatch(/weights\.bin: is \d+ bytes/);
    expect(r!.skipped[1].reason).toMatch(/weights\.bin: SHA-256/);
    expect(warnings).toHaveLength(2);
    expectSameState(await stateValues(fresh), states[0]);
    expect(await findLatestCheckpoint(dir)).toEqual(r);

    // A manifest cut in half: invalid JSON, named. With nothing usable left, resume returns null.
    const manifest1 = join(ck(1), 'model.json');
    const text = await readFile(manifest1, 'utf8');
    await writeFile(manifest1, text.slice(0, text.length >> 1));
    await expect(loadCheckpoint(ck(1))).rejects.toThrow(new RegExp(`${manifest1}: is not valid JSON`));
    const err = await loadCheckpoint(ck(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe('checkpoint');
    console.warn = () => undefined;
    try {
      expect(await resumeLatest(dir, fresh)).toBeNull();
    } finally {
      console.warn = warn;
    }
    expect(await resumeLatest(freshDir(), fresh)).toBeNull();
    disposeTrainer(t);
    disposeTrainer(fresh);
  });

  it('ignores and then removes the leftovers of an interrupted save', async () => {
    const dir = freshDir();
    const t = buildTrainer('leftover');
    await t.fit({ steps: 1 });
    await saveCheckpoint(dir, t);
    // What a save killed before its rename leaves: a temporary directory with a partial file.
    const junk = join(dir, 'checkpoints', '.tmp-step-000000009-1-abcd');
    await mkdir(junk);
    await writeFile(join(junk, 'weights.bin'), 'partial');
    expect((await findLatestCheckpoint(dir))!.step).toBe(1);
    await t.fit({ steps: 1 });
    await saveCheckpoint(dir, t);
    expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual(['latest', 'step-000000001', 'step-000000002']);
    disposeTrainer(t);
  });

  it('saveFinal writes generator, discriminator and EMA weights in the same verified format', async () => {
    const dir = freshDir();
    const t = buildTrainer('final');
    await t.fit({ steps: 3 });
    const path = await saveFinal(dir, t);
    expect(path).toBe(join(dir, 'final'));
    const n0 = tf.memory().numTensors;
    const w = await loadFinal(dir);
    const g = networkVariables(t.generator);
    expect(w.step).toBe(3);
    expect(w.generator.map((x) => Array.from(x.dataSync()))).toEqual(g.map((v) => Array.from(v.dataSync())));
    expect(w.discriminator.map((x) => Array.from(x.dataSync()))).toEqual(
      networkVariables(t.discriminator).map((v) => Array.from(v.dataSync())),
    );
    expect(w.averagedGenerator!.map((x) => Array.from(x.dataSync()))).toEqual(t.ema.averagedWeights().map((v) => Array.from(v.dataSync())));
    expect(Array.from(w.averagedGenerator![0].dataSync())).not.toEqual(Array.from(g[0].dataSync()));
    tf.dispose([...w.generator, ...w.discriminator, ...w.averagedGenerator!]);
    expect(tf.memory().numTensors).toBe(n0);
    // Saving again replaces it; a corrupt final is named like a checkpoint.
    await t.step();
    await saveFinal(dir, t);
    expect((await readdir(dir)).sort()).toEqual(['final']);
    const bin = join(dir, 'final', 'weights.bin');
    await truncate(bin, 10);
    await expect(loadFinal(dir)).rejects.toThrow(new RegExp(`${bin}: is 10 bytes`));
    disposeTrainer(t);
  });
});
