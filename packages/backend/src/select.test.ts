import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackendError } from './errors';
import { WASM_TRAINING_KERNELS } from './kernels/register';
import { BACKEND_CHOICES, describeBackend, initBackend, parseBackendChoice } from './select';

const notFound = (pkg: string) => async () => {
  const err = new Error(`Cannot find package '${pkg}' imported from /somewhere`) as Error & { code: string };
  err.code = 'ERR_MODULE_NOT_FOUND';
  throw err;
};

describe('initBackend', () => {
  let savedEnv: string | undefined;
  beforeEach(() => {
    savedEnv = process.env.GANKIT_BACKEND;
    delete process.env.GANKIT_BACKEND;
  });
  afterEach(async () => {
    if (savedEnv === undefined) delete process.env.GANKIT_BACKEND;
    else process.env.GANKIT_BACKEND = savedEnv;
    await tf.setBackend('wasm');
    if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
  });

  it('falls through the missing native backends to wasm and says why', async () => {
    await tf.setBackend('cpu');
    const lines: string[] = [];
    const report = await initBackend({ log: (m) => lines.push(m) });
    expect(tf.getBackend()).toBe('wasm');
    expect(report.backend).toBe('wasm');
    expect(report.package).toBe('@tensorflow/tfjs-backend-wasm');
    expect(report.forcedBy).toBeNull();
    expect(report.tried).toEqual([
      {
        name: 'tfjs-node-gpu',
        ok: false,
        why: 'tfjs-node-gpu is not installed',
      },
      { name: 'tfjs-node', ok: false, why: 'tfjs-node is not installed' },
      { name: 'wasm', ok: true, why: 'wasm ready' },
    ]);
    expect(report.reason).toBe('tfjs-node-gpu is not installed; tfjs-node is not installed; wasm ready');
    expect(report.kernels).toEqual([...WASM_TRAINING_KERNELS]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(lines).toHaveLength(4);
    expect(lines[3]).toContain('using wasm');
    const line = describeBackend();
    expect(line.startsWith('wasm (')).toBe(true);
    expect(line).toContain('Conv2DBackpropFilter');
    expect(line).toContain(report.reason);
    expect(line.split('\n')).toHaveLength(1);
  });

  it('prefers tfjs-node-gpu, then tfjs-node, when they load and register a tensorflow backend', async () => {
    const loaded: string[] = [];
    const fakeNative = async (pkg: string) => {
      loaded.push(pkg);
      tf.registerBackend('tensorflow', () => new MathBackendCPU(), 0);
    };
    const gpu = await initBackend({ load: fakeNative });
    expect(gpu.backend).toBe('tensorflow');
    expect(gpu.package).toBe('@tensorflow/tfjs-node-gpu');
    expect(gpu.reason).toBe('tfjs-node-gpu ready');
    expect(gpu.kernels).toEqual([]);
    expect(tf.getBackend()).toBe('tensorflow');
    await tf.setBackend('wasm');
    tf.removeBackend('tensorflow');

    const cpuNode = await initBackend({
      load: (pkg) => (pkg.endsWith('-gpu') ? notFound(pkg)() : fakeNative(pkg)),
    });
    expect(cpuNode.package).toBe('@tensorflow/tfjs-node');
    expect(cpuNode.reason).toBe('tfjs-node-gpu is not installed; tfjs-node ready');
    expect(loaded).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('reports a native package that fails to load or registers no backend, and moves on', async () => {
    const report = await initBackend({
      load: async (pkg) => {
        if (pkg.endsWith('-gpu')) throw new Error('libcudart.so.11.0: cannot open shared object file\nmore');
        // loads, but registers nothing with this tfjs-core (e.g. a second copy of tfjs-core)
      },
    });
    expect(report.backend).toBe('wasm');
    expect(report.tried[0]).toEqual({
      name: 'tfjs-node-gpu',
      ok: false,
      why: 'tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file',
    });
    expect(report.tried[1].ok).toBe(false);
    expect(report.tried[1].why).toContain("registered no 'tensorflow' backend");
  });

  it('is forced by options.backend or GANKIT_BACKEND (option wins)', async () => {
    const cpu = await initBackend({ backend: 'cpu' });
    expect(cpu.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(cpu.forcedBy).toBe('options.backend');
    expect(cpu.tried).toEqual([{ name: 'cpu', ok: true, why: 'cpu ready' }]);
    expect(cpu.reason).toBe('forced by options.backend=cpu; cpu ready');

    process.env.GANKIT_BACKEND = ' WASM ';
    const wasm = await initBackend();
    expect(wasm.backend).toBe('wasm');
    expect(wasm.forcedBy).toBe('GANKIT_BACKEND');
    expect(wasm.tried.map((t) => t.name)).toEqual(['wasm']);

    const overridden = await initBackend({ backend: 'cpu' });
    expect(overridden.backend).toBe('cpu');
    expect(overridden.forcedBy).toBe('options.backend');
  });

  it('rejects an unknown backend name, listing the valid ones', async () => {
    await expect(initBackend({ backend: 'webgl' })).rejects.toThrow(
      "unknown backend 'webgl' (from options.backend); valid values are 'tensorflow', 'tfjs-node', 'tfjs-node-gpu', 'wasm', 'cpu'",
    );
    process.env.GANKIT_BACKEND = 'gpu';
    const err = await initBackend().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe('config');
    expect((err as BackendError).message).toContain("'gpu' (from GANKIT_BACKEND)");
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails clearly when a forced backend cannot load', async () => {
    for (const choice of ['tfjs-node', 'tfjs-node-gpu', 'tensorflow']) {
      const err = (await initBackend({ backend: choice }).catch((e: unknown) => e)) as BackendError;
      expect(err).toBeInstanceOf(BackendError);
      expect(err.code).toBe('backend');
      expect(err.message).toContain(`backend '${choice}' was requested by options.backend but cannot load`);
      expect(err.message).toContain('is not installed');
      expect(err.message).toContain('npm install @tensorflow/tfjs-node');
    }
    expect(tf.getBackend()).toBe('wasm');
  });

  it('parses backend names', () => {
    for (const c of BACKEND_CHOICES) expect(parseBackendChoice(c.toUpperCase())).toBe(c);
    expect(() => parseBackendChoice('')).toThrow(BackendError);
  });
});

describe('the built package in a fresh node process', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const script = (entry: 'esm' | 'cjs') => {
    const load =
      entry === 'esm'
        ? "const b = await import('@gankit/backend');"
        : "const b = (await import('node:module')).createRequire(process.cwd() + '/')('@gankit/backend');";
    return `${load}
      const tf = await import('@tensorflow/tfjs-core');
      (await import('@gankit/core')).ensureGradients();
      const report = await b.initBackend();
      const run = () => tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => Math.sin(i)), [2, 9, 9, 3]);
        const w = tf.tensor4d(Array.from({ length: 4 * 4 * 3 * 5 }, (_, i) => Math.cos(i)), [4, 4, 3, 5]);
        const [gx, gw] = tf.grads((a, k) => tf.sum(tf.square(tf.conv2d(a, k, 2, 'same'))))([x, w]);
        return [...gx.dataSync(), ...gw.dataSync()];
      });
      const onWasm = run(); const backend = tf.getBackend();
      await tf.setBackend('cpu'); const onCpu = run();
      let diff = 0, scale = 0;
      onCpu.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - onWasm[i])); scale = Math.max(scale, Math.abs(v)); });
      console.log(JSON.stringify({ report, backend, rel: diff / scale, describe: b.describeBackend() }));`;
  };

  for (const entry of ['esm', 'cjs'] as const) {
    it(`initialises wasm and trains a conv layer from dist (${entry})`, () => {
      expect(existsSync(`${root}dist/index.js`), 'build the package first: npx tsup').toBe(true);
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script(entry)], {
        cwd: root,
        env: { ...process.env, GANKIT_BACKEND: '' },
        encoding: 'utf8',
      });
      const line = out.split('\n').find((l) => l.startsWith('{"report"'));
      expect(line, out).toBeDefined();
      const result = JSON.parse(line as string);
      expect(result.backend).toBe('wasm');
      expect(result.report.backend).toBe('wasm');
      expect(result.report.reason).toBe('tfjs-node-gpu is not installed; tfjs-node is not installed; wasm ready');
      expect(result.rel).toBeLessThan(1e-4);
      expect(result.describe).toContain('cpu');
    });
  }
});
