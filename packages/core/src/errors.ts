/**
 * Every kind of problem a {@link GankitError} can name, with a sentence that says what it covers.
 * The keys are the codes ({@link GankitErrorCode}); a new code is added here, and a test in
 * `@gankit/core` checks that every code thrown in the repository's sources is one of them.
 */
export const GANKIT_ERROR_KINDS = {
  argument:
    'an argument is missing or not the kind of value the function takes: not a tensor, not an array, not a model, a disposed tensor',
  value: 'a value of the right kind is outside what is allowed: out of range, not an integer, not finite, an empty list',
  shape: 'a tensor or array has the wrong rank or dimensions',
  dtype: 'a tensor has the wrong dtype (float32 images, int32 class labels)',
  config: 'an option, flag or config file entry is unknown, invalid, missing or inconsistent with another',
  name: 'a name that must be unique is already taken (a tfjs variable, a layer)',
  plugin: 'a plugin breaks the plugin contract: no name, a duplicate name, a hook or API version the host cannot run, a bad return value',
  state: 'an object is called in a state that does not allow it: disposed, closed, not yet filled, built without the weights it needs',
  numerical: 'a computation produced a non-finite number (NaN, Infinity) or did not converge',
  data: 'a data set cannot be found or read, or its contents are not what was asked for',
  format: 'the bytes of a file are not in the expected format (a PNG, a metrics log)',
  checkpoint: 'a checkpoint is missing, truncated, corrupt, or does not belong to the run or networks it is loaded into',
  io: 'a file or folder cannot be read or written (permissions, a missing folder, a file in the way)',
  'disk-full': 'the disk or quota filled up while writing; the file written before is left intact',
  locked: 'another process holds the lock on a run directory',
  backend: 'a tfjs backend cannot load or initialise, or a replica worker failed',
} as const;

/**
 * A stable, machine-readable kind of problem: one of the keys of {@link GANKIT_ERROR_KINDS}, where
 * each is described. Programs branch on it (`e.code === 'numerical'`); the message is for people.
 */
export type GankitErrorCode = keyof typeof GANKIT_ERROR_KINDS;

/** Every {@link GankitErrorCode}, in the order of {@link GANKIT_ERROR_KINDS}. */
export const GANKIT_ERROR_CODES: readonly GankitErrorCode[] = Object.freeze(Object.keys(GANKIT_ERROR_KINDS) as GankitErrorCode[]);

/** Whether `code` is one of the {@link GANKIT_ERROR_CODES} (for codes that crossed a thread or a file). */
export function isGankitErrorCode(code: unknown): code is GankitErrorCode {
  return typeof code === 'string' && Object.hasOwn(GANKIT_ERROR_KINDS, code);
}

/**
 * The error gankit throws for bad input or bad state. The message names the problem (a shape, a
 * dtype, a file, a config key); `code` lets programs branch on the kind of problem. Every gankit
 * package throws it or a subclass (`BackendError` in `@gankit/backend`), so one
 * `e instanceof GankitError` catches them all.
 */
export class GankitError extends Error {
  /** The kind of problem, one of `GANKIT_ERROR_CODES` (described in `GANKIT_ERROR_KINDS`), e.g. `'shape'`, `'config'`. */
  readonly code: GankitErrorCode;
  /**
   * @param code - the kind of problem, one of {@link GANKIT_ERROR_CODES}
   * @param message - a sentence that names what is wrong and, where possible, how to fix it
   */
  constructor(code: GankitErrorCode, message: string) {
    super(message);
    this.name = 'GankitError';
    this.code = code;
  }
}

/** Formats a shape as `[a, b, c]` for error messages. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d == null ? '?' : String(d))).join(', ')}]`;
}
