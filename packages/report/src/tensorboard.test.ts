import { describe, it, expect } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { StepLogs, TrainContext } from '@gankit/core';
import { EventFileWriter, cutEventsAfter, eventFiles, readEvents, tensorboardWriter } from './tensorboard';
import { decodeEvent, encodeEvent, parseEventFile, pngImage, tfRecord } from './tensorboard-proto';
import { gridRecorder } from './grid-recorder';
import { decodePng, imageGrid } from './image-grid';
import { makeContext, makeLogs, simulate, tempDir, TinyGenerator } from '../test/helpers';

// ---- An independent reader: bitwise CRC-32C, TFRecord framing, a generic protobuf walker. ----

function crc32cBitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function mask(c: number): number {
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** Splits a TFRecord stream, checking both CRCs of every record. */
function readRecords(bytes: Uint8Array): Uint8Array[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < bytes.length) {
    const len = Number(v.getBigUint64(p, true));
    expect(v.getUint32(p + 8, true)).toBe(mask(crc32cBitwise(bytes.subarray(p, p + 8))));
    const data = bytes.subarray(p + 12, p + 12 + len);
    expect(v.getUint32(p + 12 + len, true)).toBe(mask(crc32cBitwise(data)));
    out.push(data);
    p += 16 + len;
  }
  expect(p).toBe(bytes.length);
  return out;
}

type Field = { field: number; wire: number; value: bigint | Uint8Array };

/** Walks a protobuf message into (field, wire type, raw value) triples. */
function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): bigint => {
    let r = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[p++];
      r |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return r;
      shift += 7n;
    }
  };
  while (p < bytes.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) out.push({ field, wire, value: bytes.subarray(p, (p += 8)) });
    else if (wire === 5) out.push({ field, wire, value: bytes.subarray(p, (p += 4)) });
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, wire, value: bytes.subarray(p, (p += n)) });
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  expect(p).toBe(bytes.length);
  return out;
}

interface Decoded {
  wallTime?: number;
  step?: number;
  fileVersion?: string;
  values: Record<string, number>;
  images: Record<string, { height: number; width: number; colorspace: number; png: Uint8Array }>;
}

function decodeRecord(bytes: Uint8Array): Decoded {
  const e: Decoded = { values: {}, images: {} };
  const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const f of fields(bytes)) {
    if (f.field === 1 && f.wire === 1) e.wallTime = le(f.value as Uint8Array).getFloat64(0, true);
    else if (f.field === 2 && f.wire === 0) e.step = Number(f.value);
    else if (f.field === 3 && f.wire === 2) e.fileVersion = new TextDecoder().decode(f.value as Uint8Array);
    else if (f.field === 5 && f.wire === 2) {
      for (const v of fields(f.value as Uint8Array)) {
        expect([v.field, v.wire]).toEqual([1, 2]);
        let tag = '';
        let value = NaN;
        for (const x of fields(v.value as Uint8Array)) {
          if (x.field === 1 && x.wire === 2) tag = new TextDecoder().decode(x.value as Uint8Array);
          else if (x.field === 2 && x.wire === 5) value = le(x.value as Uint8Array).getFloat32(0, true);
          else if (x.field === 4 && x.wire === 2) {
            const im: Decoded['images'][string] = { height: 0, width: 0, colorspace: 0, png: new Uint8Array(0) };
            for (const y of fields(x.value as Uint8Array)) {
              if (y.field === 1 && y.wire === 0) im.height = Number(y.value);
              else if (y.field === 2 && y.wire === 0) im.width = Number(y.value);
              else if (y.field === 3 && y.wire === 0) im.colorspace = Number(y.value);
              else if (y.field === 4 && y.wire === 2) im.png = y.value as Uint8Array;
              else throw new Error(`unexpected Summary.Image field ${y.field}`);
            }
            e.images[tag] = im;
          } else throw new Error(`unexpected Summary.Value field ${x.field}`);
        }
        if (!(tag in e.images)) e.values[tag] = value;
      }
    } else throw new Error(`unexpected Event field ${f.field}/${f.wire}`);
  }
  return e;
}

// ---- Tests ----

describe('TensorBoard encoding', () => {
  it('encodes an Event that an independent protobuf reader decodes', () => {
    const bytes = encodeEvent({ wallTime: 1700000000.25, step: 300, scalars: { 'loss/d': 1.5, 'metrics/fid': 0.1 } });
    const e = decodeRecord(bytes);
    expect(e.wallTime).toBe(1700000000.25);
    expect(e.step).toBe(300);
    expect(e.values['loss/d']).toBe(1.5);
    expect(e.values['metrics/fid']).toBe(Math.fround(0.1));
    // Hand-checked prefix: field 1 double (0x09), then field 2 varint (0x10) 300 = 0xAC 0x02.
    expect(bytes[0]).toBe(0x09);
    expect(Array.from(bytes.subarray(9, 12))).toEqual([0x10, 0xac, 0x02]);
    const big = decodeRecord(encodeEvent({ wallTime: 0, step: 2 ** 40 + 5 }));
    expect(big.step).toBe(2 ** 40 + 5);
    expect(() => encodeEvent({ wallTime: 0, step: -1 })).toThrow(/non-negative integer/);
  });

  it('frames a TFRecord with length and masked CRC-32C', () => {
    const data = new TextEncoder().encode('hello tensorboard');
    const rec = tfRecord(data);
    expect(rec.length).toBe(data.length + 16);
    expect(readRecords(rec)).toEqual([data]);
  });
});

