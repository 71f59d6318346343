import { GankitError } from '@gankit/core';

/**
 * The error `@gankit/backend` throws for a bad backend name, a backend that cannot load, or a
 * replica that fails. It is a `GankitError` from `@gankit/core` (so `e instanceof GankitError`
 * catches it) with code `'config'` (a bad name, count or path) or `'backend'` (cannot load, a
 * worker failed).
 */
export class BackendError extends GankitError {
  /**
   * @param code - `'config'` for a bad value given to the backend, `'backend'` for one that cannot load or run
   * @param message - a sentence that names what is wrong and how to fix it
   */
  constructor(code: 'config' | 'backend', message: string) {
    super(code, message);
    this.name = 'BackendError';
  }
}
