function makeTable(reversedPolynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reversedPolynomial : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

let crc32cTable: Uint32Array | undefined;
let crc32Table: Uint32Array | undefined;

function run(table: Uint32Array, bytes: Uint8Array, crc: number): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord files, computed
 * with a 256-entry table. Pass a previous result as `crc` to continue over more bytes.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')); // 0xE3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  crc32cTable ??= makeTable(0x82f63b78);
  return run(crc32cTable, bytes, crc);
}

/**
 * TFRecord's masked CRC-32C: the CRC rotated right by 15 bits plus 0xA282EAD8 (mod 2³²), so that
 * a CRC stored inside checksummed data does not checksum to a fixed pattern.
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), the checksum of PNG chunks. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  crc32Table ??= makeTable(0xedb88320);
  return run(crc32Table, bytes, crc);
}
