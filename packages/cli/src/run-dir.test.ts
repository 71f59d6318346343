// A run directory belongs to one run (issue 13): a resume with other settings is refused and says
// which; a new run never lands on an old one unless asked; one writer at a time; divergence never
// writes NaN over good files; checkpoints come by default; logs hold each step once.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trainer } from '@gankit/trainer';
import { listCheckpoints, loadCheckpoint } from '@gankit/trainer/node';
import * as tf from '@tensorflow/tfjs-core';
import { main } from './cli';
import { ring8 } from './examples/ring8';
import { trainCycleganDigits } from './examples/cyclegan-digits';
import { runTraining } from './train';
import { LOCK_FILE, identityDifference, lockRunDirectory, runFingerprint } from './run-dir';
import { RunCheckpoints } from './run-dir-loop';

let root: string;
let n = 0;
const dir = (tag: string) => path.join(root, `${tag}-${n++}`);
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-run-dir-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs `gankit` in this process and returns its exit code and what it wrote on stderr. */
async function gankit(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stderr: lines.join('') };
  } finally {
    process.stderr.write = write;
  }
}

/** The one error line of a refused command. */
const errorLine = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('gankit train:'));
const read = (file: string) => fs.readFileSync(file);
const ring = (out: string, ...more: string[]) => ['train', '--example', 'ring8', '--out', out, '--quiet', ...more];
const steps = (out: string) => fs.readdirSync(path.join(out, 'checkpoints')).filter((f) => f.startsWith('step-'));

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
      const f = path.join(root, `c-${n++}.json`);
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
    process.env.GANKIT_FASHION_MNIST_DIR = path.join(root, 'no-such-data');
    try {
      const args = ['train', '--example', 'fashion-wgan-gp', '--steps', '1', '--out', out, '--quiet'];
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

describe('divergence never destroys the last good state', () => {
  // R1's penalty overflows at iteration 2 (with smaller networks Adam's second moment overflows first).
  const diverging = {
    name: 'nan',
    data: { name: 'ring', modes: 4 },
    architecture: { name: 'mlp', latentDim: 2, hidden: [128, 128] },
    batchSize: 8,
    metrics: { evalSamples: 10 },
    regularizers: [{ name: 'r1', gamma: 1 }],
    optimizer: { generator: { name: 'adam', learningRate: 1e6 }, discriminator: { name: 'adam', learningRate: 1e6 } },
  };
  const configFile = () => {
    const f = path.join(root, `nan-${n++}.json`);
    fs.writeFileSync(f, JSON.stringify(diverging));
    return f;
  };
  const finite = async (ck: string) => {
    const c = await loadCheckpoint(ck);
    const ok = Object.values(c.state.tensors).every((t) => Array.from(t.dataSync()).every(Number.isFinite));
    tf.dispose(Object.values(c.state.tensors));
    return ok;
  };

  it('learning rate 1e6: the default stops with exit 3, naming the iteration, the player and the term; checkpoints and final/ stay finite and untouched', async () => {
    const out = dir('nan');
    const file = configFile();
    // Past the fault with --on-nan skip: finite checkpoints and final weights.
    const skipped = await gankit([
      'train',
      '--config',
      file,
      '--out',
      out,
      '--quiet',
      '--steps',
      '10',
      '--checkpoint-every',
      '5',
      '--on-nan',
      'skip',
    ]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toMatch(/the NaN guard skipped \d+ iterations \(--on-nan skip\)/);
    const finalBefore = read(path.join(out, 'final', 'weights.bin'));
    // The same run, resumed with the default guard: it stops at the first faulty iteration.
    const stopped = await gankit([
      'train',
      '--config',
      file,
      '--out',
      out,
      '--quiet',
      '--steps',
      '20',
      '--checkpoint-every',
      '5',
      '--resume',
    ]);
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(stopped.stderr).toMatch(
      /training stopped at a numerical fault in iteration 11 \(the (discriminator|generator) update\): the (discriminator|generator) loss is (NaN|Infinity|-Infinity) \((non-finite terms: [^)]+|every term is finite[^)]*)\); the trainer is back after 10 good iterations\. Nothing non-finite was written: the newest checkpoint, checkpoints\/step-000000010, holds the last finite state saved; final\/ and the outputs were not written \(the earlier final\/ in .* is left as it was\)/,
    );
    expect(steps(out)).toEqual(['step-000000005', 'step-000000010']);
    expect(read(path.join(out, 'final', 'weights.bin')).equals(finalBefore)).toBe(true);
    for (const c of await listCheckpoints(out)) expect(await finite(c.path)).toBe(true);
  });

  it('--on-nan off: training goes on, but no checkpoint or final/ holding NaN is written; exit 3', async () => {
    const out = dir('nan-off');
    const r = await gankit([
      'train',
      '--config',
      configFile(),
      '--out',
      out,
      '--quiet',
      '--steps',
      '20',
      '--checkpoint-every',
      '5',
      '--on-nan',
      'off',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(
      /the trainer state went NaN or infinite \(--on-nan off\): not writing .*step-0000000\d\d: tensor '[^']+' holds \d+ NaN or infinite values of \d+/,
    );
    for (const c of await listCheckpoints(out)) expect(await finite(c.path)).toBe(true);
    expect(fs.existsSync(path.join(out, 'final'))).toBe(false);
    // Past the guard: a small critic's Adam second moment overflows while the losses stay finite.
    // The guard's run stops at the checkpoint that would have held it.
    const small = path.join(root, 'nan-small.json');
    fs.writeFileSync(small, JSON.stringify({ ...diverging, architecture: { name: 'mlp', latentDim: 2, hidden: [8] }, regularizers: [] }));
    const past = dir('nan-past');
    const s = await gankit(['train', '--config', small, '--out', past, '--quiet', '--steps', '200', '--checkpoint-every', '5']);
    expect(s.code, s.stderr).toBe(3);
    expect(s.stderr).toMatch(
      /^the trainer state went NaN or infinite \(--on-nan stop\): not writing .*: tensor 'optimizers\/[a-z]+\/slots\/\d+' holds/m,
    );
    expect(s.stderr).not.toMatch(/training goes on/);
    const m = JSON.parse(fs.readFileSync(path.join(past, 'config.json'), 'utf8'));
    expect(m.steps).toBe(200);
    for (const c of await listCheckpoints(past)) expect(await finite(c.path)).toBe(true);
  });

  it("the config's onNan is the default of --on-nan", async () => {
    const f = path.join(root, 'nan-skip.json');
    fs.writeFileSync(f, JSON.stringify({ ...diverging, onNan: 'skip' }));
    const r = await gankit(['train', '--config', f, '--out', dir('nan-config'), '--quiet', '--steps', '6']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the NaN guard skipped \d+ iterations/);
    const bad = await gankit(['train', '--config', f, '--out', dir('nan-bad'), '--on-nan', 'ignore']);
    expect(bad.code).toBe(2);
    expect(errorLine(bad.stderr)).toEqual([`gankit train: --on-nan must be one of stop, skip, off, got 'ignore'`]);
  });
});

describe('checkpoints', () => {
  it('come about every minute by default (and at the last step once any came), every N steps with --checkpoint-every N, never with 0', async () => {
    const make = () => {
      const setup = ring8.setup({ seed: 0, batchSize: 16 });
      return { setup, trainer: new Trainer({ ...setup, batchSize: 16, seed: 0 }) };
    };
    const run = async (cadence: { every?: number; seconds?: number }, total: number) => {
      const out = dir('cadence');
      const { setup, trainer } = make();
      const ck = new RunCheckpoints(out, trainer, { ...cadence, keep: 10 }, trainer.plugins);
      await trainer.fit({ steps: total, onStep: async (l) => void (await ck.afterStep(l.step + 1)) });
      await ck.atEnd(trainer.iteration);
      trainer.dispose();
      setup.generator.dispose();
      setup.discriminator.dispose();
      return (await listCheckpoints(out)).map((c) => c.step).reverse();
    };
    expect(await run({}, 5)).toEqual([]); // a run shorter than a minute: none
    expect(await run({ seconds: 0 }, 3)).toEqual([1, 2, 3]); // the timed cadence, due at every step
    expect(await run({ every: 2 }, 5)).toEqual([2, 4, 5]); // and at the last step
    expect(await run({ every: 0, seconds: 0 }, 3)).toEqual([]);
  });

  it('--resume with every checkpoint damaged exits 2 and says so; a damaged one is reported once and passed over', async () => {
    const out = dir('damaged');
    expect((await gankit(ring(out, '--steps', '6', '--checkpoint-every', '2'))).code).toBe(0);
    const [c6, c4, c2] = (await listCheckpoints(out)).map((c) => c.path);
    // Newest: the trainer state edited by hand (the weights untouched).
    const m = JSON.parse(fs.readFileSync(path.join(c6, 'model.json'), 'utf8'));
    m.gankit.state.step = 3;
    fs.writeFileSync(path.join(c6, 'model.json'), JSON.stringify(m));
    const once = await gankit(ring(out, '--steps', '6', '--resume'));
    expect(once.code, once.stderr).toBe(0);
    expect(once.stderr.match(/damaged checkpoint/g)).toHaveLength(1);
    expect(once.stderr).toMatch(
      /skipped damaged checkpoint .*step-000000006: checkpoint file .*model\.json: does not match its own checksum/,
    );
    expect(once.stderr).toMatch(/resumed from .*step-000000004 \(step 4\)/);
    for (const c of [c4, c2]) fs.truncateSync(path.join(c, 'weights.bin'), 10);
    const none = await gankit(ring(out, '--steps', '8', '--resume'));
    expect(none.code).toBe(2);
    expect(errorLine(none.stderr)).toHaveLength(1);
    expect(errorLine(none.stderr)[0]).toMatch(
      /cannot resume .*: every checkpoint is damaged \(step-000000006, step-000000004, step-000000002; the reasons are above\), so there is nothing to go on from; to train this run again from step 0, run without --resume and with --overwrite/,
    );
    expect(none.stderr.match(/skipped damaged checkpoint/g)).toHaveLength(3);
    expect(fs.existsSync(path.join(out, 'checkpoints', 'step-000000008'))).toBe(false);
  });
});

describe('logs match the state', () => {
  it('a run resumed from an earlier checkpoint holds each step once in logs.jsonl, and only grids it drew', async () => {
    const config = path.join(root, 'images.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        name: 'img',
        data: { name: 'mnist', split: 'test' },
        architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false },
        batchSize: 4,
        report: { gridEvery: 1 },
        metrics: { evalSamples: 10 },
      }),
    );
    const train = (out: string, ...more: string[]) =>
      gankit(['train', '--config', config, '--out', out, '--quiet', '--eval-samples', '10', ...more]);
    const straight = dir('logs-straight');
    expect((await train(straight, '--steps', '8')).code).toBe(0);
    const out = dir('logs');
    expect((await train(out, '--steps', '6', '--checkpoint-every', '2', '--grid-every', '3')).code).toBe(0);
    // As after a kill between the checkpoint of step 4 and that of step 6: logs and grids went further.
    fs.rmSync(path.join(out, 'checkpoints', 'step-000000006'), { recursive: true });
    const r = await train(out, '--steps', '8', '--checkpoint-every', '2', '--resume');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resumed from .*step-000000004 \(step 4\)/);
    const records = (f: string) =>
      fs
        .readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const logs = records(path.join(out, 'logs.jsonl'));
    expect(logs.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const same = records(path.join(straight, 'logs.jsonl'));
    expect(logs.map((l) => [l.dLoss, l.gLoss])).toEqual(same.map((l) => [l.dLoss, l.gLoss]));
    // The grid of step 6 (drawn after the checkpoint, at the old cadence) is gone; the resumed run drew its own.
    expect(fs.readdirSync(path.join(out, 'grids')).sort()).toEqual([
      'step-000000003.png',
      'step-000000005.png',
      'step-000000006.png',
      'step-000000007.png',
      'step-000000008.png',
    ]);
    expect(read(path.join(out, 'final', 'weights.bin')).equals(read(path.join(straight, 'final', 'weights.bin')))).toBe(true);
  });
});

