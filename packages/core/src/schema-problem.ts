import { didYouMean } from './suggest';

/**
 * A JSON Schema node (draft 2020-12), as far as {@link schemaProblem} reads one: the keywords a
 * validation library writes for objects, arrays, numbers, strings, booleans, enums and unions.
 * Other keywords are kept and ignored.
 */
export interface JsonSchema {
  /** `'object'`, `'array'`, `'number'`, `'integer'`, `'string'`, `'boolean'` or `'null'`. */
  readonly type?: string | readonly string[] | undefined;
  /** The values allowed. */
  readonly enum?: readonly unknown[] | undefined;
  /** The one value allowed. */
  readonly const?: unknown;
  /** An object's keys, in the order messages list them. */
  readonly properties?: Readonly<Record<string, JsonSchema>> | undefined;
  /** Keys that must be present. */
  readonly required?: readonly string[] | undefined;
  /** `false`: keys outside `properties` are refused. */
  readonly additionalProperties?: boolean | JsonSchema | undefined;
  /** The schema of every array item. */
  readonly items?: JsonSchema | undefined;
  /** Fewest array items. */
  readonly minItems?: number | undefined;
  /** Most array items. */
  readonly maxItems?: number | undefined;
  /** Smallest number allowed. */
  readonly minimum?: number | undefined;
  /** Largest number allowed. */
  readonly maximum?: number | undefined;
  /** Numbers must be greater than this. */
  readonly exclusiveMinimum?: number | undefined;
  /** Numbers must be less than this. */
  readonly exclusiveMaximum?: number | undefined;
  /** Shortest string. */
  readonly minLength?: number | undefined;
  /** Longest string. */
  readonly maxLength?: number | undefined;
  /** A regular expression the whole string must match. */
  readonly pattern?: string | undefined;
  /** Alternatives, any of which may match. */
  readonly anyOf?: readonly JsonSchema[] | undefined;
  /** Alternatives, exactly one of which matches. */
  readonly oneOf?: readonly JsonSchema[] | undefined;
  /** A local reference, `#/$defs/name`. */
  readonly $ref?: string | undefined;
  /** Named schemas that `$ref` points at. */
  readonly $defs?: Readonly<Record<string, JsonSchema>> | undefined;
  /** What a value is, as a noun phrase (the expectation named when a string fails its `pattern`). */
  readonly description?: string | undefined;
  /** Any other keyword. */
  readonly [keyword: string]: unknown;
}

const MAX_SHOWN = 40;

/**
 * A short, safe rendering of a JSON value for error messages (never stringifies whole objects):
 * `"text"`, `12`, `true`, `null`, `an array of 3`, `an object`.
 *
 * @param value - any value
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);
const quoted = (values: readonly unknown[]): string => values.map((v) => `'${String(v)}'`).join(', ');
const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? undefined : (s.type as string | undefined));

/** A schema with its `$ref`s resolved against the root. */
function resolve(root: JsonSchema, s: JsonSchema): JsonSchema {
  let node = s;
  for (let hops = 0; typeof node.$ref === 'string' && hops < 32; hops++) {
    const m = /^#\/\$defs\/(.+)$/.exec(node.$ref);
    const target = m ? root.$defs?.[m[1]] : node.$ref === '#' ? root : undefined;
    if (!target) return {};
    node = target;
  }
  return node;
}

/** The alternatives of a union, nested unions flattened (`nullable(anyOf(...))`). */
function alternatives(root: JsonSchema, s: JsonSchema): JsonSchema[] {
  const node = resolve(root, s);
  const alts = node.anyOf ?? node.oneOf;
  return alts ? alts.flatMap((a) => alternatives(root, a)) : [node];
}

const isNull = (s: JsonSchema): boolean => typeOf(s) === 'null';

/** The `name` an object variant of a named union fixes (`{ "name": { "const": "adam" } }`). */
function variantName(s: JsonSchema): string | undefined {
  const c = s.properties?.name?.const;
  return typeOf(s) === 'object' && typeof c === 'string' ? c : undefined;
}

/** A union of object variants told apart by `name` (a bare name string may stand for `{ name }`). */
interface Named {
  readonly names: string[];
  readonly variants: Map<string, JsonSchema>;
}

