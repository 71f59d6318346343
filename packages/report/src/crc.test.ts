import { describe, it, expect } from 'vitest';
import { crc32, crc32c, maskedCrc32c } from './crc';

/** Bit-at-a-time reference CRC (no table), written independently of the table version. */
function bitwiseCrc(bytes: Uint8Array, poly: number): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (poly & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the published check value and the iSCSI (RFC 3720) vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with a bitwise reference on random data and continues across chunks', () => {
    let s = 12345;
    const data = Uint8Array.from({ length: 1000 }, () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s >>> 24;
    });
    expect(crc32c(data)).toBe(bitwiseCrc(data, 0x82f63b78));
    expect(crc32c(data.subarray(300), crc32c(data.subarray(0, 300)))).toBe(crc32c(data));
  });

  it('masks as TFRecord does: rotate right 15, add 0xa282ead8', () => {
    const c = 0xe3069283;
    const rot = ((c >>> 15) | ((c << 17) >>> 0)) >>> 0;
    expect(maskedCrc32c(ascii('123456789'))).toBe((rot + 0xa282ead8) % 2 ** 32);
  });
});

describe('crc32', () => {
  it('matches the standard check value and a bitwise reference', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    const data = ascii('IHDR and some more bytes');
    expect(crc32(data)).toBe(bitwiseCrc(data, 0xedb88320));
  });
});
