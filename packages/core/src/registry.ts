import { GankitError } from './errors';
import { type JsonSchema, schemaProblem } from './schema-problem';
import { didYouMean } from './suggest';

/** One problem a schema found: a message and where (the path of keys inside the options). */
export interface OptionsIssue {
  /** What is wrong, in the validation library's words. */
  readonly message: string;
  /** The keys leading to the offending value (`['targets', 'a']`), or segments holding them. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** What validating options gives: the parsed options (defaults filled in), or the issues found. */
export type OptionsResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<OptionsIssue> };

/**
 * The schema of a part's options, typed structurally so that `@gankit/core` depends on no
 * validation library: anything that implements Standard Schema v1 (`validate`) and Standard JSON
 * Schema v1 (`jsonSchema.input`) fits, as every zod 4 schema does. Validation must be synchronous.
 */
export interface OptionsSchema<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': {
    /** The Standard Schema version. */
    readonly version: 1;
    /** The library that made the schema (`'zod'`). */
    readonly vendor: string;
    /** Checks a value and returns it parsed (defaults filled in), or the issues found. */
    readonly validate: (value: unknown) => OptionsResult<Output> | Promise<OptionsResult<Output>>;
    /** The JSON Schema of what the options accept. */
    readonly jsonSchema: { readonly input: (options: { readonly target: 'draft-2020-12' }) => Record<string, unknown> };
    /** The input and output types (for inference only). */
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** Any {@link OptionsSchema}, whatever its input and output types. */
// biome-ignore lint/suspicious/noExplicitAny: the widest schema type, so that every schema is assignable to it
export type AnyOptionsSchema = OptionsSchema<any, any>;

/** The parsed options type of an {@link OptionsSchema} (after defaults are filled in). */
export type OptionsOf<S extends AnyOptionsSchema> = NonNullable<S['~standard']['types']>['output'];

/** The options type an {@link OptionsSchema} accepts (keys with defaults may be left out). */
export type OptionsInputOf<S extends AnyOptionsSchema> = NonNullable<S['~standard']['types']>['input'];

/**
 * One part that a package offers by name: a loss, a regularizer, an averaging, a metric, an
 * architecture, a data set. The entry carries the schema of its options (one source for the
 * TypeScript type, the checks with their messages, and the JSON Schema that editors read) and
 * makes the part from parsed options.
 *
 * @typeParam Name - the part's name, as written in a config file (`'gradient-penalty'`)
 * @typeParam Schema - the schema of its options
 * @typeParam Part - what {@link PartEntry.create} makes
 * @typeParam Context - what {@link PartEntry.create} needs besides the options, known only when
 *   the part is built (a seed, a feature extractor); `void` for none
 */
export interface PartEntry<Name extends string = string, Schema extends AnyOptionsSchema = OptionsSchema, Part = unknown, Context = void> {
  /** The name the part is found by, lower case with dashes (`'least-squares'`). */
  readonly name: Name;
  /** What {@link PartEntry.create} makes, e.g. `'loss'`, `'plugin'`, `'weight-parametrization'`. */
  readonly kind: string;
  /** One sentence for listings and the JSON Schema's description. */
  readonly summary: string;
  /** The schema of the options; every option has a default unless the part cannot guess it. */
  readonly schema: Schema;
  /**
   * Makes the part from options parsed by {@link PartEntry.schema} (use {@link Registry.create} to
   * parse and make in one call).
   */
  create(options: OptionsOf<Schema>, context: Context): Part;
}

/** Any {@link PartEntry}, whatever its options, part and context. */
// biome-ignore lint/suspicious/noExplicitAny: the widest entry type, so that every entry is assignable to it
export type AnyPartEntry = PartEntry<string, AnyOptionsSchema, unknown, any>;

/** The config value that selects an entry: its name with its parsed options (`{ name: 'r1', gamma: 10 }`). */
export type PartConfig<E extends AnyPartEntry> = E extends AnyPartEntry ? { name: E['name'] } & OptionsOf<E['schema']> : never;

/** The entry of a union of entries that has the name `N`. */
export type EntryNamed<E extends AnyPartEntry, N extends string> = Extract<E, { readonly name: N }>;

/**
 * Defines a {@link PartEntry}, inferring its name as a literal type and its options from its
 * schema, and freezes it. Fields beyond the contract (what a package's own entries declare, such
 * as the data a metric needs) are kept and typed.
 *
 * @example
 * ```ts
 * export const r1Entry = definePart({
 *   name: 'r1', kind: 'plugin', summary: 'R1: γ/2·E‖∇D(x)‖² on the real batch',
 *   schema: z.strictObject({ gamma: z.number().positive().default(10) }),
 *   create: (options) => r1(options),
 * });
 * ```
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` is the "no extra fields" default of an intersection
export function definePart<const Name extends string, Schema extends AnyOptionsSchema, Part, Context = void, Extra extends object = {}>(
  entry: PartEntry<Name, Schema, Part, Context> & Extra,
): PartEntry<Name, Schema, Part, Context> & Extra {
  return Object.freeze({ ...entry });
}

/** A named set of parts of one sort, such as the losses of `@gankit/losses` (see {@link createRegistry}). */
export interface Registry<E extends AnyPartEntry> {
  /** The word for one part in messages: `'loss'`, `'regularizer'`, `'data set'`. */
  readonly noun: string;
  /** The entries, in the order they were given. */
  readonly entries: readonly E[];
  /** The entries' names, in the same order. */
  readonly names: readonly E['name'][];
  /** Whether `name` is the name of an entry. */
  has(name: unknown): name is E['name'];
  /**
   * The entry called `name`.
   *
   * @throws GankitError (`'config'`) for an unknown name: `unknown loss 'hinje'; did you mean 'hinge'? (one of: ...)`
   */
  get<N extends E['name']>(name: N): EntryNamed<E, N>;
  /** The entry called `name`, for a name not known to be one (from a user). */
  get(name: string): E;
  /**
   * The options of entry `name`, checked and with their defaults filled in.
   *
   * @param name - the entry's name
   * @param options - the options as given (`undefined` is `{}`)
   * @param path - where the options came from, the start of every message (default: the name)
   * @throws GankitError (`'config'`) naming the first bad option: `r1.gamma must be > 0, got -1`
   */
  parse<N extends E['name']>(name: N, options?: unknown, path?: string): OptionsOf<EntryNamed<E, N>['schema']>;
  /**
   * Parses `options` for entry `name` and makes the part.
   *
   * @throws GankitError (`'config'`) for an unknown name or bad options, as {@link Registry.parse}
   */
  create<N extends E['name']>(
    name: N,
    ...args: EntryNamed<E, N> extends PartEntry<string, AnyOptionsSchema, unknown, infer C>
      ? [C] extends [void]
        ? [options?: OptionsInputOf<EntryNamed<E, N>['schema']>]
        : unknown extends C
          ? [options?: OptionsInputOf<EntryNamed<E, N>['schema']>]
          : [options: OptionsInputOf<EntryNamed<E, N>['schema']> | undefined, context: C]
      : never
  ): ReturnType<EntryNamed<E, N>['create']>;
}

