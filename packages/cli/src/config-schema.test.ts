// The config schema is assembled from the packages' registries: every part they offer is in the
// JSON Schema that `gankit schema` writes and is accepted by `gankit train --config`, with no list
// of parts in the CLI. And `--print-config` prints what a config resolves to.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyPartEntry, type JsonSchema, type Registry, schemaProblem } from '@gankit/core';
import { architectures } from '@gankit/architectures';
import { averagers } from '@gankit/averaging';
import { nodeDatasets } from '@gankit/data/node';
import { losses } from '@gankit/losses';
import { metrics } from '@gankit/metrics';
import { regularizers } from '@gankit/regularizers';
import { afterAll, describe, expect, it } from 'vitest';
import { trainConfigJsonSchema, validateConfig } from './config';
import { optimizers } from './optimizers';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-config-schema-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the built command in `tmp` without blocking the test worker. */
const run = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

const schema = trainConfigJsonSchema() as JsonSchema;

/** The names a named union of the JSON Schema offers: the bare-name enum and the objects' `name` consts. */
function namesIn(node: JsonSchema | undefined): { bare: unknown[]; objects: unknown[] } {
  const out = { bare: [] as unknown[], objects: [] as unknown[] };
  const visit = (n: JsonSchema) => {
    for (const alt of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) visit(alt);
    if (n.type === 'string' && n.enum) out.bare.push(...n.enum);
    if (n.type === 'object' && n.properties?.name?.const !== undefined) out.objects.push(n.properties.name.const);
  };
  if (node) visit(node);
  return out;
}

/** A config in which `pick` fits: data and architecture chosen from what the entries declare. */
function configWith(holds: 'images' | 'points', extra: Record<string, unknown> = {}, batchNorm = true): Record<string, unknown> {
  const data = nodeDatasets.entries.find((e) => e.holds === holds)!;
  const arch = architectures.entries.find((e) => e.generates === holds && !e.conditional)!;
  const architecture = arch.batchMixing ? { name: arch.name, [arch.batchMixing.option]: batchNorm } : arch.name;
  return { data: data.name, architecture, ...extra };
}

const sections: [string, Registry<AnyPartEntry>][] = [
  ['data', nodeDatasets as unknown as Registry<AnyPartEntry>],
  ['architecture', architectures as unknown as Registry<AnyPartEntry>],
  ['loss', losses as unknown as Registry<AnyPartEntry>],
  ['averaging', averagers as unknown as Registry<AnyPartEntry>],
];

