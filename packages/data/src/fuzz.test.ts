// Fuzzing the readers of untrusted bytes: random and mutated inputs must only ever produce a
// GankitError (never another exception, a crash or a hang), and never write files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { GankitError, RandomSource } from '@gankit/core';
import { encodeIdx, parseIdx } from './idx';
import { decodeImage, readIdxFile } from './node';

const rng = new RandomSource(2024).floats('fuzz');
const randInt = (n: number) => Math.floor(rng() * n);

function mutate(src: Uint8Array): Uint8Array {
  const b = Uint8Array.from(src);
  const kind = randInt(4);
  if (kind === 0) return b.slice(0, randInt(b.length + 1)); // truncate
  if (kind === 1) {
    for (let i = 0, n = 1 + randInt(8); i < n; i++) b[randInt(b.length)] = randInt(256); // flip bytes
    return b;
  }
  if (kind === 2) {
    const extra = Uint8Array.from({ length: 1 + randInt(64) }, () => randInt(256)); // append junk
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return out;
  }
  return Uint8Array.from({ length: randInt(200) }, () => randInt(256)); // pure noise
}

/** Runs `fn` and fails unless it returns or throws a GankitError within the time budget. */
function expectCleanOutcome(fn: () => unknown, what: string): void {
  const t0 = Date.now();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof GankitError)) throw new Error(`${what}: threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
    expect(err.message.length).toBeGreaterThan(10);
  }
  expect(Date.now() - t0, `${what} took too long`).toBeLessThan(2000);
}

describe('fuzzing the data readers', () => {
  const idx = encodeIdx({ dtype: 'uint8', shape: [3, 4, 5], data: Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i % 256) });

  it('parseIdx survives 2,000 mutated and random inputs', () => {
    for (let i = 0; i < 2000; i++) {
      const input = mutate(idx);
      expectCleanOutcome(() => parseIdx(input, `case ${i}`), `parseIdx case ${i}`);
    }
  });

  it('readIdxFile survives corrupt gzip and mutated files, writing nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-fuzz-'));
    const gz = zlib.gzipSync(idx);
    for (let i = 0; i < 200; i++) {
      const file = path.join(dir, `f${i}.idx${i % 2 ? '.gz' : ''}`);
      fs.writeFileSync(file, mutate(i % 2 ? gz : idx));
      expectCleanOutcome(() => readIdxFile(file), `readIdxFile case ${i}`);
    }
    expect(fs.readdirSync(dir)).toHaveLength(200);
    expectCleanOutcome(() => readIdxFile(path.join(dir, 'missing.idx')), 'missing file');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('decodeImage survives mutated PNG and JPEG bytes', () => {
    const png = new PNG({ width: 6, height: 5 });
    png.data.fill(128);
    const pngBytes = PNG.sync.write(png);
    const jpgBytes = jpeg.encode({ width: 6, height: 5, data: Buffer.alloc(6 * 5 * 4, 200) }, 90).data;
    for (let i = 0; i < 400; i++) {
      const input = mutate(i % 2 ? pngBytes : jpgBytes);
      expectCleanOutcome(() => decodeImage(input, `image ${i}`), `decodeImage case ${i}`);
    }
  });
});