describe('tensorboardWriter', () => {
  it('writes a version record, then one event per step with the run scalars', async () => {
    const dir = await tempDir();
    const tb = tensorboardWriter({ dir, flushEvery: 4 });
    const g = new TinyGenerator();
    const t0 = Date.now() / 1000;
    const logs = await simulate(tb, makeContext(g), 6, (s) => makeLogs(s, { metrics: s === 5 ? { fid: 42.5 } : {} }));
    g.dispose();
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(
      new RegExp(
        `^events\\.out\\.tfevents\\.\\d{10}\\.${hostname()
          .replace(/[^A-Za-z0-9._-]/g, '_')
          .replace(/\./g, '\\.')}$`,
      ),
    );
    expect(tb.path).toBe(join(dir, files[0]));
    const events = readRecords(new Uint8Array(await readFile(join(dir, files[0])))).map(decodeRecord);
    expect(events).toHaveLength(7);
    expect(events[0].fileVersion).toBe('brain.Event:2');
    expect(events[0].step).toBe(0);
    expect(events.slice(1).map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const [i, e] of events.slice(1).entries()) {
      expect(e.wallTime!).toBeGreaterThanOrEqual(Math.floor(t0) - 1);
      expect(e.values['loss/discriminator']).toBe(Math.fround(logs[i].discriminatorLoss));
      expect(e.values['loss/generator']).toBe(Math.fround(logs[i].generatorLoss));
      expect(e.values['discriminator/real']).toBe(Math.fround(logs[i].dReal));
      expect(e.values['discriminator/fake']).toBe(Math.fround(logs[i].dFake));
      expect(e.values['terms/gp/penalty']).toBe(Math.fround(logs[i].terms['gp/penalty']));
      expect(e.values['time/seconds_per_step']).toBe(Math.fround(0.05));
    }
    expect(events[6].values['metrics/fid']).toBe(42.5);
    expect('metrics/fid' in events[5].values).toBe(false);
  });

  it('flushes every N events; two writers in one second get distinct files', async () => {
    const dir = await tempDir();
    const w = await EventFileWriter.create(dir, { wallTime: 1234567890 });
    const w2 = await EventFileWriter.create(dir, { wallTime: 1234567890 });
    expect(w2.path).toBe(`${w.path}.1`);
    const size = async () => (await readFile(w.path)).length;
    const base = await size();
    w.addScalars(1, { a: 1 });
    expect(await size()).toBe(base);
    await w.flush();
    expect(await size()).toBeGreaterThan(base);
    await w.close();
    await w2.close();
    expect(() => w.addScalars(2, { a: 2 })).toThrow(/closed/);
    expect(
      readRecords(new Uint8Array(await readFile(w.path)))
        .map(decodeRecord)
        .map((e) => e.values),
    ).toEqual([{}, { a: 1 }]);
  });
});

/** A grey 3×2 PNG and an RGB 4×5 one, made by imageGrid (no padding). */
function pngs(): { grey: Uint8Array; rgb: Uint8Array } {
  const grey = imageGrid({ data: Float32Array.from({ length: 6 }, (_, i) => i / 3 - 1), shape: [1, 3, 2, 1] }, { padding: 0 });
  const rgb = imageGrid({ data: Float32Array.from({ length: 60 }, (_, i) => (i % 7) / 3 - 1), shape: [1, 4, 5, 3] }, { padding: 0 });
  return { grey, rgb };
}

/** Runs several plugins as one, in the order given (as the trainer runs plugins by order). */
function together(...plugins: Parameters<typeof simulate>[0][]): Parameters<typeof simulate>[0] {
  return {
    async setup(c: TrainContext) {
      for (const p of plugins) await p.setup?.(c);
    },
    async onStepEnd(c: TrainContext, l: StepLogs) {
      for (const p of plugins) await p.onStepEnd?.(c, l);
    },
    async onTrainEnd(c: TrainContext) {
      for (const p of plugins) await p.onTrainEnd?.(c);
    },
  };
}

