/**
 * The error `@gankit/backend` throws for a bad backend name or a backend that cannot load. It has
 * the same shape as `GankitError` from `@gankit/core` (a `code` plus a message that names the
 * problem); this package stands apart from `@gankit/core`, so it defines its own.
 */
export class BackendError extends Error {
  /** A stable, machine-readable kind of problem: `'config'` (bad name) or `'backend'` (cannot load). */
  readonly code: string;
  /**
   * @param code - a stable kind of problem, `'config'` or `'backend'`
   * @param message - a sentence that names what is wrong and how to fix it
   */
  constructor(code: string, message: string) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
  }
}
