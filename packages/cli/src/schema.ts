import { GankitError } from '@gankit/core';

/**
 * A small validator for JSON values: each schema checks a value at a path (`config.optimizer.lr`)
 * and returns it typed and with defaults filled in, or throws a `GankitError` (code `'config'`)
 * whose message starts with the path. Only what came from `JSON.parse` is expected, but any value
 * is handled without throwing anything else.
 */
export interface Schema<T> {
  /** What the schema accepts, for messages (`a number > 0`, `one of 'adam', 'sgd'`). */
  readonly expected: string;
  /** Checks `value` found at `path` and returns it typed, with defaults filled in. */
  parse(value: unknown, path: string): T;
}

/** A field of an {@link object} schema. */
export interface Field<T> {
  /** The field's schema. */
  readonly schema: Schema<T>;
  /** Value used when the key is absent (a field without a default is required). */
  readonly default?: T | undefined;
  /** The key may be absent and then stays absent (no default). */
  readonly optional?: boolean | undefined;
}

const MAX_SHOWN = 40;

/** A short, safe rendering of a JSON value for error messages (never stringifies whole objects). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string': {
      const s = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return JSON.stringify(s);
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function fail(path: string, message: string): never {
  throw new GankitError('config', `${path} ${message}`);
}

/**
 * Edit distance for "did you mean": insertions, deletions, substitutions and swaps of two
 * neighbouring characters (`rign8` → `ring8`) each count 1 (the optimal string alignment
 * distance), on at most the first 64 characters of each.
 */
export function editDistance(a: string, b: string): number {
  a = a.slice(0, 64);
  b = b.slice(0, 64);
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate to `word` (case-insensitively), if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(Math.min(w.length, (best ?? '').length) / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}

function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? `; did you mean '${c}'?` : '';
}

/** Options of {@link number}. */
export interface NumberOptions {
  /** Smallest allowed value (inclusive). */
  readonly min?: number | undefined;
  /** The value must be greater than this. */
  readonly greaterThan?: number | undefined;
  /** Largest allowed value (inclusive). */
  readonly max?: number | undefined;
  /** The value must be less than this. */
  readonly lessThan?: number | undefined;
  /** Only integers. */
  readonly integer?: boolean | undefined;
}

/** A finite number with bounds. */
export function number(options: NumberOptions = {}): Schema<number> {
  const parts: string[] = [];
  if (options.min !== undefined) parts.push(`>= ${options.min}`);
  if (options.greaterThan !== undefined) parts.push(`> ${options.greaterThan}`);
  if (options.max !== undefined) parts.push(`<= ${options.max}`);
  if (options.lessThan !== undefined) parts.push(`< ${options.lessThan}`);
  const kind = options.integer ? 'an integer' : 'a number';
  const expected = parts.length ? `${kind} ${parts.join(' and ')}` : kind;
  return {
    expected,
    parse(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `must be ${expected}, got ${describeValue(value)}`);
      if (options.integer && !Number.isInteger(value)) fail(path, `must be an integer, got ${value}`);
      if (options.min !== undefined && value < options.min) fail(path, `must be >= ${options.min}, got ${value}`);
      if (options.greaterThan !== undefined && !(value > options.greaterThan)) fail(path, `must be > ${options.greaterThan}, got ${value}`);
      if (options.max !== undefined && value > options.max) fail(path, `must be <= ${options.max}, got ${value}`);
      if (options.lessThan !== undefined && !(value < options.lessThan)) fail(path, `must be < ${options.lessThan}, got ${value}`);
      return value;
    },
  };
}

/** A non-empty string of at most `maxLength` characters. */
export function string(maxLength = 4096): Schema<string> {
  return {
    expected: 'a non-empty string',
    parse(value, path) {
      if (typeof value !== 'string' || value.length === 0) fail(path, `must be a non-empty string, got ${describeValue(value)}`);
      if (value.length > maxLength) fail(path, `must be at most ${maxLength} characters, got ${value.length}`);
      return value;
    },
  };
}

/**
 * A name that is safe as one file or folder name on every system: letters, digits, `_`, `-`, `.`
 * and spaces, starting with a letter, digit or `_`, not ending in a space or a dot, at most
 * `maxLength` characters. So `../../escape`, `a/b` and `C:\\x` are refused, and a run directory
 * named after it (`out/<name>`) stays where it is asked to be.
 */
export function fileName(maxLength = 64): Schema<string> {
  const expected = `a name of letters, digits, '_', '-', '.' and spaces (at most ${maxLength} characters, no '/' or '\\')`;
  return {
    expected,
    parse(value, path) {
      const s = string(maxLength).parse(value, path);
      if (!/^[A-Za-z0-9_][A-Za-z0-9_. -]*$/.test(s) || /[. ]$/.test(s)) fail(path, `must be ${expected}, got ${describeValue(s)}`);
      return s;
    },
  };
}