function named(alts: readonly JsonSchema[]): Named | undefined {
  const variants = new Map<string, JsonSchema>();
  for (const a of alts) {
    const n = variantName(a);
    if (n !== undefined) variants.set(n, a);
    else if (!(typeOf(a) === 'string' && a.enum) && !isNull(a)) return undefined;
  }
  return variants.size ? { names: [...variants.keys()], variants } : undefined;
}

function numberExpected(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) parts.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  const kind = typeOf(s) === 'integer' ? 'an integer' : 'a number';
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

const stringExpected = (s: JsonSchema): string => ((s.minLength ?? 0) >= 1 ? 'a non-empty string' : 'a string');

/**
 * What a schema accepts, as a phrase for messages: `an integer >= 1 and <= 4096`,
 * `one of 'adam', 'sgd'`, `one of 'r1', 'r2' (a name, or an object with "name")`.
 *
 * @param schema - a JSON Schema node
 * @param root - the document that `$ref`s in `schema` point into (default `schema`)
 */
export function expectedBy(schema: JsonSchema, root: JsonSchema = schema): string {
  const s = resolve(root, schema);
  if (s.anyOf || s.oneOf) {
    const alts = alternatives(root, s);
    const n = named(alts);
    const nullable = alts.some(isNull) ? 'null or ' : '';
    if (n) return `${nullable}one of ${quoted(n.names)} (a name, or an object with "name")`;
    const rest = alts.filter((a) => !isNull(a));
    return nullable + rest.map((a) => expectedBy(a, root)).join(' or ');
  }
  if (s.const !== undefined) return `'${String(s.const)}'`;
  if (s.enum) return `one of ${quoted(s.enum)}`;
  switch (typeOf(s)) {
    case 'number':
    case 'integer':
      return numberExpected(s);
    case 'string':
      return stringExpected(s);
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array':
      return s.items ? `an array of ${expectedBy(s.items, root)}` : 'an array';
    case 'object':
      return 'an object';
    default:
      return 'a value';
  }
}

/**
 * The first problem of `value` against a JSON Schema, as one line that starts with the path of
 * the offending key, or `undefined` when there is none. For example
 * `config.optimizer.generator.learningRate must be > 0, got -1`,
 * `config.loss must be one of 'minimax', 'hinge', got "hinje"; did you mean 'hinge'?`,
 * `config.regularisers is not a known key; did you mean 'regularizers'? (known keys: ...)`.
 *
 * Keys are checked in the schema's order, unknown keys first; a union of objects told apart by a
 * `name` (`{ "name": "adam", ... }`, or the bare name) is reported as a choice of names. Any value
 * is handled; nothing is thrown.
 *
 * @param schema - a JSON Schema (draft 2020-12), e.g. one a validation library generated
 * @param value - the value to check, typically from `JSON.parse`
 * @param path - the name of the value, the start of every message (e.g. `'config'`)
 */
export function schemaProblem(schema: JsonSchema, value: unknown, path: string): string | undefined {
  return problem(schema, schema, value, path);
}

