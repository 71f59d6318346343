import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodePng, eventFiles, readEvents, readMetricsLog, type MetricsRecord, type TensorBoardEvent } from '@gankit/report';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from './test-main';

let root: string;
let n = 0;
const dir = (tag: string) => path.join(root, `${tag}-${n++}`);
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-tensorboard-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** `gankit train` in this process; fails the test unless it exits 0. */
async function train(...argv: string[]): Promise<string> {
  const r = await runMain(['train', '--quiet', ...argv]);
  expect(r.code, r.stderr).toBe(0);
  return r.stderr;
}

/** Every event of every event file in a folder, file by file. */
async function eventsIn(folder: string): Promise<TensorBoardEvent[][]> {
  const files = await eventFiles(folder);
  return Promise.all(files.map((f) => readEvents(f)));
}

/** The scalars logs.jsonl holds for a step, under the tags TensorBoard gets them, as float32. */
function expectedScalars(r: MetricsRecord): Record<string, number> {
  const out: Record<string, number> = {
    'loss/discriminator': r.dLoss,
    'loss/generator': r.gLoss,
    'discriminator/real': r.dReal,
    'discriminator/fake': r.dFake,
  };
  for (const [k, v] of Object.entries(r.terms)) out[`terms/${k}`] = v;
  for (const [k, v] of Object.entries(r.metrics)) out[`metrics/${k}`] = v;
  out['time/seconds_per_step'] = r.seconds;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.fround(v)]));
}

/** The scalar events of some event files, in order. */
const scalarEvents = (files: TensorBoardEvent[][]) => files.flat().filter((e) => e.scalars);

