// A full disk while checkpointing: node:fs/promises is wrapped so that writes fail with ENOSPC
// after writing part of the data (as a real full disk does), or statfs reports little space.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GankitError } from '@gankit/core';
import { loadFinal, resumeLatest, saveCheckpoint, saveFinal } from './node';
import { buildTrainer, disposeTrainer, expectSameState, stateValues } from './test-model';

const fault = vi.hoisted(() => ({
  /** errno code thrown by FileHandle.writeFile (after writing half the data), or null. */
  writeCode: null as string | null,
  /** Blocks statfs reports available, or null for the real value. */
  availableBlocks: null as number | null,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (...args: Parameters<typeof real.open>) => {
    const fh = await real.open(...args);
    if (fault.writeCode && args[1] === 'w') {
      const code = fault.writeCode;
      fh.writeFile = async (data: unknown) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as Uint8Array);
        await fh.write(bytes.subarray(0, bytes.length >> 1));
        throw Object.assign(new Error(`${code}: no space left on device, write`), { code, errno: -28, syscall: 'write' });
      };
    }
    return fh;
  };
  const statfs = (async (path: string) => {
    const s = await real.statfs(path);
    return fault.availableBlocks === null ? s : { ...s, bsize: 4096, bavail: fault.availableBlocks, bfree: fault.availableBlocks };
  }) as typeof real.statfs;
  const mocked = { ...real, open, statfs };
  return { ...mocked, default: mocked };
});

let root: string;
let n = 0;
const freshDir = () => join(root, `run-${n++}`);
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gankit-full-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  fault.writeCode = null;
  fault.availableBlocks = null;
});

async function rejection(p: Promise<unknown>): Promise<GankitError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GankitError);
  return e as GankitError;
}

describe('a full disk while checkpointing', () => {
  it('ENOSPC mid-write: a clear disk-full error naming the checkpoint; earlier checkpoints, latest and final weights intact; resume works', async () => {
    const dir = freshDir();
    const t = buildTrainer('enospc');
    await t.fit({ steps: 2 });
    await saveCheckpoint(dir, t);
    await saveFinal(dir, t);
    const saved = await stateValues(t);
    const finalBefore = await readFile(join(dir, 'final', 'weights.bin'));

    await t.fit({ steps: 2 });
    for (const code of ['ENOSPC', 'EDQUOT']) {
      fault.writeCode = code;
      const n0 = tf.memory().numTensors;
      const e = await rejection(saveCheckpoint(dir, t));
      expect(tf.memory().numTensors).toBe(n0); // the state's tensors are disposed on failure too
      expect(e.code).toBe('disk-full');
      expect(e.message).toContain(join(dir, 'checkpoints', 'step-000000004'));
      expect(e.message).toMatch(/no space left .* MB needed; the file system reported (ENOSPC|EDQUOT)\)/);
      expect(e.message).toMatch(/earlier checkpoints and weights are intact/);
      // No half-written directory or temporary file is left behind, and latest still names step 2.
      expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual(['latest', 'step-000000002']);
      expect(await readFile(join(dir, 'checkpoints', 'latest'), 'utf8')).toBe('step-000000002\n');

      const f = await rejection(saveFinal(dir, t));
      expect(f.code).toBe('disk-full');
      expect(f.message).toContain(join(dir, 'final'));
      expect(await readFile(join(dir, 'final', 'weights.bin'))).toEqual(finalBefore);
      expect((await readdir(dir)).sort()).toEqual(['checkpoints', 'final']);
    }
    fault.writeCode = null;
    const w = await loadFinal(dir);
    expect(w.step).toBe(2);
    tf.dispose([...w.generator, ...w.discriminator, ...(w.averagedGenerator ?? [])]);

    // The run goes on from the last good checkpoint once there is space again.
    const fresh = buildTrainer('enospc-resume');
    const r = await resumeLatest(dir, fresh);
    expect(r!.step).toBe(2);
    expect(r!.skipped).toEqual([]);
    expectSameState(await stateValues(fresh), saved);
    // And saving works again.
    await saveCheckpoint(dir, t);
    expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual(['latest', 'step-000000002', 'step-000000004']);
    disposeTrainer(t);
    disposeTrainer(fresh);
  });

  it('too little space reported by statfs: refused before anything is written, with the sizes in the message', async () => {
    const dir = freshDir();
    const t = buildTrainer('statfs');
    await t.fit({ steps: 1 });
    await saveCheckpoint(dir, t);
    await t.fit({ steps: 1 });
    fault.availableBlocks = 100; // 409,600 bytes: less than the checkpoint plus 1 MB of headroom
    const e = await rejection(saveCheckpoint(dir, t));
    expect(e.code).toBe('disk-full');
    expect(e.message).toMatch(
      new RegExp(
        `no space left to write ${join(dir, 'checkpoints', 'step-000000002').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+\\.\\d+ MB needed; .* has 0\\.41 MB available\\)`,
      ),
    );
    expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual(['latest', 'step-000000001']);
    fault.availableBlocks = 1e6; // 4 GB: fine
    await saveCheckpoint(dir, t);
    expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual(['latest', 'step-000000001', 'step-000000002']);
    disposeTrainer(t);
  });
});
