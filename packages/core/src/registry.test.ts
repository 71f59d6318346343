import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { GankitError } from './errors';
import { type OptionsSchema, type PartConfig, createRegistry, definePart, optionsJsonSchema, parseOptions } from './registry';
import { type JsonSchema, describeValue, expectedBy, schemaProblem } from './schema-problem';
import { closest, didYouMean, editDistance } from './suggest';

/** The message of the GankitError (code `code`) that `fn` throws. */
function errorOf(fn: () => unknown, code = 'config'): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe(code);
    return (err as Error).message;
  }
  throw new Error('expected a GankitError, nothing was thrown');
}

const penalty = definePart({
  name: 'penalty',
  kind: 'plugin',
  summary: 'a test part with one weight',
  schema: z.strictObject({ gamma: z.number().positive().default(10), variant: z.enum(['a', 'b']).default('a') }),
  create: (options) => ({ made: 'penalty', ...options }),
});
const seeded = definePart({
  name: 'seeded-thing',
  kind: 'weight-parametrization',
  summary: 'a test part that needs a seed when it is built',
  schema: z.strictObject({ iterations: z.int().min(1).max(100).default(1) }),
  create: (options, context: { seed: number }) => ({ iterations: options.iterations, seed: context.seed }),
});
const parts = createRegistry('regularizer', [penalty, seeded]);

describe('createRegistry', () => {
  it('finds entries by name and lists them in order', () => {
    expect(parts.noun).toBe('regularizer');
    expect(parts.names).toEqual(['penalty', 'seeded-thing']);
    expect(parts.get('penalty')).toBe(parts.entries[0]);
    expect(parts.has('penalty')).toBe(true);
    expect(parts.has('Penalty')).toBe(false);
    expect(parts.has(3)).toBe(false);
    expect(Object.isFrozen(parts.entries[0])).toBe(true);
    // A package's own fields beyond the contract are kept, typed.
    const tagged = definePart({ ...penalty, needs: 'images' as const });
    expectTypeOf(tagged.needs).toEqualTypeOf<'images'>();
    expect(tagged.needs).toBe('images');
  });

  it('refuses an unknown name with "did you mean" and the list', () => {
    expect(errorOf(() => parts.get('penalti'))).toBe(
      "unknown regularizer 'penalti'; did you mean 'penalty'? (one of: penalty, seeded-thing)",
    );
    expect(errorOf(() => parts.get('zzz'))).toBe("unknown regularizer 'zzz' (one of: penalty, seeded-thing)");
    expect(errorOf(() => parts.get(undefined as unknown as string))).toMatch(/^unknown regularizer 'undefined'/);
    expect(errorOf(() => parts.get('toString'))).toMatch(/^unknown regularizer 'toString'/);
  });

  it('parses options with defaults and makes the part, passing the context', () => {
    expect(parts.parse('penalty')).toEqual({ gamma: 10, variant: 'a' });
    expect(parts.create('penalty', { gamma: 2 })).toEqual({ made: 'penalty', gamma: 2, variant: 'a' });
    expect(parts.create('seeded-thing', {}, { seed: 7 })).toEqual({ iterations: 1, seed: 7 });
    // Types: options and parts follow the entry named.
    expectTypeOf(parts.parse('penalty')).toEqualTypeOf<{ gamma: number; variant: 'a' | 'b' }>();
    expectTypeOf<PartConfig<(typeof parts.entries)[number]>>().toMatchTypeOf<{ name: 'penalty' | 'seeded-thing' }>();
  });

  it('gives one precise line for bad options', () => {
    expect(errorOf(() => parts.parse('penalty', { gamma: -1 }))).toBe('penalty.gamma must be > 0, got -1');
    expect(errorOf(() => parts.parse('penalty', { gama: 1 }))).toBe(
      "penalty.gama is not a known key; did you mean 'gamma'? (known keys: gamma, variant)",
    );
    expect(errorOf(() => parts.parse('penalty', { variant: 'zzz' }, 'config.regularizers[0]'))).toBe(
      "config.regularizers[0].variant must be one of 'a', 'b', got \"zzz\"",
    );
    expect(errorOf(() => parts.create('seeded-thing', { iterations: 1.5 }, { seed: 0 }))).toBe(
      'seeded-thing.iterations must be an integer, got 1.5',
    );
    expect(errorOf(() => parts.parse('penalty', 'x'))).toBe('penalty must be an object, got "x"');
  });

  it('falls back to the schema library message for a check JSON Schema cannot say, and refuses async schemas', () => {
    const even = z.strictObject({ n: z.number().refine((n) => n % 2 === 0, 'must be even') });
    expect(errorOf(() => parseOptions(even, { n: 3 }, 'x'))).toBe('x.n must be even');
    const slow: OptionsSchema<unknown> = {
      '~standard': { version: 1, vendor: 'test', validate: async (v) => ({ value: v }), jsonSchema: { input: () => ({}) } },
    };
    expect(errorOf(() => parseOptions(slow, {}, 'slow'))).toMatch(/^slow: its options schema validates asynchronously/);
  });

  it('builds entries given as a function on first use, once', () => {
    let calls = 0;
    const lazy = createRegistry('loss', () => {
      calls++;
      return [penalty];
    });
    expect(calls).toBe(0);
    expect(lazy.names).toEqual(['penalty']);
    expect(lazy.create('penalty', { gamma: 1 })).toEqual({ made: 'penalty', gamma: 1, variant: 'a' });
    expect(lazy.entries).toHaveLength(1);
    expect(calls).toBe(1);
    const twice = createRegistry('loss', () => [penalty, penalty]);
    expect(errorOf(() => twice.get('penalty'), 'name')).toBe("two loss entries are named 'penalty'");
  });

  it('refuses duplicate and malformed names', () => {
    expect(errorOf(() => createRegistry('loss', [penalty, penalty]), 'name')).toBe("two loss entries are named 'penalty'");
    expect(errorOf(() => createRegistry('loss', [{ ...penalty, name: 'Bad Name' }]), 'name')).toMatch(
      /^loss names are lower case words joined by '-', got 'Bad Name'/,
    );
  });

  it('gives the JSON Schema of the options as input (keys with defaults optional)', () => {
    const s = optionsJsonSchema(penalty.schema);
    expect(s.type).toBe('object');
    expect(s.required).toBeUndefined();
    expect(s.properties?.gamma).toMatchObject({ type: 'number', exclusiveMinimum: 0, default: 10 });
    expect(s.additionalProperties).toBe(false);
  });
});

