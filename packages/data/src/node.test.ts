import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, idxToDataset, parseIdx } from './idx';
import { FASHION_MNIST_DIR, decodeImage, fashionMnist, idxDataset, idxStream, imageFolder, mnistDigits, readIdxFile } from './node';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-data-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** n images of h×w bytes (pixel value depends on image, row and column) and labels i % 10. */
function writeIdxPair(name: string, n: number, h: number, w: number, gzip = false) {
  const images = new Uint8Array(n * h * w);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37 + Math.floor(i / (h * w)) * 11) % 256;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  const pack = (b: Uint8Array) => (gzip ? zlib.gzipSync(b) : b);
  const imagesPath = path.join(tmp, `${name}-images${gzip ? '.gz' : ''}`);
  const labelsPath = path.join(tmp, `${name}-labels${gzip ? '.gz' : ''}`);
  fs.writeFileSync(imagesPath, pack(encodeIdx({ dtype: 'uint8', shape: [n, h, w], data: images })));
  fs.writeFileSync(labelsPath, pack(encodeIdx({ dtype: 'uint8', shape: [n], data: labels })));
  return { imagesPath, labelsPath, images, labels };
}

describe('readIdxFile / idxDataset', () => {
  it('reads plain and gzipped IDX files to the same array', () => {
    const plain = writeIdxPair('plain', 6, 3, 2);
    const gz = writeIdxPair('gz', 6, 3, 2, true);
    expect(fs.readFileSync(gz.imagesPath).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const a = readIdxFile(plain.imagesPath);
    const b = readIdxFile(gz.imagesPath);
    expect(a.shape).toEqual([6, 3, 2]);
    expect(Array.from(b.data)).toEqual(Array.from(plain.images));
    expect(b.shape).toEqual(a.shape);
  });

  it('builds a [-1, 1] data set of shape [h, w, 1] with labels', () => {
    const { imagesPath, labelsPath, images, labels } = writeIdxPair('ds', 12, 4, 3, true);
    const ds = idxDataset({ images: imagesPath, labels: labelsPath, shuffle: false });
    expect(ds.sampleShape).toEqual([4, 3, 1]);
    expect(ds.size).toBe(12);
    expect(ds.numClasses).toBe(10);
    const before = tf.memory().numTensors;
    const b = ds.nextBatch(5, new RandomSource(1));
    expect(tf.memory().numTensors - before).toBe(2);
    expect(b.x.shape).toEqual([5, 4, 3, 1]);
    const x = b.x.dataSync();
    for (let i = 0; i < 5 * 12; i++) expect(x[i]).toBeCloseTo((images[i] / 255) * 2 - 1, 6);
    expect(Array.from(b.labels!.dataSync())).toEqual(Array.from(labels.subarray(0, 5)));
    tf.dispose([b.x, b.labels!]);
  });

  it('names the path of missing, truncated and corrupt files', () => {
    const missing = path.join(tmp, 'nope-idx3-ubyte');
    expect(() => readIdxFile(missing)).toThrow(`IDX file not found: ${missing}`);
    const { imagesPath } = writeIdxPair('trunc', 4, 2, 2);
    const bytes = fs.readFileSync(imagesPath);
    const cut = path.join(tmp, 'cut');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 3));
    expect(() => readIdxFile(cut)).toThrow(new RegExp(`${cut}: truncated .* expected ${bytes.length} bytes .* got ${bytes.length - 3}`));
    const badGz = path.join(tmp, 'bad.gz');
    fs.writeFileSync(badGz, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('garbage data here')]));
    expect(() => readIdxFile(badGz)).toThrow(/bad\.gz: corrupt gzip data/);
  });
});

