import { GankitError } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { BackendError } from './errors';
import { initBackend, parseBackendChoice } from './select';

describe('BackendError', () => {
  it('is a GankitError, so one `instanceof GankitError` catches every gankit package', () => {
    const e = new BackendError('backend', 'wasm cannot load');
    expect(e).toBeInstanceOf(GankitError);
    expect(e).toBeInstanceOf(BackendError);
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.message]).toEqual(['BackendError', 'backend', 'wasm cannot load']);
    expect(new GankitError('config', 'x')).not.toBeInstanceOf(BackendError);
  });

  it('is what a bad backend name and a forced backend that cannot load throw', async () => {
    let bad: unknown;
    try {
      parseBackendChoice('webgl');
    } catch (e) {
      bad = e;
    }
    expect(bad).toBeInstanceOf(GankitError);
    expect(bad).toMatchObject({ name: 'BackendError', code: 'config' });
    const missing = await initBackend({ backend: 'tfjs-node-gpu' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(GankitError);
    expect(missing).toMatchObject({ name: 'BackendError', code: 'backend' });
  });
});
