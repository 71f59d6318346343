// Kill test: a training process SIGKILLed at random moments (mid-step, mid-save, mid-prune) always
// leaves a checkpoint that verifies, resumes from it, and ends with the weights of a run never
// interrupted.
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RandomSource } from '@gankit/core';
import { findLatestCheckpoint, listCheckpoints, loadCheckpoint, loadFinal } from './node';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const driver = join(pkg, 'test', 'kill-driver.mjs');
// Inside the package so that the bundles resolve @tensorflow/* and @gankit/* from node_modules.
const bundleDir = join(pkg, 'node_modules', '.kill-test');
const STEPS = 40;
const EVERY = 2;
const KILLS = 10;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gankit-kill-'));
  // Bundle this package's current sources, so the driver never runs a stale dist.
  await mkdir(bundleDir, { recursive: true });
  await build({
    entryPoints: [join(pkg, 'src', 'index.ts'), join(pkg, 'src', 'node.ts')],
    outdir: bundleDir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    external: ['@tensorflow/*', '@gankit/*'],
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(bundleDir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  ready: Promise<{ resumed: { step: number; path: string; skipped: unknown[] } | null }>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; done: { step: number; ms: number } | null; stderr: string }>;
}

function start(runDir: string): Run {
  const child = spawn(process.execPath, [driver, runDir, String(STEPS), String(EVERY)], {
    env: { ...process.env, GANKIT_TRAINER_DIR: bundleDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  let done: { step: number; ms: number } | null = null;
  let onReady!: (v: { resumed: { step: number; path: string; skipped: unknown[] } | null }) => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<{ resumed: { step: number; path: string; skipped: unknown[] } | null }>((res, rej) => {
    onReady = res;
    onFail = rej;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.event === 'ready') onReady(msg);
    if (msg.event === 'done') done = msg;
  });
  const exit = new Promise<Awaited<Run['exit']>>((res) => {
    child.on('exit', (code, signal) => {
      onFail(new Error(`driver exited (code ${code}, signal ${signal}) before it was ready: ${stderr}`));
      // Let readline deliver the last lines first.
      setImmediate(() => res({ code, signal, done, stderr }));
    });
  });
  return { child, ready, exit };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every checkpoint on disk reads and verifies; returns the newest (what a resume must pick). */
async function checkAll(runDir: string): Promise<{ step: number; path: string; formatVersion: number } | null> {
  for (const c of await listCheckpoints(runDir)) {
    const loaded = await loadCheckpoint(c.path); // throws, naming the file, if damaged
    expect(loaded.step).toBe(c.step);
    tf.dispose(Object.values(loaded.state.tensors));
  }
  const latest = await findLatestCheckpoint(runDir);
  if (latest) expect(latest.skipped).toEqual([]);
  return latest && { step: latest.step, path: latest.path, formatVersion: latest.formatVersion };
}

describe('SIGKILL at random moments', () => {
  it(`${KILLS} kills, each followed by a resume from a verified checkpoint; the end result equals an uninterrupted run`, async () => {
    // The uninterrupted run (also measures how long training takes, to spread the kills over it).
    const clean = join(root, 'clean');
    const a = start(clean);
    expect((await a.ready).resumed).toBeNull();
    const ra = await a.exit;
    expect(ra.code, ra.stderr).toBe(0);
    expect(ra.done!.step).toBe(STEPS);
    const trainMs = ra.done!.ms;

    const killed = join(root, 'killed');
    const pick = new RandomSource(2024).floats();
    let expected: { step: number; path: string; formatVersion: number } | null = null;
    let landed = 0;
    let duringSave = 0;
    for (let i = 0; i < KILLS; i++) {
      const r = start(killed);
      const { resumed } = await r.ready;
      // It resumed from exactly the checkpoint that was verified after the previous kill.
      if (expected) expect(resumed).toEqual({ ...expected, skipped: [] });
      else expect(resumed).toBeNull();
      await sleep(pick() * trainMs * 0.2);
      const alive = r.child.exitCode === null;
      r.child.kill('SIGKILL');
      const res = await r.exit;
      if (alive && res.signal === 'SIGKILL') landed++;
      else expect(res.code, res.stderr).toBe(0);
      const names = await readdir(join(killed, 'checkpoints')).catch(() => [] as string[]);
      if (names.some((n) => n.startsWith('.'))) duringSave++;
      expected = await checkAll(killed);
    }
    // Most kills hit a running trainer (the rest came after it had finished).
    expect(landed).toBeGreaterThanOrEqual(KILLS / 2);

    const last = start(killed);
    const { resumed } = await last.ready;
    expect(resumed).toEqual(expected ? { ...expected, skipped: [] } : null);
    const rl = await last.exit;
    expect(rl.code, rl.stderr).toBe(0);
    expect(rl.done!.step).toBe(STEPS);

    // The final weights (G, D, EMA) are bit-identical...
    const wa = await loadFinal(clean);
    const wb = await loadFinal(killed);
    for (const k of ['generator', 'discriminator', 'averagedGenerator'] as const) {
      expect(
        wb[k]!.map((t) => Array.from(t.dataSync())),
        k,
      ).toEqual(wa[k]!.map((t) => Array.from(t.dataSync())));
    }
    tf.dispose([
      ...wa.generator,
      ...wa.discriminator,
      ...wa.averagedGenerator!,
      ...wb.generator,
      ...wb.discriminator,
      ...wb.averagedGenerator!,
    ]);
    // ...and so is the whole last checkpoint: optimizers, data position, random source, step.
    const lastName = `step-${String(STEPS).padStart(9, '0')}`;
    const binA = await readFile(join(clean, 'checkpoints', lastName, 'weights.bin'));
    const binB = await readFile(join(killed, 'checkpoints', lastName, 'weights.bin'));
    expect(binB.equals(binA)).toBe(true);
    expect(await readFile(join(killed, 'checkpoints', lastName, 'model.json'), 'utf8')).toBe(
      await readFile(join(clean, 'checkpoints', lastName, 'model.json'), 'utf8'),
    );
    console.log(
      `kill test: ${landed}/${KILLS} kills hit a running trainer, ${duringSave} of them left an interrupted save behind; training took ${trainMs.toFixed(0)} ms`,
    );
  });
});