describe('the config schema is assembled from the registries', () => {
  it('offers every entry of every registry by name in the JSON Schema, bare and as an object', () => {
    expect(schema.required).toEqual(['data', 'architecture']);
    expect(schema.additionalProperties).toBe(false);
    for (const [key, registry] of sections) {
      const { bare, objects } = namesIn(schema.properties?.[key]);
      expect(objects, key).toEqual([...registry.names]);
      expect(bare, key).toEqual([...registry.names]);
    }
    expect(namesIn(schema.properties?.regularizers?.items).objects).toEqual([...regularizers.names]);
    expect(namesIn(schema.properties?.optimizer?.properties?.generator).objects).toEqual([...optimizers.names]);
    const metricKeys = Object.keys(schema.properties?.metrics?.properties ?? {});
    expect(metricKeys).toEqual(['evalSamples', ...metrics.entries.filter((e) => e.kind === 'plugin').map((e) => e.name)]);
  });

  it('accepts every entry in --config, with the defaults of its registry', () => {
    for (const e of nodeDatasets.entries) {
      const c = validateConfig(configWith(e.holds, { data: e.name }));
      expect(c.data).toEqual({ name: e.name, ...nodeDatasets.parse(e.name) });
    }
    for (const e of architectures.entries) {
      const c = validateConfig({ ...configWith(e.generates), architecture: e.name });
      expect(c.architecture).toEqual({ name: e.name, ...architectures.parse(e.name) });
    }
    for (const e of losses.entries)
      expect(validateConfig(configWith('points', { loss: e.name })).loss).toEqual({ name: e.name, ...losses.parse(e.name) });
    for (const e of averagers.entries)
      expect(validateConfig(configWith('points', { averaging: e.name })).averaging).toEqual({ name: e.name, ...averagers.parse(e.name) });
    for (const e of regularizers.entries) {
      // A weight parametrization needs a D that takes one; a per-example penalty a D that does not mix the batch.
      const holds = e.kind === 'weight-parametrization' ? architectures.entries.find((a) => a.weightParametrization)!.generates : 'points';
      const c = validateConfig(configWith(holds, { regularizers: [e.name] }, !e.perExampleCritic));
      expect(c.regularizers).toEqual([{ name: e.name, ...regularizers.parse(e.name) }]);
    }
    for (const e of metrics.entries.filter((m) => m.kind === 'plugin')) {
      const options = { every: 5 };
      const c = validateConfig(configWith(e.needs, { metrics: { [e.name]: options } }));
      expect((c.metrics as Record<string, unknown>)[e.name]).toEqual(metrics.parse(e.name, options));
    }
  });

  it('validates an example config as the CLI does, and refuses what the CLI refuses', () => {
    const good = {
      name: 'wgan',
      data: { name: 'mnist', split: 'test' },
      architecture: { name: 'dcgan', batchNorm: false },
      loss: 'wasserstein',
      regularizers: [{ name: 'gradient-penalty', lambda: 10 }],
      optimizer: { generator: { name: 'adam', learningRate: 1e-4, beta2: 0.9 }, discriminatorSteps: 5 },
      metrics: { fid: { every: 100 } },
    };
    expect(schemaProblem(schema, good, 'config')).toBeUndefined();
    expect(() => validateConfig(good)).not.toThrow();
    expect(schemaProblem(schema, { ...good, loss: 'hinje' }, 'config')).toMatch(/^config\.loss must be one of .*; did you mean 'hinge'\?$/);
    expect(schemaProblem(schema, { data: 'mnist' }, 'config')).toMatch(/^config\.architecture is required/);
    expect(schemaProblem(schema, { ...good, seed: -1 }, 'config')).toBe('config.seed must be >= 0, got -1');
    // Defaults are in the schema for editors.
    expect(schema.properties?.steps?.default).toBe(2000);
    expect(schema.properties?.optimizer?.default).toEqual(validateConfig({ data: 'ring', architecture: 'mlp' }).optimizer);
  });
});

describe('gankit train --print-config and gankit schema (the built command)', () => {
  it('--print-config prints the resolved config, overrides applied, and trains nothing', async () => {
    fs.writeFileSync(
      path.join(tmp, 'run.json'),
      JSON.stringify({ name: 'tiny', data: 'ring', architecture: { name: 'mlp', hidden: [8] } }),
    );
    const r = await run(['train', '--config', 'run.json', '--print-config', '--steps', '7', '--eval-samples', '20']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const printed = JSON.parse(r.stdout);
    const expected = validateConfig({ name: 'tiny', data: 'ring', architecture: { name: 'mlp', hidden: [8] } });
    expect(printed).toEqual({ ...expected, steps: 7, metrics: { ...expected.metrics, evalSamples: 20 } });
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
    // The printed config is a config file that trains the same run.
    expect(validateConfig(printed)).toEqual(printed);
    const example = await run(['train', '--example', 'ring8', '--print-config']);
    expect([example.status, example.stderr]).toEqual([
      2,
      'gankit train: --print-config prints the configuration of a --config FILE.json; an example has none\n',
    ]);
    const bad = await run(['train', '--config', 'run.json', '--print-config', '--steps', '0']);
    expect(bad.status).toBe(2);
  });

  it('gankit schema writes the JSON Schema to stdout or --out', async () => {
    const r = await run(['schema']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(schema)));
    const w = await run(['schema', '--out', 'schemas/config.schema.json']);
    expect([w.status, w.stderr]).toEqual([0, 'wrote schemas/config.schema.json\n']);
    expect(fs.readFileSync(path.join(tmp, 'schemas', 'config.schema.json'), 'utf8')).toBe(r.stdout);
    const txt = await run(['schema', '--out', 'x.txt']);
    expect([txt.status, txt.stderr]).toEqual([2, "gankit schema: --out must end in .json, got 'x.txt'\n"]);
    const help = await run(['--help']);
    expect(help.stdout).toMatch(/\n {2}schema +write the JSON Schema of a config file/);
  });
});
