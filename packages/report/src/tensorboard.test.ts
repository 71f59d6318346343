import { describe, it, expect } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EventFileWriter, encodeEvent, tensorboardWriter, tfRecord } from './tensorboard';
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
}

function decodeEvent(bytes: Uint8Array): Decoded {
  const e: Decoded = { values: {} };
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
          else throw new Error(`unexpected Summary.Value field ${x.field}`);
        }
        e.values[tag] = value;
      }
    } else throw new Error(`unexpected Event field ${f.field}/${f.wire}`);
  }
  return e;
}

// ---- Tests ----

describe('TensorBoard encoding', () => {
  it('encodes an Event that an independent protobuf reader decodes', () => {
    const bytes = encodeEvent({ wallTime: 1700000000.25, step: 300, scalars: { 'loss/d': 1.5, 'metrics/fid': 0.1 } });
    const e = decodeEvent(bytes);
    expect(e.wallTime).toBe(1700000000.25);
    expect(e.step).toBe(300);
    expect(e.values['loss/d']).toBe(1.5);
    expect(e.values['metrics/fid']).toBe(Math.fround(0.1));
    // Hand-checked prefix: field 1 double (0x09), then field 2 varint (0x10) 300 = 0xAC 0x02.
    expect(bytes[0]).toBe(0x09);
    expect(Array.from(bytes.subarray(9, 12))).toEqual([0x10, 0xac, 0x02]);
    const big = decodeEvent(encodeEvent({ wallTime: 0, step: 2 ** 40 + 5 }));
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
    const events = readRecords(new Uint8Array(await readFile(join(dir, files[0])))).map(decodeEvent);
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
        .map(decodeEvent)
        .map((e) => e.values),
    ).toEqual([{}, { a: 1 }]);
  });
});