/** `true` or `false`. */
export function boolean(): Schema<boolean> {
  return {
    expected: 'true or false',
    parse(value, path) {
      if (typeof value !== 'boolean') fail(path, `must be true or false, got ${describeValue(value)}`);
      return value;
    },
  };
}

/** One of a fixed set of strings; a near miss gets a "did you mean". */
export function oneOf<T extends string>(values: readonly T[]): Schema<T> {
  const expected = `one of ${values.map((v) => `'${v}'`).join(', ')}`;
  return {
    expected,
    parse(value, path) {
      if (typeof value !== 'string') fail(path, `must be ${expected}, got ${describeValue(value)}`);
      if (!(values as readonly string[]).includes(value))
        fail(path, `must be ${expected}, got ${describeValue(value)}${didYouMean(value, values)}`);
      return value as T;
    },
  };
}

/** An array whose items all match `item`. */
export function array<T>(item: Schema<T>, options: { minLength?: number | undefined; maxLength?: number | undefined } = {}): Schema<T[]> {
  const { minLength = 0, maxLength = 64 } = options;
  return {
    expected: `an array of ${item.expected}`,
    parse(value, path) {
      if (!Array.isArray(value)) fail(path, `must be an array, got ${describeValue(value)}`);
      if (value.length < minLength) fail(path, `must have at least ${minLength} item(s), got ${value.length}`);
      if (value.length > maxLength) fail(path, `must have at most ${maxLength} items, got ${value.length}`);
      return value.map((v, i) => item.parse(v, `${path}[${i}]`));
    },
  };
}

/** `null` or what `schema` accepts. */
export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return {
    expected: `null or ${schema.expected}`,
    parse(value, path) {
      return value === null ? null : schema.parse(value, path);
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** Parses an object's fields; unknown keys are rejected with a suggestion. */
function parseFields(
  value: Record<string, unknown>,
  path: string,
  fields: Readonly<Record<string, Field<unknown>>>,
  extraKnown: readonly string[] = [],
): Record<string, unknown> {
  const known = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (!hasOwn(fields, key) && !extraKnown.includes(key)) {
      const shown = key.length > MAX_SHOWN ? `${key.slice(0, MAX_SHOWN)}…` : key;
      fail(
        `${path}.${shown}`,
        `is not a known key${didYouMean(key, [...known, ...extraKnown])} (known keys: ${[...extraKnown, ...known].join(', ')})`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const field = fields[key];
    if (hasOwn(value, key)) {
      out[key] = field.schema.parse(value[key], `${path}.${key}`);
    } else if (field.default !== undefined) {
      out[key] = structuredClone(field.default);
    } else if (!field.optional) {
      fail(`${path}.${key}`, `is required (${field.schema.expected})`);
    }
  }
  return out;
}

/** An object with exactly the given fields (absent ones take their defaults). */
export function object<T>(fields: Readonly<Record<string, Field<unknown>>>): Schema<T> {
  return {
    expected: 'an object',
    parse(value, path) {
      if (!isPlainObject(value)) fail(path, `must be an object, got ${describeValue(value)}`);
      return parseFields(value, path, fields) as T;
    },
  };
}

/**
 * One of several object shapes told apart by their `name` field (`{ "name": "adam", ... }`); a bare
 * string is short for `{ "name": <string> }`. The result carries `name`.
 */
export function named<T extends { name: string }>(variants: Readonly<Record<string, Readonly<Record<string, Field<unknown>>>>>): Schema<T> {
  const names = Object.keys(variants);
  const expected = `one of ${names.map((n) => `'${n}'`).join(', ')} (a name, or an object with "name")`;
  return {
    expected,
    parse(value, path) {
      const obj = typeof value === 'string' ? { name: value } : value;
      if (!isPlainObject(obj)) fail(path, `must be ${expected}, got ${describeValue(value)}`);
      const namePath = typeof value === 'string' ? path : `${path}.name`;
      if (!hasOwn(obj, 'name')) fail(namePath, `is required (one of ${names.map((n) => `'${n}'`).join(', ')})`);
      const name = oneOf(names).parse(obj.name, namePath);
      return { name, ...parseFields(obj, path, variants[name], ['name']) } as T;
    },
  };
}

/** Shorthand for a field with a default. */
export function withDefault<T>(schema: Schema<T>, value: T): Field<T> {
  return { schema, default: value };
}

/** Shorthand for a required field. */
export function required<T>(schema: Schema<T>): Field<T> {
  return { schema };
}

/** Shorthand for an optional field without a default. */
export function optional<T>(schema: Schema<T>): Field<T> {
  return { schema, optional: true };
}