describe('cyclegan-digits follows the same rules', () => {
  it('refuses a resume with other settings or seed, and a second writer', async () => {
    const out = dir('cyclegan');
    const small = { generatorFilters: 2, residualBlocks: 1, discriminatorFilters: 2, discriminatorLayers: 1, gridImages: 2 };
    const common = { out, backend: 'wasm', progress: false, batchSize: 2, log: () => undefined };
    await trainCycleganDigits({ ...common, steps: 1 }, small);
    const config = read(path.join(out, 'config.json'));
    await expect(trainCycleganDigits({ ...common, steps: 2 }, small)).rejects.toThrow(
      /holds a run \(config\.json, final\/, metrics\.json\)/,
    );
    await expect(trainCycleganDigits({ ...common, steps: 2, resume: true }, { ...small, domainB: 'rotated' })).rejects.toThrow(
      /settings differ at domainB: "rotated", but this run has "bold"/,
    );
    await expect(trainCycleganDigits({ ...common, steps: 2, resume: true, seed: 3 }, small)).rejects.toThrow(
      /--seed 3, but this run has seed 0/,
    );
    expect(read(path.join(out, 'config.json')).equals(config)).toBe(true);
    const lock = lockRunDirectory(out);
    await expect(trainCycleganDigits({ ...common, steps: 2, resume: true }, small)).rejects.toThrow(/is in use by another gankit train/);
    lock.release();
  });
});