describe('TensorBoard image summaries', () => {
  it('encodes Summary.Value.image {height, width, colorspace, encoded_image_string} that an independent reader decodes to the PNG', () => {
    const { grey, rgb } = pngs();
    expect(pngImage(grey)).toMatchObject({ height: 3, width: 2, colorspace: 1 });
    expect(pngImage(rgb)).toMatchObject({ height: 4, width: 5, colorspace: 3 });
    const bytes = encodeEvent({ wallTime: 12.5, step: 7, scalars: { a: 2 }, images: { 'samples/grid': pngImage(rgb), g: pngImage(grey) } });
    const e = decodeRecord(bytes);
    expect([e.step, e.values]).toEqual([7, { a: 2 }]);
    expect(e.images['samples/grid']).toEqual({ height: 4, width: 5, colorspace: 3, png: rgb });
    expect(e.images.g).toEqual({ height: 3, width: 2, colorspace: 1, png: grey });
    const decoded = decodePng(e.images['samples/grid'].png);
    expect([decoded.width, decoded.height]).toEqual([5, 4]);
    // This package's own reader agrees.
    const mine = decodeEvent(bytes);
    expect(mine.scalars).toEqual({ a: 2 });
    expect(mine.images?.g).toEqual({ height: 3, width: 2, colorspace: 1, encoded: grey });
    expect(() => pngImage(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
    expect(() => encodeEvent({ wallTime: 0, step: 1, images: { x: { height: 0, width: 1, colorspace: 1, encoded: grey } } })).toThrow(
      /positive integer height/,
    );
  });

  it('EventFileWriter.addImage appends an image event; readEvents reads the file back, checking CRCs', async () => {
    const dir = await tempDir();
    const w = await EventFileWriter.create(dir, { wallTime: 1700000000 });
    const { rgb } = pngs();
    w.addScalars(1, { 'loss/generator': 0.5 });
    w.addImage(1, 'samples/final', rgb, 1700000001);
    await w.close();
    const raw = new Uint8Array(await readFile(w.path));
    const independent = readRecords(raw).map(decodeRecord);
    expect(independent.map((e) => [e.step, Object.keys(e.values), Object.keys(e.images)])).toEqual([
      [0, [], []],
      [1, ['loss/generator'], []],
      [1, [], ['samples/final']],
    ]);
    const events = await readEvents(w.path);
    expect(events[0].fileVersion).toBe('brain.Event:2');
    expect(events[2]).toEqual({
      wallTime: 1700000001,
      step: 1,
      images: { 'samples/final': { height: 4, width: 5, colorspace: 3, encoded: rgb } },
    });
    // A last record cut short (a kill mid-append) is left out; a flipped byte elsewhere is refused.
    expect(parseEventFile(raw.subarray(0, raw.length - 5))).toHaveLength(2);
    const bad = raw.slice();
    bad[raw.length - 30] ^= 1;
    expect(() => parseEventFile(bad)).toThrow(/CRC of its \d+ bytes does not match/);
  });

  it('with grids, every grid the recorder draws (and the one at the end) becomes an image at its step', async () => {
    const dir = await tempDir();
    const g = new TinyGenerator(4, 3, 2, 1);
    const grids = gridRecorder({ every: 2, dir, z: 4 });
    const tb = tensorboardWriter({ dir: join(dir, 'tb'), grids, order: 300 });
    const ctx = makeContext(g);
    await simulate(together(grids, tb), ctx, 5);
    const [file] = await eventFiles(join(dir, 'tb'));
    const events = await readEvents(file);
    const images = events.filter((e) => e.images).map((e) => [e.step, Object.keys(e.images!)]);
    expect(images).toEqual([
      [2, ['samples/grid']],
      [4, ['samples/grid']],
      [5, ['samples/grid']],
    ]);
    for (const e of events.filter((x) => x.images)) {
      const png = e.images!['samples/grid'].encoded;
      expect(Buffer.from(png).equals(await readFile(grids.written.find((w) => w.step === e.step)!.file))).toBe(true);
      const decoded = decodePng(png);
      expect([e.images!['samples/grid'].width, e.images!['samples/grid'].height]).toEqual([decoded.width, decoded.height]);
    }
    expect(events.filter((e) => e.scalars).map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
    grids.dispose?.();
    g.dispose();
  });

  it('resume: the events after the step gone back to are dropped from earlier files, so each step is there once', async () => {
    const dir = await tempDir();
    const g = new TinyGenerator();
    await simulate(tensorboardWriter({ dir }), makeContext(g), 6);
    // A second run goes on from the checkpoint of step 4, in a file of its own.
    const ctx = makeContext(g);
    ctx.step = 4;
    const tb = tensorboardWriter({ dir, resume: true, keepOpen: true });
    await simulate(tb, ctx, 3);
    const { grey } = pngs();
    await tb.addImage(7, 'samples/final', grey);
    await tb.close();
    g.dispose();
    const files = await eventFiles(dir);
    expect(files).toHaveLength(2);
    const steps = await Promise.all(files.map(async (f) => (await readEvents(f)).filter((e) => !e.fileVersion).map((e) => e.step)));
    expect(steps).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 7],
    ]);
    expect((await readEvents(files[1])).at(-1)?.images?.['samples/final'].encoded).toEqual(grey);
    // Nothing to drop: the file is left as it was.
    const before = await readFile(files[0]);
    expect(await cutEventsAfter(dir, 10)).toBe(0);
    expect((await readFile(files[0])).equals(before)).toBe(true);
    // A record cut short at the end goes too.
    await writeFile(files[0], before.subarray(0, before.length - 3));
    expect(await cutEventsAfter(dir, 10)).toBe(0);
    expect((await readEvents(files[0])).map((e) => e.step)).toEqual([0, 1, 2, 3]);
    expect(await cutEventsAfter(join(dir, 'none'), 1)).toBe(0);
  });
});