describe('gankit train --tensorboard', () => {
  let config: string;
  beforeAll(() => {
    config = path.join(root, 'images.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        name: 'img',
        data: { name: 'mnist', split: 'test' },
        architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false },
        batchSize: 4,
        metrics: { evalSamples: 10 },
      }),
    );
  });
  const image = (out: string, ...more: string[]) => train('--config', config, '--out', out, '--eval-samples', '10', ...more);

  it('an image run: the scalars of every step as in logs.jsonl, each sample grid and the final samples as PNG images', async () => {
    const out = dir('img');
    const stderr = await image(out, '--steps', '4', '--grid-every', '2', '--tensorboard');
    expect(stderr).toMatch(/wrote .*tensorboard\//);
    const files = await eventsIn(path.join(out, 'tensorboard'));
    expect(files).toHaveLength(1);
    expect(files[0][0].fileVersion).toBe('brain.Event:2');
    const logs = await readMetricsLog(path.join(out, 'logs.jsonl'));
    expect(logs.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    const scalars = scalarEvents(files);
    expect(scalars.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    for (const [i, e] of scalars.entries()) expect(e.scalars).toEqual(expectedScalars(logs[i]));
    expect(Object.keys(scalars[0].scalars!)).toContain('loss/discriminator');

    const images = files[0].filter((e) => e.images).map((e) => [e.step, Object.keys(e.images!)]);
    expect(images).toEqual([
      [2, ['samples/grid']],
      [4, ['samples/grid']],
      [4, ['samples/final']],
    ]);
    for (const e of files[0].filter((x) => x.images)) {
      const [tag, im] = Object.entries(e.images!)[0];
      const file =
        tag === 'samples/grid' ? path.join(out, 'grids', `step-${String(e.step).padStart(9, '0')}.png`) : path.join(out, 'samples.png');
      expect(Buffer.from(im.encoded).equals(fs.readFileSync(file)), `${tag} at ${e.step}`).toBe(true);
      // 64 digits of 28 × 28 in 8 columns with 2 px padding: 242 × 242 grey.
      const png = decodePng(im.encoded);
      expect([im.width, im.height, png.width, png.height, im.colorspace]).toEqual([242, 242, 242, 242, 1]);
    }
  });

  it('--resume adds an event file and drops from the first the steps after the checkpoint, so every step is there once', async () => {
    const straight = dir('img-straight');
    await image(straight, '--steps', '8', '--tensorboard');
    const out = dir('img-resumed');
    await image(out, '--steps', '6', '--checkpoint-every', '2', '--grid-every', '3', '--tensorboard');
    // As after a kill between the checkpoints of steps 4 and 6: the events went to step 6.
    fs.rmSync(path.join(out, 'checkpoints', 'step-000000006'), { recursive: true });
    expect((await eventsIn(path.join(out, 'tensorboard')))[0].filter((e) => e.scalars).map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const stderr = await image(out, '--steps', '8', '--checkpoint-every', '2', '--grid-every', '3', '--resume', '--tensorboard');
    expect(stderr).toMatch(/resumed from .*step-000000004 \(step 4\)/);
    const files = await eventsIn(path.join(out, 'tensorboard'));
    expect(files).toHaveLength(2);
    expect(files.map((f) => f.filter((e) => e.scalars).map((e) => e.step))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    // The grid of step 6 went with the steps after the checkpoint; the resumed run drew its own.
    expect(files.map((f) => f.filter((e) => e.images?.['samples/grid']).map((e) => e.step))).toEqual([[3], [6, 8]]);
    // The same numbers as the run that was never interrupted (and as its logs.jsonl).
    const logs = await readMetricsLog(path.join(out, 'logs.jsonl'));
    const resumed = scalarEvents(files);
    const once = scalarEvents(await eventsIn(path.join(straight, 'tensorboard')));
    expect(resumed.map((e) => e.scalars!['loss/generator'])).toEqual(once.map((e) => e.scalars!['loss/generator']));
    for (const [i, e] of resumed.entries()) expect(e.scalars).toEqual(expectedScalars(logs[i]));
  });

  it('a 2-D run: the scalars and the final scatter plot; the same final weights as without --tensorboard', async () => {
    const plain = dir('ring');
    const out = dir('ring-tb');
    const custom = dir('ring-events');
    await train('--example', 'ring8', '--steps', '20', '--out', plain);
    // The folder given, and a bare --tensorboard before another option means the default folder.
    await train('--example', 'ring8', '--steps', '20', '--out', out, '--tensorboard', custom);
    expect(fs.readFileSync(path.join(out, 'final', 'weights.bin')).equals(fs.readFileSync(path.join(plain, 'final', 'weights.bin')))).toBe(
      true,
    );
    expect(fs.existsSync(path.join(out, 'tensorboard'))).toBe(false);
    const files = await eventsIn(custom);
    expect(files).toHaveLength(1);
    expect(scalarEvents(files).map((e) => e.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const last = files[0].at(-1)!;
    expect([last.step, Object.keys(last.images ?? {})]).toEqual([20, ['samples/final']]);
    expect(Buffer.from(last.images!['samples/final'].encoded).equals(fs.readFileSync(path.join(out, 'samples.png')))).toBe(true);
    const png = decodePng(last.images!['samples/final'].encoded);
    expect([png.width, png.height]).toEqual([last.images!['samples/final'].width, last.images!['samples/final'].height]);

    const bare = dir('ring-bare');
    await train('--example', 'ring8', '--steps', '2', '--out', bare, '--tensorboard', '--seed', '1');
    expect((await eventFiles(path.join(bare, 'tensorboard'))).length).toBe(1);
  });

  it('refuses a new run into a folder with event files unless --overwrite removes them; and cyclegan-digits, a run of its own, writes events too', async () => {
    const events = dir('events');
    await train('--example', 'ring8', '--steps', '2', '--out', dir('first'), `--tensorboard=${events}`);
    const second = dir('second');
    const r = await runMain(['train', '--example', 'ring8', '--steps', '2', '--out', second, '--quiet', '--tensorboard', events]);
    expect([r.code, r.stderr.trim().split('\n').at(-1)]).toEqual([
      2,
      `gankit train: --tensorboard ${events} holds the event files of an earlier run (1): go on with that run with --resume, replace them with --overwrite, or choose another --tensorboard folder`,
    ]);
    expect(fs.existsSync(path.join(second, 'config.json'))).toBe(false);
    const stderr = await train('--example', 'ring8', '--steps', '3', '--out', second, '--tensorboard', events, '--overwrite');
    expect(stderr).toMatch(/--overwrite: removed 1 event file of an earlier run from /);
    const files = await eventsIn(events);
    expect(files).toHaveLength(1);
    expect(scalarEvents(files).map((e) => e.step)).toEqual([1, 2, 3]);

    // --overwrite of a run directory removes its default tensorboard/ with the rest of the run.
    const run = dir('run');
    await train('--example', 'ring8', '--steps', '2', '--out', run, '--tensorboard');
    await train('--example', 'ring8', '--steps', '2', '--out', run, '--overwrite');
    expect(fs.existsSync(path.join(run, 'tensorboard'))).toBe(false);

    // cyclegan-digits, a run of its own on the same Trainer: its scalars every iteration, then translations.png.
    const cycle = dir('cycle');
    await train('--example', 'cyclegan-digits', '--steps', '2', '--batch-size', '1', '--out', cycle, '--tensorboard');
    const cycleEvents = (await eventsIn(path.join(cycle, 'tensorboard'))).flat();
    const cycleScalars = cycleEvents.filter((e) => e.scalars);
    expect(cycleScalars.map((e) => e.step)).toEqual([1, 2]);
    expect(Object.keys(cycleScalars[0].scalars ?? {})).toEqual(
      expect.arrayContaining(['terms/cyclegan/cycleA', 'terms/cyclegan/discriminatorAB']),
    );
    const translations = cycleEvents.filter((e) => e.images?.translations);
    expect(translations.map((e) => e.step)).toEqual([2]);
    expect(
      Buffer.from(translations[0].images?.translations?.encoded ?? []).equals(fs.readFileSync(path.join(cycle, 'translations.png'))),
    ).toBe(true);
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, '');
    const notDir = await runMain(['train', '--example', 'ring8', '--out', dir('x'), '--tensorboard', file]);
    expect([notDir.code, notDir.stderr]).toEqual([2, `gankit train: --tensorboard ${file} is a file, not a directory\n`]);
  });
});
