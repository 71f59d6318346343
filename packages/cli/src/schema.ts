import { type AnyPartEntry, GankitError, type PartConfig, type Registry, parseOptions } from '@gankit/core';
import * as z from 'zod';

export { closest, editDistance } from '@gankit/core';

/** A zod schema whose parsed values have type `T` (the config schema and its sections are ones). */
export type Schema<T> = z.ZodType<T>;

/** The zod object schema of one entry's options (the registries of gankit's packages hold zod schemas). */
function shapeOf(registry: Registry<AnyPartEntry>, entry: AnyPartEntry): z.ZodRawShape {
  if (!(entry.schema instanceof z.ZodObject)) {
    throw new GankitError(
      'config',
      `${registry.noun} '${entry.name}': its options schema must be a zod object (z.strictObject) for the config file's schema`,
    );
  }
  return entry.schema.shape;
}

/**
 * The config value that picks one entry of a registry by name, with its options:
 * `{ "name": "r1", "gamma": 5 }`, or the bare name `"r1"` for the defaults. A discriminated union
 * over the registry's entries (each entry's own options schema plus its `name`), so a new entry is
 * a new choice with no edit here; its JSON Schema lists the names and each variant's options.
 *
 * @param registry - a registry of parts whose option schemas are zod objects
 */
export function named<E extends AnyPartEntry>(registry: Registry<E>): Schema<PartConfig<E>> {
  const variants = registry.entries.map((e) =>
    z.strictObject({ name: z.literal(e.name), ...shapeOf(registry as Registry<AnyPartEntry>, e) }).describe(e.summary),
  );
  const byName = z.discriminatedUnion('name', variants as unknown as [z.ZodObject, ...z.ZodObject[]]);
  const names = registry.names as readonly string[];
  const shorthand = z.enum(names as [string, ...string[]]).transform((name, ctx) => {
    const parsed = byName.safeParse({ name });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: name });
    return z.NEVER;
  });
  return z.union([shorthand, byName]) as unknown as Schema<PartConfig<E>>;
}

/**
 * Parses `value` with a zod schema and returns it with its defaults filled in, or throws one line
 * naming the first problem (`config.steps must be >= 1, got 0`, "did you mean" for near misses).
 *
 * @throws GankitError (code `'config'`)
 */
export function validate<T>(schema: Schema<T>, value: unknown, path: string): T {
  return parseOptions(schema, value, path) as T;
}

/** The JSON Schema (draft 2020-12) of what a zod schema accepts as input, for editors. */
export function jsonSchemaOf(schema: z.ZodType, meta: { title: string; description: string }): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return { $schema, title: meta.title, description: meta.description, ...rest };
}
