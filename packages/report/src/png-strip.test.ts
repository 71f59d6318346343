import { describe, it, expect } from 'vitest';
import { PNG } from 'pngjs';
import { animatedPng, sideBySide } from './png-strip';
import { encodePng, type RasterImage } from './image-grid';

function grey(width: number, height: number, f: (x: number, y: number) => number): RasterImage {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = f(x, y);
  return { width, height, channels: 1, pixels };
}

function rgba(png: Uint8Array) {
  const p = PNG.sync.read(Buffer.from(png));
  return {
    width: p.width,
    height: p.height,
    at: (x: number, y: number) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 3)),
  };
}

/** Independent chunk reader (no CRC check): the type, data and stored CRC of each chunk. */
function chunks(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { type: string; data: Uint8Array; raw: Uint8Array }[] = [];
  for (let p = 8; p < bytes.length; ) {
    const len = v.getUint32(p);
    out.push({
      type: new TextDecoder().decode(bytes.subarray(p + 4, p + 8)),
      data: bytes.subarray(p + 8, p + 8 + len),
      raw: bytes.subarray(p, p + 12 + len),
    });
    p += 12 + len;
  }
  return out;
}

describe('sideBySide', () => {
  it('stacks pictures left to right with gaps and keeps every pixel', () => {
    const a = grey(3, 2, (x, y) => 10 + x + 3 * y);
    const b = grey(2, 4, (x, y) => 100 + x + 2 * y);
    const strip = rgba(sideBySide([encodePng(a), encodePng(b)], { gap: 1, background: 7 }));
    expect([strip.width, strip.height]).toEqual([3 + 1 + 2, 4]);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) expect(strip.at(x, y)[0]).toBe(10 + x + 3 * y);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 2; x++) expect(strip.at(4 + x, y)[0]).toBe(100 + x + 2 * y);
    expect(strip.at(3, 0)[0]).toBe(7); // the gap
    expect(strip.at(0, 3)[0]).toBe(7); // below the shorter picture
  });

  it('stacks vertically and mixes grey with RGB as RGB', () => {
    const g = grey(2, 1, (x) => 50 * x);
    const c: RasterImage = { width: 1, height: 1, channels: 3, pixels: Uint8Array.of(1, 2, 3) };
    const s = rgba(sideBySide([encodePng(g), encodePng(c)], { direction: 'vertical', gap: 0, background: 9 }));
    expect([s.width, s.height]).toEqual([2, 2]);
    expect(s.at(1, 0)).toEqual([50, 50, 50]);
    expect(s.at(0, 1)).toEqual([1, 2, 3]);
    expect(s.at(1, 1)).toEqual([9, 9, 9]);
    expect(() => sideBySide([])).toThrow(/at least one/);
  });
});

describe('animatedPng', () => {
  const frames = [0, 1, 2].map((k) => encodePng(grey(4, 3, (x, y) => 40 * k + x + 4 * y)));

  it('writes acTL, one fcTL per frame and numbered fcTL/fdAT chunks', () => {
    const apng = animatedPng(frames, { delayMs: 250, loops: 3 });
    const cs = chunks(apng);
    expect(cs[0].type).toBe('IHDR');
    expect(cs[1].type).toBe('acTL');
    const actl = new DataView(cs[1].data.buffer, cs[1].data.byteOffset);
    expect([actl.getUint32(0), actl.getUint32(4)]).toEqual([3, 3]);
    expect(cs.at(-1)!.type).toBe('IEND');
    const fctl = cs.filter((c) => c.type === 'fcTL');
    expect(fctl).toHaveLength(3);
    // Sequence numbers over fcTL and fdAT run 0, 1, 2, ... in file order.
    const seq = cs
      .filter((c) => c.type === 'fcTL' || c.type === 'fdAT')
      .map((c) => new DataView(c.data.buffer, c.data.byteOffset).getUint32(0));
    expect(seq).toEqual(seq.map((_, i) => i));
    const f = new DataView(fctl[1].data.buffer, fctl[1].data.byteOffset);
    expect([f.getUint32(4), f.getUint32(8), f.getUint16(20), f.getUint16(22)]).toEqual([4, 3, 250, 1000]);
    // The first frame is the default image: a plain PNG decoder shows frame 0.
    expect(PNG.sync.read(Buffer.from(apng)).data).toEqual(PNG.sync.read(Buffer.from(frames[0])).data);
  });

  it('each frame decodes back to its picture', () => {
    const apng = animatedPng(frames);
    const cs = chunks(apng);
    const ihdr = cs[0].raw;
    const iend = cs.at(-1)!.raw;
    // Rebuild frame k as a plain PNG: IHDR + its data as IDAT + IEND; pngjs checks the CRCs.
    const groups: Uint8Array[][] = [];
    for (const c of cs) {
      if (c.type === 'fcTL') groups.push([]);
      else if (c.type === 'IDAT') groups.at(-1)!.push(c.data);
      else if (c.type === 'fdAT') groups.at(-1)!.push(c.data.subarray(4));
    }
    expect(groups).toHaveLength(3);
    groups.forEach((g, k) => {
      const idat = PNG.sync.read(Buffer.from(frames[k])); // reference pixels
      const data = Buffer.concat(g);
      const chunk = Buffer.alloc(12 + data.length);
      chunk.writeUInt32BE(data.length, 0);
      chunk.write('IDAT', 4, 'ascii');
      data.copy(chunk, 8);
      chunk.writeUInt32BE(crcRef(chunk.subarray(4, 8 + data.length)), 8 + data.length);
      const rebuilt = Buffer.concat([Buffer.from(apng.subarray(0, 8)), ihdr, chunk, iend]);
      expect(PNG.sync.read(rebuilt).data).toEqual(idat.data);
    });
  });

  it('rejects frames of different sizes', () => {
    expect(() => animatedPng([frames[0], encodePng(grey(2, 2, () => 0))])).toThrow(/frame 1 is 2×2, frame 0 is 4×3/);
    expect(() => animatedPng(frames, { delayMs: 70000 })).toThrow(/delayMs/);
  });
});

/** Bitwise CRC-32 for the rebuilt chunk (independent of the package's table version). */
function crcRef(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}
