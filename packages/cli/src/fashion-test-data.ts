// Test-only helper shared by examples.test.ts and examples/fashion-wgan-gp.test.ts (not exported by the package).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * Writes a small Fashion-MNIST look-alike into the folder `dir` (returned): `n` training and `testN` test 28×28
 * images (a bright rectangle per class on noise) and their labels as the IDX files the data set
 * ships, the images gzipped as Debian ships them and the labels plain (the loader takes either).
 */
export function writeFashionIdx(dir: string, n: number, testN: number): string {
  writeFashionSplit(dir, 'train', n);
  writeFashionSplit(dir, 't10k', testN);
  return dir;
}

function writeFashionSplit(dir: string, prefix: 'train' | 't10k', n: number): void {
  const header = (magic: number, dims: number[]) => {
    const h = Buffer.alloc(4 + 4 * dims.length);
    h.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return h;
  };
  const pixels = Buffer.alloc(n * 784);
  const labels = Buffer.alloc(n);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 784; p++) {
      const y = Math.floor(p / 28),
        x = p % 28;
      const inside = y >= 4 + labels[i] && y < 24 && x >= 6 && x < 22 - labels[i];
      pixels[i * 784 + p] = inside ? 200 + (rand() % 56) : rand() % 40;
    }
  }
  fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte.gz`), zlib.gzipSync(Buffer.concat([header(0x803, [n, 28, 28]), pixels])));
  fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), Buffer.concat([header(0x801, [n]), labels]));
}