describe('idxStream', () => {
  it('reads the same batches, in the same order, as the in-memory data set', () => {
    const { imagesPath, labelsPath } = writeIdxPair('stream', 23, 5, 4);
    const stream = idxStream(imagesPath, { labels: labelsPath, name: 'same' });
    const memory = idxToDataset(readIdxFile(imagesPath), readIdxFile(labelsPath), { name: 'same' });
    expect(stream.sampleShape).toEqual([5, 4, 1]);
    expect(stream.size).toBe(23);
    const r1 = new RandomSource(4);
    const r2 = new RandomSource(4);
    for (let k = 0; k < 6; k++) {
      const a = stream.nextBatch(9, r1);
      const b = memory.nextBatch(9, r2);
      expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
      expect(Array.from(a.labels!.dataSync())).toEqual(Array.from(b.labels!.dataSync()));
      tf.dispose([a.x, a.labels!, b.x, b.labels!]);
    }
    expect(stream.state()).toEqual(memory.state());
    expect(stream.epoch).toBe(2);
    stream.close();
  });

  it('resumes the exact order from state() and makes exactly the returned tensors', () => {
    const { imagesPath } = writeIdxPair('resume', 10, 2, 2);
    const a = idxStream(imagesPath);
    const ra = new RandomSource(8);
    tf.dispose(a.nextBatch(7, ra).x);
    const saved = a.state();
    const savedRandom = ra.state();
    const before = tf.memory().numTensors;
    const expected = [a.nextBatch(7, ra).x, a.nextBatch(7, ra).x];
    expect(tf.memory().numTensors - before).toBe(2);
    const b = idxStream(imagesPath);
    const rb = new RandomSource(0);
    rb.loadState(savedRandom);
    b.loadState(saved);
    for (const e of expected) {
      const got = b.nextBatch(7, rb).x;
      expect(Array.from(got.dataSync())).toEqual(Array.from(e.dataSync()));
      tf.dispose([got, e]);
    }
    expect(tf.memory().numTensors).toBe(before);
    a.close();
    b.close();
  });

  it('rejects gzipped, truncated and missing files', () => {
    const { imagesPath } = writeIdxPair('sgz', 3, 2, 2, true);
    expect(() => idxStream(imagesPath)).toThrow(/needs an uncompressed file; gunzip it first/);
    const plain = writeIdxPair('strunc', 3, 2, 2).imagesPath;
    const cut = path.join(tmp, 'strunc-cut');
    fs.writeFileSync(cut, fs.readFileSync(plain).subarray(0, 20));
    expect(() => idxStream(cut)).toThrow(/truncated IDX uint8 file of shape \[3, 2, 2\]: expected 28 bytes, got 20/);
    expect(() => idxStream(path.join(tmp, 'absent'))).toThrow(/IDX file not found: .*absent/);
  });
});

describe('mnistDigits', () => {
  it('loads the 10,000 labelled digits of the mnist package in [-1, 1]', () => {
    // An independent read of the package's JSON files.
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
    const counts: number[] = [];
    let firstSeven: number[] = [];
    for (let d = 0; d < 10; d++) {
      const data = JSON.parse(fs.readFileSync(path.join(dir, `${d}.json`), 'utf8')).data as number[];
      counts.push(data.length / 784);
      if (d === 7) firstSeven = data.slice(0, 784);
    }
    const ds = mnistDigits();
    expect(ds.size).toBe(10000);
    expect(ds.sampleShape).toEqual([28, 28, 1]);
    expect(ds.numClasses).toBe(10);
    const histogram = new Array(10).fill(0);
    for (const l of ds.labels!) histogram[l]++;
    expect(histogram).toEqual(counts);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(-1);
    expect(max).toBe(1);
    // The first 7 sits after all the 0s .. 6s.
    const index = counts.slice(0, 7).reduce((a, b) => a + b, 0);
    const before = tf.memory().numTensors;
    const b = ds.batchAt([index]);
    expect(tf.memory().numTensors - before).toBe(2);
    expect(b.labels!.dataSync()[0]).toBe(7);
    const x = b.x.dataSync();
    firstSeven.forEach((v, i) => expect(x[i]).toBeCloseTo(2 * v - 1, 6));
    tf.dispose([b.x, b.labels!]);

    const train = mnistDigits({ split: 'train' });
    const test = mnistDigits({ split: 'test' });
    expect(test.size).toBe(counts.reduce((s, c) => s + Math.floor(c / 10), 0));
    expect(train.size + test.size).toBe(10000);
    expect(train.name).toBe('mnist-train');
    expect(() => mnistDigits({ split: 'dev' as never })).toThrow(/got 'dev'/);
  });
});

