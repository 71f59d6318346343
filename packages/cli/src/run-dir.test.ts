// A run directory belongs to one run (issue 13): a resume with other settings is refused and says
// which; a new run never lands on an old one unless asked; one writer at a time. (What the training
// loop does with it, divergence, checkpoints and logs, is in run-dir-loop.test.ts.)
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ring8 } from './index';
import { LOCK_FILE, identityDifference, lockRunDirectory, runFingerprint } from './run-dir';
import { errorLine, gankit, read, ring, steps, tempDirs } from './run-dir-test-helpers';
import { runTraining } from './train';

const dir = tempDirs();

describe('--resume continues only the run the directory holds', () => {
  it('refuses another example, seed, batch size or worker count with one line naming it, and leaves config.json as it was', async () => {
    const out = dir('ring8');
    expect((await gankit(ring(out, '--steps', '4', '--checkpoint-every', '2'))).code).toBe(0);
    const config = read(path.join(out, 'config.json'));
    expect(JSON.parse(config.toString())).toMatchObject({
      example: 'ring8',
      seed: 0,
      batchSize: 128,
      workers: 1,
      onNan: 'stop',
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    const cases: [string[], RegExp][] = [
      [['--seed', '7'], /cannot resume .*: --seed 7, but this run has seed 0\./],
      [['--example', 'ring8-unrolled'], /cannot resume .*: --example ring8-unrolled, but this run is ring8\./],
      [['--batch-size', '64'], /cannot resume .*: --batch-size 64, but this run has batch size 128\./],
      [['--workers', '2'], /cannot resume .*: --workers 2, but this run trained with 1 /],
    ];
    for (const [args, message] of cases) {
      const base = ring(out, '--steps', '8', '--resume');
      const i = base.indexOf('ring8');
      const argv = args[0] === '--example' ? [...base.slice(0, i), args[1], ...base.slice(i + 1)] : [...base, ...args];
      const r = await gankit(argv);
      expect(r.code, r.stderr).toBe(2);
      expect(errorLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(read(path.join(out, 'config.json')).equals(config)).toBe(true);
      expect(steps(out)).toEqual(['step-000000002', 'step-000000004']);
    }
    // What may change on resume: the step count, the checkpoint cadence, --keep, --on-nan.
    const ok = await gankit(ring(out, '--steps', '6', '--resume', '--checkpoint-every', '3', '--keep', '2', '--on-nan', 'skip'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/resumed from .*step-000000004 \(step 4\)/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'))).toMatchObject({
      steps: 6,
      checkpointEvery: 3,
      onNan: 'skip',
      fingerprint: JSON.parse(config.toString()).fingerprint,
    });
  });

  it('a config run: any setting that changes the result is named with its path; the step count, evaluation and grid cadence may change', async () => {
    const out = dir('config');
    const base = {
      name: 'tiny',
      data: { name: 'ring', modes: 4 },
      architecture: { name: 'mlp', latentDim: 2, hidden: [8] },
      batchSize: 8,
      metrics: { evalSamples: 10 },
    };
    const write = (c: object) => {
      const f = `${dir('c')}.json`;
      fs.writeFileSync(f, JSON.stringify(c));
      return f;
    };
    const train = (c: object, ...more: string[]) =>
      gankit([
        'train',
        '--config',
        write(c),
        '--out',
        out,
        '--quiet',
        '--checkpoint-every',
        '2',
        ...(more.includes('--steps') ? more : ['--steps', '4', ...more]),
      ]);
    expect((await train(base)).code).toBe(0);
    const hinge = await train({ ...base, loss: 'hinge' }, '--resume');
    expect(hinge.code).toBe(2);
    expect(hinge.stderr).toMatch(/cannot resume .*: config differs at loss\.name: "hinge", but this run has "non-saturating"\./);
    const lr = await train({ ...base, optimizer: { generator: { name: 'adam', learningRate: 1 } } }, '--resume');
    expect(lr.stderr).toMatch(/config differs at optimizer\.generator\.learningRate: 1, but this run has 0\.0002/);
    const data = await train({ ...base, data: { name: 'ring', modes: 5 } }, '--resume');
    expect(data.stderr).toMatch(/config differs at data\.modes: 5, but this run has 4/);
    const example = await gankit(ring(out, '--resume'));
    expect(example.stderr).toMatch(/--example ring8, but this run was trained from a config file \(named 'tiny'\)/);
    const free = await train(
      { ...base, name: 'renamed', steps: 99, metrics: { evalSamples: 20 }, report: { gridEvery: 7 }, onNan: 'skip' },
      '--resume',
      '--steps',
      '6',
    );
    expect(free.code, free.stderr).toBe(0);
    expect(free.stderr).toMatch(/resumed from .*step-000000004/);
  });

  it('identityDifference and the fingerprint: equal for the same run, different for another', () => {
    const id = { example: 'ring8', seed: 0, batchSize: 128, workers: 1 };
    expect(identityDifference(id, { ...id, steps: 5, backend: 'cpu' })).toBeNull();
    expect(identityDifference(id, { example: 'ring8', seed: 0, batchSize: 128 })).toBeNull(); // an older config.json: 1 worker
    expect(runFingerprint(id)).toBe(runFingerprint({ ...id }));
    expect(runFingerprint(id)).not.toBe(runFingerprint({ ...id, seed: 1 }));
    const config = { name: 'a', steps: 1, data: { name: 'ring' }, loss: { name: 'hinge' } };
    expect(runFingerprint({ ...id, config })).toBe(runFingerprint({ ...id, example: 'b', config: { ...config, name: 'b', steps: 9 } }));
  });
});

describe('a new run never lands on an old one', () => {
  it('is refused in a directory that holds a run; --overwrite removes every file of the old run, so a resume continues the new one', async () => {
    const out = dir('overwrite');
    expect((await gankit(ring(out, '--steps', '8', '--checkpoint-every', '2', '--keep', '4'))).code).toBe(0);
    expect(steps(out)).toHaveLength(4);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine\n');
    const refused = await gankit(ring(out, '--steps', '2', '--seed', '1'));
    expect(refused.code).toBe(2);
    expect(errorLine(refused.stderr)).toEqual([
      `gankit train: ${out} holds a run (config.json, checkpoints/, final/, metrics.json): go on with it with --resume, replace it with --overwrite, or choose another --out`,
    ]);
    const both = await gankit(ring(out, '--resume', '--overwrite'));
    expect(both.stderr).toMatch(/give --resume .* or --overwrite .*, not both/);

    const fresh = await gankit(ring(out, '--steps', '2', '--seed', '1', '--checkpoint-every', '2', '--overwrite'));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toMatch(
      /--overwrite: removed the earlier run's checkpoints\/, final\/, samples\.csv, samples\.png, metrics\.json, config\.json from /,
    );
    expect(steps(out)).toEqual(['step-000000002']);
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
    // --resume now goes on with the new run: the same as 4 steps of seed 1 in one go.
    const resumed = await gankit(ring(out, '--steps', '4', '--seed', '1', '--resume'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed from .*step-000000002 \(step 2\)/);
    const straight = dir('straight');
    expect((await gankit(ring(straight, '--steps', '4', '--seed', '1'))).code).toBe(0);
    expect(read(path.join(out, 'final', 'weights.bin')).equals(read(path.join(straight, 'final', 'weights.bin')))).toBe(true);
  });

  it('refuses to resume checkpoints that have no config.json, and starts afresh (saying so) where there is nothing', async () => {
    const out = dir('orphan');
    expect((await gankit(ring(out, '--steps', '2', '--checkpoint-every', '2'))).code).toBe(0);
    fs.rmSync(path.join(out, 'config.json'));
    const r = await gankit(ring(out, '--steps', '4', '--resume'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot resume .*: it has checkpoints but no config\.json, so nothing tells which run they belong to/);
    const empty = await gankit(ring(dir('empty'), '--steps', '2', '--resume'));
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/no checkpoint in .*; starting afresh/);
  });

  it('a run that fails before it saved anything leaves no config.json behind, so running it again is not refused', async () => {
    const out = dir('no-data');
    const before = process.env.GANKIT_FASHION_MNIST_DIR;
    process.env.GANKIT_FASHION_MNIST_DIR = dir('no-such-data');
    try {
      // --workers 1: in this process the backend already runs one thread, and the example's
      // 'threads' parallelism would ask for more before the data is looked at.
      const args = ['train', '--example', 'fashion-wgan-gp', '--steps', '1', '--workers', '1', '--out', out, '--quiet'];
      for (let i = 0; i < 2; i++) {
        const r = await gankit(args);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/Fashion-MNIST/);
        expect(r.stderr).not.toMatch(/holds a run/);
        expect(fs.existsSync(path.join(out, 'config.json'))).toBe(false);
      }
    } finally {
      if (before === undefined) delete process.env.GANKIT_FASHION_MNIST_DIR;
      else process.env.GANKIT_FASHION_MNIST_DIR = before;
    }
  });
});

describe('one writer per directory', () => {
  it('a second gankit train on the same directory exits 2 at once, naming the holder; the lock goes when the first ends', async () => {
    const out = dir('locked');
    const first = runTraining(ring8, { steps: 400, out, backend: 'wasm', progress: false, log: () => undefined });
    const lock = path.join(out, LOCK_FILE);
    for (let i = 0; i < 200 && !fs.existsSync(lock); i++) await new Promise((r) => setTimeout(r, 20));
    const holder = JSON.parse(fs.readFileSync(lock, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname() });
    const t0 = Date.now();
    const second = await gankit(ring(out, '--steps', '10', '--resume'));
    expect(second.code).toBe(2);
    expect(errorLine(second.stderr)[0]).toMatch(
      new RegExp(
        `is in use by another gankit train: process ${process.pid} on this host, since .*; if it is not running, remove ${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      ),
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    const r = await first;
    expect(r.steps).toBe(400);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a stale lock (its process is gone) and says why; refuses a lock of another host', async () => {
    const out = dir('stale');
    fs.mkdirSync(out);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(
      path.join(out, LOCK_FILE),
      JSON.stringify({ pid: dead, host: os.hostname(), started: '2020-01-01T00:00:00.000Z', token: 'old' }),
    );
    const lines: string[] = [];
    const lock = lockRunDirectory(out, (l) => lines.push(l));
    expect(lines).toEqual([
      `took over the stale lock ${lock.file}: process ${dead} on this host (since 2020-01-01T00:00:00.000Z) is no longer running`,
    ]);
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    expect(() => lockRunDirectory(out)).toThrow(/is in use by another gankit train: process \d+ on this host/);
    lock.release();
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
    fs.writeFileSync(lock.file, JSON.stringify({ pid: 1, host: 'elsewhere', started: 'x', token: 't' }));
    expect(() => lockRunDirectory(out)).toThrow(/in use by another gankit train: process 1 on host elsewhere, since x/);
    // A lock file left empty by a crash while it was written: stale once old.
    fs.writeFileSync(lock.file, '');
    expect(() => lockRunDirectory(out)).toThrow(/a lock being written just now/);
    fs.utimesSync(lock.file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const again = lockRunDirectory(out, (l) => lines.push(l));
    expect(lines[1]).toMatch(/took over the stale lock .*: it is unreadable and \d+ s old/);
    again.release();
  });

  it('SIGTERM and SIGINT release the lock (the process still dies of the signal)', async () => {
    const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const out = dir(signal);
      const child = execFile(process.execPath, [bin, ...ring(out, '--steps', '100000')], {
        env: { ...process.env, GANKIT_BACKEND: 'wasm' },
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      const lock = path.join(out, LOCK_FILE);
      for (let i = 0; i < 600 && !fs.existsSync(path.join(out, 'config.json')); i++) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(lock)).toBe(true);
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(fs.existsSync(lock)).toBe(false);
    }
  });
});