describe('schemaProblem', () => {
  const config: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['optimizer'],
    properties: {
      steps: { type: 'integer', minimum: 1, maximum: 4096 },
      rate: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      tags: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 2, minItems: 1 },
      name: { type: 'string', maxLength: 8, pattern: '^[a-z]+$', description: 'a lower-case word' },
      flag: { type: 'boolean' },
      optimizer: {
        anyOf: [
          { type: 'string', enum: ['adam', 'sgd'] },
          {
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['name'],
                properties: { name: { const: 'adam', type: 'string' }, beta1: { type: 'number', minimum: 0 } },
              },
              { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { const: 'sgd', type: 'string' } } },
            ],
          },
        ],
      },
      average: { anyOf: [{ $ref: '#/$defs/avg' }, { type: 'null' }] },
    },
    $defs: { avg: { type: 'object', properties: { decay: { type: 'number', maximum: 1 } } } },
  };
  const ok = { optimizer: 'adam' };
  const p = (v: unknown) => schemaProblem(config, v, 'config');

  it('accepts what the schema allows', () => {
    expect(p(ok)).toBeUndefined();
    expect(p({ optimizer: { name: 'adam', beta1: 0.5 }, steps: 4096, tags: ['x'], average: null, flag: false })).toBeUndefined();
    expect(p({ optimizer: 'sgd', average: { decay: 1 } })).toBeUndefined();
  });

  it('names the path, the expectation and the value', () => {
    expect(p({ ...ok, steps: '64' })).toBe('config.steps must be an integer >= 1 and <= 4096, got "64"');
    expect(p({ ...ok, steps: 2.5 })).toBe('config.steps must be an integer, got 2.5');
    expect(p({ ...ok, steps: 0 })).toBe('config.steps must be >= 1, got 0');
    expect(p({ ...ok, steps: 5000 })).toBe('config.steps must be <= 4096, got 5000');
    expect(p({ ...ok, rate: 0 })).toBe('config.rate must be > 0, got 0');
    expect(p({ ...ok, rate: 1 })).toBe('config.rate must be < 1, got 1');
    expect(p({ ...ok, tags: [] })).toBe('config.tags must have at least 1 item(s), got 0');
    expect(p({ ...ok, tags: ['a', 'b', 'c'] })).toBe('config.tags must have at most 2 items, got 3');
    expect(p({ ...ok, tags: [''] })).toBe('config.tags[0] must be a non-empty string, got ""');
    expect(p({ ...ok, tags: 'a' })).toBe('config.tags must be an array, got "a"');
    expect(p({ ...ok, name: 'Abc' })).toBe('config.name must be a lower-case word, got "Abc"');
    expect(p({ ...ok, name: 'abcdefghi' })).toBe('config.name must be at most 8 characters, got 9');
    expect(p({ ...ok, flag: 'yes' })).toBe('config.flag must be true or false, got "yes"');
    expect(p({ ...ok, average: { decay: 2 } })).toBe('config.average.decay must be <= 1, got 2');
    expect(p([])).toBe('config must be an object, got an array of 0');
  });

  it('words named unions as a choice of names, with "did you mean"', () => {
    expect(p({})).toBe(`config.optimizer is required (one of 'adam', 'sgd' (a name, or an object with "name"))`);
    expect(p({ optimizer: 'adma' })).toBe(`config.optimizer must be one of 'adam', 'sgd', got "adma"; did you mean 'adam'?`);
    expect(p({ optimizer: { beta1: 1 } })).toBe(`config.optimizer.name is required (one of 'adam', 'sgd')`);
    expect(p({ optimizer: { name: 'SGD' } })).toBe(`config.optimizer.name must be one of 'adam', 'sgd', got "SGD"; did you mean 'sgd'?`);
    expect(p({ optimizer: 5 })).toBe(`config.optimizer must be one of 'adam', 'sgd' (a name, or an object with "name"), got 5`);
    expect(p({ optimizer: { name: 'adam', beta1: -1 } })).toBe('config.optimizer.beta1 must be >= 0, got -1');
    expect(p({ optimizer: { name: 'adam', beta: 1 } })).toBe(
      "config.optimizer.beta is not a known key; did you mean 'beta1'? (known keys: name, beta1)",
    );
  });

  it('refuses unknown keys, Object.prototype members included, before checking values', () => {
    expect(p({ ...ok, stepz: 1, steps: -1 })).toBe(
      "config.stepz is not a known key; did you mean 'steps'? (known keys: steps, rate, tags, name, flag, optimizer, average)",
    );
    expect(p(JSON.parse('{"optimizer":"adam","__proto__":1}'))).toMatch(/^config\.__proto__ is not a known key \(known keys/);
    expect(p({ ...ok, ['k'.repeat(100)]: 1 })).toMatch(/^config\.k{40}… is not a known key/);
  });

  it('says what a schema expects', () => {
    expect(expectedBy({ type: 'array', items: { type: 'integer', minimum: 0 } })).toBe('an array of an integer >= 0');
    expect(expectedBy({ anyOf: [{ type: 'number' }, { type: 'null' }] })).toBe('null or a number');
    expect(expectedBy(config.properties!.average!, config)).toBe('null or an object');
    expect(describeValue('x'.repeat(50))).toBe(`"${'x'.repeat(40)}…"`);
    expect(describeValue(undefined)).toBe('undefined');
  });

  it('agrees with what zod generates', () => {
    const s = z.strictObject({
      batchSize: z.int().min(1).max(4096).default(64),
      loss: z.union([
        z.enum(['hinge', 'wasserstein']),
        z.discriminatedUnion('name', [z.strictObject({ name: z.literal('hinge') }), z.strictObject({ name: z.literal('wasserstein') })]),
      ]),
    });
    const json = z.toJSONSchema(s, { io: 'input' }) as JsonSchema;
    expect(schemaProblem(json, { loss: 'hinje' }, 'config')).toBe(
      `config.loss must be one of 'hinge', 'wasserstein', got "hinje"; did you mean 'hinge'?`,
    );
    expect(schemaProblem(json, { loss: 'hinge', batchSize: '64' }, 'config')).toBe(
      'config.batchSize must be an integer >= 1 and <= 4096, got "64"',
    );
    expect(schemaProblem(json, { loss: { name: 'hinge' } }, 'config')).toBeUndefined();
  });
});

describe('did you mean', () => {
  it('counts edits as by hand, a swap of neighbours as one', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('rign8', 'ring8')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(closest('betta1', ['beta1', 'beta2', 'name'])).toBe('beta1');
    expect(closest('qqqq', ['beta1', 'name'])).toBeUndefined();
    expect(didYouMean('hinje', ['hinge'])).toBe("; did you mean 'hinge'?");
    expect(didYouMean('qqqq', ['hinge'])).toBe('');
  });
});