describe('fashionMnist', () => {
  const installed = fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
  // .ci/run installs Debian's dataset-fashion-mnist and sets this, so CI cannot skip the real-data test.
  const required = process.env.GANKIT_REQUIRE_FASHION_MNIST === '1';

  it.runIf(required && !installed)('has the real Fashion-MNIST files, which GANKIT_REQUIRE_FASHION_MNIST=1 requires', () => {
    expect.fail(`${FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz is missing: apt-get install dataset-fashion-mnist`);
  });

  it('says how to install the data when it is absent', () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'fm-'));
    expect(() => fashionMnist({ dir: empty })).toThrow(
      /train-images-idx3-ubyte\(\.gz\) not found in .*fm-.*sudo apt-get install dataset-fashion-mnist/,
    );
    expect(() => fashionMnist({ split: 'val' as never })).toThrow(/got 'val'/);
  });

  it('reads IDX files from a given folder', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'fm-'));
    const { imagesPath, labelsPath } = writeIdxPair('fmsrc', 10, 28, 28, true);
    fs.copyFileSync(imagesPath, path.join(dir, 't10k-images-idx3-ubyte.gz'));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), zlib.gunzipSync(fs.readFileSync(labelsPath)));
    const ds = fashionMnist({ dir, split: 'test' });
    expect(ds.size).toBe(10);
    expect(ds.name).toBe('fashion-mnist-test');
    expect(Array.from(ds.labels!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.skipIf(!installed)("loads the Debian package's 10,000 test images, 1,000 per class", () => {
    const ds = fashionMnist({ split: 'test' });
    expect(ds.size).toBe(10000);
    expect(ds.sampleShape).toEqual([28, 28, 1]);
    const histogram = new Array(10).fill(0);
    for (const l of ds.labels!) histogram[l]++;
    expect(histogram).toEqual(new Array(10).fill(1000));
    // Pixels independently decoded from the file.
    const raw = parseIdx(zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'))));
    for (const i of [0, 12345, 7_839_999]) expect(ds.data[i]).toBeCloseTo((raw.data[i] / 255) * 2 - 1, 6);
  });
});

describe('imageFolder', () => {
  function writePng(file: string, w: number, h: number, pixel: (x: number, y: number) => [number, number, number, number]) {
    const png = new PNG({ width: w, height: h });
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) png.data.set(pixel(x, y), (y * w + x) * 4);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, PNG.sync.write(png));
  }
  function writeJpeg(file: string, w: number, h: number, rgb: [number, number, number]) {
    const data = Buffer.alloc(w * h * 4);
    for (let p = 0; p < w * h; p++) data.set([...rgb, 255], p * 4);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, jpeg.encode({ data, width: w, height: h }, 95).data);
  }

  it('decodes PNG and JPEG, fits, converts and labels by sub-folder', () => {
    const dir = path.join(tmp, 'folder');
    // cats: a 4×2 (w×h) PNG whose columns are 0, 60, 120, 180 in red; centre-cropped to 2×2.
    writePng(path.join(dir, 'cats', 'a.png'), 4, 2, (x) => [x * 60, 0, 0, 255]);
    // dogs: a flat-coloured JPEG (lossy, so compared with a tolerance) and a PNG.
    writeJpeg(path.join(dir, 'dogs', 'b.JPG'), 8, 8, [40, 200, 100]);
    writePng(path.join(dir, 'dogs', 'c.png'), 2, 2, () => [255, 255, 255, 255]);
    fs.writeFileSync(path.join(dir, 'dogs', 'notes.txt'), 'ignored');

    const ds = imageFolder({ dir, size: [2, 2], channels: 3, fit: 'cover', labels: true, shuffle: false });
    expect(ds.size).toBe(3);
    expect(ds.sampleShape).toEqual([2, 2, 3]);
    expect(ds.classNames).toEqual(['cats', 'dogs']);
    expect(ds.files.map((f) => path.basename(f))).toEqual(['a.png', 'b.JPG', 'c.png']);
    expect(Array.from(ds.labels!)).toEqual([0, 1, 1]);
    const s = (v: number) => (v / 255) * 2 - 1;
    const cat = Array.from(ds.data.subarray(0, 12));
    expect(cat).toEqual([60, 0, 0, 120, 0, 0, 60, 0, 0, 120, 0, 0].map((v) => Math.fround(s(v))));
    const dog = ds.data.subarray(12, 24);
    for (let p = 0; p < 4; p++) {
      expect(Math.abs(dog[3 * p] - s(40))).toBeLessThan(0.05);
      expect(Math.abs(dog[3 * p + 1] - s(200))).toBeLessThan(0.05);
      expect(Math.abs(dog[3 * p + 2] - s(100))).toBeLessThan(0.05);
    }
    expect(Array.from(ds.data.subarray(24, 36))).toEqual(new Array(12).fill(1));

    const grey = imageFolder({ dir: path.join(dir, 'cats'), size: [1, 4], channels: 1, fit: 'fill', shuffle: false });
    expect(grey.sampleShape).toEqual([1, 4, 1]);
    expect(grey.labels).toBeUndefined();
    const g = Array.from(grey.data);
    [0, 60, 120, 180].forEach((r, i) => expect(g[i]).toBeCloseTo(s(0.299 * r), 5)); // 2 rows averaged, same values
    const before = tf.memory().numTensors;
    const b = ds.nextBatch(2, new RandomSource(0));
    expect(tf.memory().numTensors - before).toBe(2);
    tf.dispose([b.x, b.labels!]);
  });

  it("'contain' pads with black (-1)", () => {
    const dir = path.join(tmp, 'contain');
    writePng(path.join(dir, 'x.png'), 2, 1, () => [255, 255, 255, 255]);
    const ds = imageFolder({ dir, size: [2, 2], channels: 1, fit: 'contain' });
    expect(Array.from(ds.data)).toEqual([1, 1, -1, -1]);
  });

  it('names a corrupt image, a missing folder and an empty folder', () => {
    const dir = path.join(tmp, 'corrupt');
    writePng(path.join(dir, 'good.png'), 2, 2, () => [0, 0, 0, 255]);
    const good = fs.readFileSync(path.join(dir, 'good.png'));
    fs.writeFileSync(path.join(dir, 'broken.png'), good.subarray(0, 30));
    expect(() => imageFolder({ dir, size: [2, 2] })).toThrow(/cannot decode PNG image .*broken\.png/);
    fs.writeFileSync(path.join(dir, 'broken.png'), 'not an image');
    expect(() => imageFolder({ dir, size: [2, 2] })).toThrow(/broken\.png: neither a PNG nor a JPEG/);
    fs.writeFileSync(path.join(dir, 'broken.png'), Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]));
    expect(() => imageFolder({ dir, size: [2, 2] })).toThrow(/cannot decode JPEG image .*broken\.png/);
    expect(() => imageFolder({ dir: path.join(tmp, 'nowhere'), size: [2, 2] })).toThrow(/folder not found: .*nowhere/);
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    expect(() => imageFolder({ dir: empty, size: [2, 2] })).toThrow(/no images \(\.png, \.jpg, \.jpeg\) found in/);
    expect(() => imageFolder({ dir, size: [2, 2], labels: true })).toThrow(/must sit in a class sub-folder, but .*\.png is directly in/);
    expect(() => decodeImage(new Uint8Array([1, 2]), 'mem')).toThrow(GankitError);
  });
});
