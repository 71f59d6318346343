// What every training loop does with its run directory (issue 13): divergence never writes NaN
// over good files; checkpoints come by default; logs hold each step once; cyclegan-digits follows
// the same rules. (The run directory's identity, --overwrite and the lock are in run-dir.test.ts.)
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Trainer } from '@gankit/trainer';
import { listCheckpoints, loadCheckpoint } from '@gankit/trainer/node';
import * as tf from '@tensorflow/tfjs-core';
import { ring8, trainCycleganDigits } from './index';
import { lockRunDirectory } from './run-dir';
import { RunCheckpoints } from './run-dir-loop';
import { errorLine, gankit, read, ring, steps, tempDirs } from './run-dir-test-helpers';

const dir = tempDirs();

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
    const f = `${dir('nan')}.json`;
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
    const small = `${dir('nan-small')}.json`;
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
    const f = `${dir('nan-skip')}.json`;
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
    const config = `${dir('images')}.json`;
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