const jsonSchemas = new WeakMap<AnyOptionsSchema, JsonSchema>();

/**
 * The JSON Schema of a part's options (what it accepts as input: keys with defaults are
 * optional), generated once per schema and shared: read it, do not modify it.
 */
export function optionsJsonSchema(schema: AnyOptionsSchema): JsonSchema {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = schema['~standard'].jsonSchema.input({ target: 'draft-2020-12' }) as JsonSchema;
    jsonSchemas.set(schema, json);
  }
  return json;
}

function pathOf(issue: OptionsIssue): string {
  return (issue.path ?? [])
    .map((p) => (typeof p === 'object' && p !== null ? p.key : p))
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
    .join('');
}

/**
 * Checks `value` against an options schema and returns it parsed, or throws one precise line:
 * the first problem as {@link schemaProblem} words it from the schema's JSON Schema (the path of
 * the key, what it must be, what it is, and "did you mean" for near misses), else the schema's own
 * first message.
 *
 * @param schema - the schema (zod 4 or any Standard Schema with Standard JSON Schema)
 * @param value - the options as given
 * @param path - the start of every message (`'config'`, `'r1'`)
 * @throws GankitError (`'config'`)
 */
export function parseOptions<S extends AnyOptionsSchema>(schema: S, value: unknown, path: string): OptionsOf<S> {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise)
    throw new GankitError('config', `${path}: its options schema validates asynchronously; a part's options must check synchronously`);
  if (!result.issues) return result.value;
  const first = result.issues[0];
  const message = schemaProblem(optionsJsonSchema(schema), value, path) ?? `${path}${pathOf(first)} ${first?.message ?? 'is invalid'}`;
  throw new GankitError('config', message);
}

/** The entries of a registry, checked and indexed by name. */
function indexEntries<E extends AnyPartEntry>(noun: string, entries: readonly E[]): { entries: readonly E[]; byName: Map<string, E> } {
  const byName = new Map<string, E>();
  for (const e of entries) {
    if (typeof e.name !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(e.name))
      throw new GankitError('name', `${noun} names are lower case words joined by '-', got '${String(e.name)}'`);
    if (byName.has(e.name)) throw new GankitError('name', `two ${noun} entries are named '${e.name}'`);
    byName.set(e.name, e);
  }
  return { entries: Object.freeze([...entries]), byName };
}

/**
 * Makes a {@link Registry} of parts from their entries.
 *
 * Pass the entries as a function to build them on first use: with the call annotated `#__PURE__`
 * (`export const losses = createRegistry('loss', () => [...])`), a bundle that never uses the
 * registry drops it and the schema library its entries use.
 *
 * @param noun - the word for one part in messages (`'loss'`)
 * @param entries - the parts, or a function that makes them; names must be unique, non-empty, lower
 *   case with dashes
 * @throws GankitError (`'name'`) for a duplicate or malformed name (at first use, for a function)
 */
export function createRegistry<const E extends AnyPartEntry>(noun: string, entries: readonly E[] | (() => readonly E[])): Registry<E> {
  let index = typeof entries === 'function' ? undefined : indexEntries(noun, entries);
  const built = () => {
    index ??= indexEntries(noun, (entries as () => readonly E[])());
    return index;
  };
  const names = (): readonly E['name'][] => [...built().byName.keys()];
  const has = (name: unknown): name is E['name'] => typeof name === 'string' && built().byName.has(name);
  const get = (name: string): E => {
    const entry = built().byName.get(String(name));
    if (!entry || typeof name !== 'string') {
      const shown = String(name).length > 40 ? `${String(name).slice(0, 40)}…` : String(name);
      throw new GankitError('config', `unknown ${noun} '${shown}'${didYouMean(String(name), names())} (one of: ${names().join(', ')})`);
    }
    return entry;
  };
  const parse = (name: string, options?: unknown, path?: string): unknown => parseOptions(get(name).schema, options ?? {}, path ?? name);
  return Object.freeze({
    noun,
    get entries() {
      return built().entries;
    },
    get names() {
      return Object.freeze(names());
    },
    has,
    get,
    parse,
    create: (name: string, options?: unknown, context?: unknown) => get(name).create(parse(name, options), context),
  }) as unknown as Registry<E>;
}
