import { describe, it, expect } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { curvesFromRecords, metricsLogger, parseMetricsLog, readMetricsLog } from './metrics-logger';
import { makeContext, makeLogs, simulate, tempDir, TinyGenerator } from '../test/helpers';

describe('metricsLogger', () => {
  it('writes one JSON line per step with the documented fields, and it round-trips', async () => {
    const dir = await tempDir();
    const file = join(dir, 'run', 'logs.jsonl');
    const logger = metricsLogger({ file, flushEvery: 4 });
    expect(logger.order).toBe(200);
    const g = new TinyGenerator();
    const logs = await simulate(logger, makeContext(g), 10, (s) => makeLogs(s, { metrics: s % 5 === 4 ? { fid: 100 - s } : {} }));
    g.dispose();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('');
    const first = JSON.parse(lines[0]);
    expect(Object.keys(first)).toEqual(['step', 'dLoss', 'gLoss', 'dReal', 'dFake', 'terms', 'metrics', 'seconds']);
    expect(first).toEqual({
      step: 1,
      dLoss: 1.4,
      gLoss: 0.7,
      dReal: 0.5,
      dFake: 0.5,
      terms: { 'gp/penalty': 0 },
      metrics: {},
      seconds: 0.05,
    });
    const back = await readMetricsLog(file);
    expect(back).toEqual(logger.records);
    back.forEach((r, i) => {
      expect(r.step).toBe(logs[i].step + 1);
      expect(r.dLoss).toBe(logs[i].discriminatorLoss);
      expect(r.gLoss).toBe(logs[i].generatorLoss);
      expect(r.metrics).toEqual(logs[i].metrics);
    });
  });

  it('flushes every N lines and the rest at onTrainEnd, appending across runs', async () => {
    const dir = await tempDir();
    const file = join(dir, 'logs.jsonl');
    const logger = metricsLogger({ file, flushEvery: 3 });
    const g = new TinyGenerator();
    const ctx = makeContext(g);
    await logger.setup!(ctx);
    const count = async () => (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
    for (let s = 0; s < 5; s++) {
      await logger.onStepEnd!(ctx, makeLogs(s));
      expect(await count()).toBe(s >= 2 ? 3 : 0);
    }
    await logger.onTrainEnd!(ctx);
    expect(await count()).toBe(5);
    // A second logger on the same file continues it (a run resumed at step 5) unless told to overwrite.
    ctx.step = 5;
    const again = metricsLogger({ file });
    await simulate(again, ctx, 2);
    expect(await count()).toBe(7);
    const fresh = metricsLogger({ file, overwrite: true });
    await simulate(fresh, ctx, 1);
    expect(await count()).toBe(1);
    g.dispose();
  });

  it('a run resumed from an earlier step drops the lines after it: every step is in the file once', async () => {
    const dir = await tempDir();
    const file = join(dir, 'logs.jsonl');
    const g = new TinyGenerator();
    const first = makeContext(g);
    await simulate(metricsLogger({ file, flushEvery: 1 }), first, 10);
    // Killed mid-append: a last line cut short.
    await writeFile(file, (await readFile(file, 'utf8')) + '{"step":11,"dLo');
    // Resumed from the checkpoint of step 6.
    const resumed = makeContext(g);
    resumed.step = 6;
    await simulate(metricsLogger({ file }), resumed, 4);
    expect((await readMetricsLog(file)).map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
    // A fresh trainer (step 0) starts the file empty.
    await simulate(metricsLogger({ file }), makeContext(g), 2);
    expect((await readMetricsLog(file)).map((r) => r.step)).toEqual([1, 2]);
    g.dispose();
  });

  it('writes NaN and Infinity as null and reads them back as NaN', async () => {
    const dir = await tempDir();
    const file = join(dir, 'logs.jsonl');
    const logger = metricsLogger({ file });
    const g = new TinyGenerator();
    await simulate(logger, makeContext(g), 1, (s) =>
      makeLogs(s, { discriminatorLoss: NaN, generatorLoss: Infinity, metrics: { fid: NaN } }),
    );
    g.dispose();
    const text = await readFile(file, 'utf8');
    expect(text).toContain('"dLoss":null,"gLoss":null');
    const [r] = parseMetricsLog(text);
    expect(r.dLoss).toBeNaN();
    expect(r.gLoss).toBeNaN();
    expect(r.metrics.fid).toBeNaN();
  });

  it('parseMetricsLog drops a cut-off last line and names a bad line', async () => {
    const good = JSON.stringify({ step: 1, dLoss: 1, gLoss: 2, dReal: 0.5, dFake: 0.4, terms: {}, metrics: {}, seconds: 0.1 });
    expect(parseMetricsLog(`${good}\n\n${good}\n{"step":3,"dLo`)).toHaveLength(2);
    expect(() => parseMetricsLog(`${good}\nnot json\n${good}\n`)).toThrow(/line 2/);
    const dir = await tempDir();
    await writeFile(join(dir, 'x.jsonl'), `${good}\n`);
    expect((await readMetricsLog(join(dir, 'x.jsonl')))[0].gLoss).toBe(2);
    await expect(readMetricsLog(join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read metrics log/);
  });

  it('curves group losses, D outputs, terms and sparse metrics by step', () => {
    const records = parseMetricsLog(
      [1, 2, 3]
        .map((s) =>
          JSON.stringify({
            step: s,
            dLoss: s,
            gLoss: -s,
            dReal: 0.1 * s,
            dFake: 0.2,
            terms: { a: s * 2 },
            metrics: s === 2 ? { fid: 9 } : {},
            seconds: 0,
          }),
        )
        .join('\n'),
    );
    const c = curvesFromRecords(records);
    expect(c.losses).toEqual([
      {
        name: 'D loss',
        points: [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      },
      {
        name: 'G loss',
        points: [
          [1, -1],
          [2, -2],
          [3, -3],
        ],
      },
    ]);
    expect(c.discriminator.map((s) => s.name)).toEqual(['D(x)', 'D(G(z))']);
    expect(c.terms).toEqual([
      {
        name: 'a',
        points: [
          [1, 2],
          [2, 4],
          [3, 6],
        ],
      },
    ]);
    expect(c.metrics).toEqual([{ name: 'fid', points: [[2, 9]] }]);
    expect(() => metricsLogger({ file: 'x', flushEvery: 0 })).toThrow(/flushEvery/);
  });
});
