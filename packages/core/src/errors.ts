/**
 * The error gankit throws for bad input or bad state. The message names the problem (a shape, a
 * dtype, a file, a config key); `code` lets programs branch on the kind of problem.
 */
export class GankitError extends Error {
  /** A stable, machine-readable kind of problem, e.g. `'shape'`, `'dtype'`, `'config'`, `'checkpoint'`. */
  readonly code: string;
  /**
   * @param code - a stable kind of problem, such as `'shape'` or `'config'`
   * @param message - a sentence that names what is wrong and, where possible, how to fix it
   */
  constructor(code: string, message: string) {
    super(message);
    this.name = 'GankitError';
    this.code = code;
  }
}

/** Formats a shape as `[a, b, c]` for error messages. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d == null ? '?' : String(d))).join(', ')}]`;
}