function problem(root: JsonSchema, schema: JsonSchema, value: unknown, path: string): string | undefined {
  const s = resolve(root, schema);
  if (s.anyOf || s.oneOf) return unionProblem(root, s, value, path);
  const got = describeValue(value);
  if (s.const !== undefined && value !== s.const) return `${path} must be '${String(s.const)}', got ${got}`;
  if (s.enum) {
    if (s.enum.includes(value)) return undefined;
    const names = s.enum.filter((e): e is string => typeof e === 'string');
    return `${path} must be one of ${quoted(s.enum)}, got ${got}${typeof value === 'string' ? didYouMean(value, names) : ''}`;
  }
  switch (typeOf(s)) {
    case 'object':
      return objectProblem(root, s, value, path);
    case 'array':
      return arrayProblem(root, s, value, path);
    case 'number':
    case 'integer':
      return numberProblem(s, value, path);
    case 'string':
      return stringProblem(s, value, path);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${path} must be true or false, got ${got}`;
    case 'null':
      return value === null ? undefined : `${path} must be null, got ${got}`;
    default:
      return undefined;
  }
}

function unionProblem(root: JsonSchema, s: JsonSchema, value: unknown, path: string): string | undefined {
  const alts = alternatives(root, s);
  if (value === null && alts.some(isNull)) return undefined;
  const n = named(alts);
  if (n) return namedProblem(root, n, value, path);
  const rest = alts.filter((a) => !isNull(a));
  const problems: string[] = [];
  for (const a of rest) {
    const p = problem(root, a, value, path);
    if (p === undefined) return undefined;
    problems.push(p);
  }
  return rest.length === 1 ? problems[0] : `${path} must be ${expectedBy(s, root)}, got ${describeValue(value)}`;
}

function namedProblem(root: JsonSchema, n: Named, value: unknown, path: string): string | undefined {
  const names = `one of ${quoted(n.names)}`;
  const badName = (name: unknown, at: string): string | undefined =>
    typeof name === 'string' && n.variants.has(name)
      ? undefined
      : `${at} must be ${names}, got ${describeValue(name)}${typeof name === 'string' ? didYouMean(name, n.names) : ''}`;
  if (typeof value === 'string') return badName(value, path) ?? problem(root, n.variants.get(value)!, { name: value }, path);
  if (!isPlainObject(value)) return `${path} must be ${names} (a name, or an object with "name"), got ${describeValue(value)}`;
  if (!hasOwn(value, 'name')) return `${path}.name is required (${names})`;
  return badName(value.name, `${path}.name`) ?? problem(root, n.variants.get(value.name as string)!, value, path);
}

function objectProblem(root: JsonSchema, s: JsonSchema, value: unknown, path: string): string | undefined {
  if (!isPlainObject(value)) return `${path} must be an object, got ${describeValue(value)}`;
  const properties = s.properties ?? {};
  const known = Object.keys(properties);
  if (s.additionalProperties === false) {
    for (const key of Object.keys(value)) {
      if (hasOwn(properties, key)) continue;
      const shown = key.length > MAX_SHOWN ? `${key.slice(0, MAX_SHOWN)}…` : key;
      return `${path}.${shown} is not a known key${didYouMean(key, known)} (known keys: ${known.join(', ')})`;
    }
  }
  for (const key of known) {
    if (hasOwn(value, key)) {
      const p = problem(root, properties[key], value[key], `${path}.${key}`);
      if (p !== undefined) return p;
    } else if (s.required?.includes(key)) {
      return `${path}.${key} is required (${expectedBy(properties[key], root)})`;
    }
  }
  return undefined;
}

function arrayProblem(root: JsonSchema, s: JsonSchema, value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array, got ${describeValue(value)}`;
  if (s.minItems !== undefined && value.length < s.minItems) return `${path} must have at least ${s.minItems} item(s), got ${value.length}`;
  if (s.maxItems !== undefined && value.length > s.maxItems) return `${path} must have at most ${s.maxItems} items, got ${value.length}`;
  if (!s.items) return undefined;
  for (let i = 0; i < value.length; i++) {
    const p = problem(root, s.items, value[i], `${path}[${i}]`);
    if (p !== undefined) return p;
  }
  return undefined;
}

function numberProblem(s: JsonSchema, value: unknown, path: string): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${path} must be ${numberExpected(s)}, got ${describeValue(value)}`;
  if (typeOf(s) === 'integer' && !Number.isInteger(value)) return `${path} must be an integer, got ${value}`;
  if (s.minimum !== undefined && value < s.minimum) return `${path} must be >= ${s.minimum}, got ${value}`;
  if (s.exclusiveMinimum !== undefined && !(value > s.exclusiveMinimum)) return `${path} must be > ${s.exclusiveMinimum}, got ${value}`;
  if (s.maximum !== undefined && value > s.maximum) return `${path} must be <= ${s.maximum}, got ${value}`;
  if (s.exclusiveMaximum !== undefined && !(value < s.exclusiveMaximum)) return `${path} must be < ${s.exclusiveMaximum}, got ${value}`;
  return undefined;
}

function stringProblem(s: JsonSchema, value: unknown, path: string): string | undefined {
  if (typeof value !== 'string') return `${path} must be ${stringExpected(s)}, got ${describeValue(value)}`;
  if (s.minLength !== undefined && value.length < s.minLength)
    return s.minLength === 1
      ? `${path} must be a non-empty string, got ""`
      : `${path} must be at least ${s.minLength} characters, got ${value.length}`;
  if (s.maxLength !== undefined && value.length > s.maxLength)
    return `${path} must be at most ${s.maxLength} characters, got ${value.length}`;
  if (s.pattern !== undefined && !matches(s.pattern, value))
    return `${path} must be ${s.description ?? `a string matching /${s.pattern}/`}, got ${describeValue(value)}`;
  return undefined;
}

/** Whether `value` matches a schema's pattern (a pattern that is not a valid regular expression matches all). */
function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return true;
  }
}
