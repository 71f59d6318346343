// Tests scripts/convert-fid-inception.py on the fake checkpoints of scripts/make-fake-pth.py (both
// PyTorch layouts). Needs python3 with numpy; skipped where they are missing.
import * as tf from '@tensorflow/tfjs-core';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFidInception } from './index';
import { decodeWeightsFiles } from './weights-io';

const scripts = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts');
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

function py(args: string[]) {
  return spawnSync('python3', args, { encoding: 'utf8' });
}

describe.skipIf(!hasNumpy)('convert-fid-inception.py (fake .pth files, no torch)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-pth-'));
    const r = py([path.join(scripts, 'make-fake-pth.py'), dir]);
    expect(r.status, r.stderr).toBe(0);
    for (const layout of ['zip', 'legacy']) {
      const c = py([path.join(scripts, 'convert-fid-inception.py'), path.join(dir, `fake-${layout}.pth`), path.join(dir, `out-${layout}`)]);
      expect(c.status, c.stderr).toBe(0);
      expect(c.stdout).toMatch(/7 tensors, 113 parameters/);
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = (layout: string) => ({
    manifest: JSON.parse(fs.readFileSync(path.join(dir, `out-${layout}.json`), 'utf8')),
    weightData: fs.readFileSync(path.join(dir, `out-${layout}.bin`)),
  });

  it('writes the same tfjs weights from the zip and the legacy layout, names in state-dict order', () => {
    const z = read('zip');
    const l = read('legacy');
    expect(Buffer.compare(z.weightData, l.weightData)).toBe(0);
    expect(z.manifest.weightsManifest[0].weights).toEqual(l.manifest.weightsManifest[0].weights);
    const names = z.manifest.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    expect(names).toEqual([
      'Conv2d_1a_3x3.conv.weight',
      'Conv2d_1a_3x3.bn.weight',
      'Conv2d_1a_3x3.bn.bias',
      'Conv2d_1a_3x3.bn.running_mean',
      'Conv2d_1a_3x3.bn.running_var',
      'fc.weight',
      'fc.bias',
    ]);
    expect(z.manifest.weightsManifest[0].paths).toEqual(['out-zip.bin']);
  });

  it('transposes conv [out, in, kh, kw] to [kh, kw, in, out] and fc [out, in] to [in, out]; reads views, strides and float64', () => {
    const t = decodeWeightsFiles(read('legacy'), 'test');
    const conv = t['Conv2d_1a_3x3.conv.weight'];
    expect(conv.shape).toEqual([2, 3, 3, 4]);
    const c = conv.dataSync();
    for (let h = 0; h < 2; h++)
      for (let w = 0; w < 3; w++)
        for (let i = 0; i < 3; i++)
          for (let o = 0; o < 4; o++) expect(c[((h * 3 + w) * 3 + i) * 4 + o]).toBe(o * 1000 + i * 100 + h * 10 + w);
    expect(Array.from(t['Conv2d_1a_3x3.bn.weight'].dataSync())).toEqual([1, 1.5, 2, 2.5]);
    expect(Array.from(t['Conv2d_1a_3x3.bn.bias'].dataSync())).toEqual([-1.5, -0.5, 0.5, 1.5]);
    expect(Array.from(t['Conv2d_1a_3x3.bn.running_mean'].dataSync())).toEqual([0, 0.1, 0.2, 0.3].map(Math.fround));
    expect(Array.from(t['Conv2d_1a_3x3.bn.running_var'].dataSync())).toEqual([2, 3, 4, 5]);
    const fc = t['fc.weight'];
    expect(fc.shape).toEqual([4, 5]);
    const f = fc.dataSync();
    for (let cc = 0; cc < 4; cc++) for (let r = 0; r < 5; r++) expect(f[cc * 5 + r]).toBe(r * 10 + cc);
    expect(Array.from(t['fc.bias'].dataSync())).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(t['Conv2d_1a_3x3.bn.num_batches_tracked']).toBeUndefined();
    tf.dispose(Object.values(t));
  });

  it('loadFidInception names the first tensor of the converted file that does not fit the architecture', async () => {
    const before = tf.memory().numTensors;
    await expect(loadFidInception(read('zip'))).rejects.toThrow(
      /'Conv2d_1a_3x3\.conv\.weight' has shape \[2, 3, 3, 4\], expected \[3, 3, 3, 32\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a pickle that calls anything but the tensor rebuilders, and reports a truncated file', () => {
    const evil = path.join(dir, 'evil.pth');
    const make = py([
      '-c',
      [
        'import zipfile, sys',
        // protocol 2: GLOBAL os.system, the argument tuple ("true",), REDUCE, STOP
        "p = b'\\x80\\x02cos\\nsystem\\nX\\x04\\x00\\x00\\x00true\\x85R.'",
        "z = zipfile.ZipFile(sys.argv[1], 'w'); z.writestr('archive/data.pkl', p); z.writestr('archive/version', '3\\n'); z.close()",
      ].join('\n'),
      evil,
    ]);
    expect(make.status, make.stderr).toBe(0);
    const r = py([path.join(scripts, 'convert-fid-inception.py'), evil, path.join(dir, 'evil-out')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to load os\.system/);
    expect(fs.existsSync(path.join(dir, 'evil-out.bin'))).toBe(false);

    const legacy = fs.readFileSync(path.join(dir, 'fake-legacy.pth'));
    const cut = path.join(dir, 'cut.pth');
    fs.writeFileSync(cut, legacy.subarray(0, legacy.length - 10));
    const r2 = py([path.join(scripts, 'convert-fid-inception.py'), cut, path.join(dir, 'cut-out')]);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/truncated/);
  });
});
