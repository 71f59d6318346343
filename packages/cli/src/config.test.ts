import { GankitError, RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ringMixture } from '@gankit/data';
import type { Network } from '@gankit/core';
import { evaluatePoints, exampleFromConfig, parseConfig, validateConfig } from './config';
import type { GeneratorSampler } from './examples/types';
import { closest, editDistance } from './schema';

/** The message of the GankitError that `fn` throws (fails the test if it throws anything else). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe('config');
    return (err as Error).message;
  }
  throw new Error('expected a GankitError, nothing was thrown');
}

const minimal = { data: 'mnist', architecture: 'dcgan' };

describe('validateConfig', () => {
  it('fills in every default of a minimal config', () => {
    const c = validateConfig(minimal);
    expect(c).toEqual({
      name: 'custom',
      seed: 0,
      steps: 2000,
      batchSize: 64,
      data: { name: 'mnist', split: 'train' },
      architecture: { name: 'dcgan', latentDim: 100, baseFilters: 64, batchNorm: true },
      loss: { name: 'non-saturating' },
      regularizers: [],
      averaging: { name: 'ema', decay: 0.999, startStep: 0, rampUp: true },
      metrics: { evalSamples: 1000, fid: null },
      optimizer: {
        generator: { name: 'adam', learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
        discriminator: { name: 'adam', learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
        discriminatorSteps: 1,
      },
      report: { gridEvery: 100 },
      onNan: 'stop',
    });
    // Defaults are copies: changing one result does not change the next.
    c.optimizer.generator.learningRate = 1;
    expect(validateConfig(minimal).optimizer.generator.learningRate).toBe(2e-4);
  });

  it('keeps given values, names and objects alike', () => {
    const c = validateConfig({
      name: 'wgan',
      seed: 7,
      data: { name: 'fashion-mnist', dir: '/data/fm', split: 'test' },
      architecture: { name: 'dcgan', batchNorm: false, baseFilters: 32 },
      loss: 'wasserstein',
      regularizers: [{ name: 'gradient-penalty', lambda: 5 }],
      averaging: null,
      optimizer: { generator: { name: 'rmsprop', learningRate: 1e-4 }, discriminatorSteps: 5 },
    });
    expect(c.data).toEqual({ name: 'fashion-mnist', dir: '/data/fm', split: 'test' });
    expect(c.architecture).toEqual({ name: 'dcgan', latentDim: 100, baseFilters: 32, batchNorm: false });
    expect(c.loss).toEqual({ name: 'wasserstein' });
    expect(c.regularizers).toEqual([{ name: 'gradient-penalty', lambda: 5, variant: 'two-sided' }]);
    expect(c.averaging).toBeNull();
    expect(c.optimizer.generator).toEqual({ name: 'rmsprop', learningRate: 1e-4, decay: 0.9, momentum: 0 });
    expect(c.optimizer.discriminatorSteps).toBe(5);
    expect(c.seed).toBe(7);
  });

  it('names the key path of a bad value', () => {
    expect(errorOf(() => validateConfig({ ...minimal, optimizer: { generator: { name: 'adam', learningRate: -1 } } }))).toBe(
      'config.optimizer.generator.learningRate must be > 0, got -1',
    );
    expect(errorOf(() => validateConfig({ ...minimal, steps: 2.5 }))).toBe('config.steps must be an integer, got 2.5');
    expect(errorOf(() => validateConfig({ ...minimal, batchSize: '64' }))).toBe(
      'config.batchSize must be an integer >= 1 and <= 4096, got "64"',
    );
    expect(errorOf(() => validateConfig({ ...minimal, regularizers: [{ name: 'r1' }, { name: 'r2', gamma: 0 }] }))).toBe(
      'config.regularizers[1].gamma must be > 0, got 0',
    );
    expect(errorOf(() => validateConfig({ ...minimal, averaging: { name: 'ema', decay: 1 } }))).toBe(
      'config.averaging.decay must be < 1, got 1',
    );
    expect(errorOf(() => validateConfig({ data: 'mnist' }))).toMatch(
      /^config\.architecture is required \(one of 'dcgan', 'conditional', 'mlp'/,
    );
    expect(errorOf(() => validateConfig([]))).toBe('config must be an object, got an array of 0');
    expect(errorOf(() => validateConfig({ ...minimal, architecture: { latentDim: 4 } }))).toMatch(
      /^config\.architecture\.name is required/,
    );
  });

  it('rejects unknown and misspelt keys and names with a suggestion', () => {
    expect(errorOf(() => validateConfig({ ...minimal, optimizer: { generator: { name: 'adam', learningRte: 1e-3 } } }))).toMatch(
      /^config\.optimizer\.generator\.learningRte is not a known key; did you mean 'learningRate'\? \(known keys: name, learningRate, beta1, beta2\)$/,
    );
    expect(errorOf(() => validateConfig({ ...minimal, regularisers: [] }))).toMatch(
      /^config\.regularisers is not a known key; did you mean 'regularizers'\?/,
    );
    expect(errorOf(() => validateConfig({ ...minimal, loss: 'hinje' }))).toMatch(
      /^config\.loss must be one of .*'hinge'.*, got "hinje"; did you mean 'hinge'\?$/,
    );
    expect(errorOf(() => validateConfig({ ...minimal, data: { name: 'MNIST' } }))).toMatch(/did you mean 'mnist'\?$/);
    // Far from every known key: no suggestion, but the known keys are listed.
    const far = errorOf(() => validateConfig({ ...minimal, zzzzzzzz: 1 }));
    expect(far).toMatch(/^config\.zzzzzzzz is not a known key \(known keys: name, seed, steps/);
    expect(far).not.toMatch(/did you mean/);
    // Keys that are Object.prototype members are unknown keys too.
    expect(errorOf(() => validateConfig(JSON.parse('{"data":"mnist","architecture":"dcgan","__proto__":{"steps":1}}')))).toMatch(
      /^config\.__proto__ is not a known key/,
    );
    expect(errorOf(() => validateConfig({ ...minimal, constructor: 1 }))).toMatch(/^config\.constructor is not a known key/);
  });

  it('checks that the parts fit together', () => {
    expect(errorOf(() => validateConfig({ data: 'ring', architecture: 'dcgan' }))).toMatch(
      /^config\.architecture\.name 'dcgan' generates images, but config\.data\.name 'ring' holds 2-D points/,
    );
    expect(errorOf(() => validateConfig({ data: 'mnist', architecture: 'mlp' }))).toMatch(
      /^config\.architecture\.name 'mlp' generates 2-D points/,
    );
    expect(errorOf(() => validateConfig({ ...minimal, regularizers: ['gradient-penalty'] }))).toMatch(
      /^config\.architecture\.batchNorm must be false with 'gradient-penalty'/,
    );
    // A per-example critic normalization (layer norm) is what a gradient penalty allows instead.
    const layered = { name: 'dcgan', batchNorm: false, normalization: 'layer' };
    expect(validateConfig({ ...minimal, architecture: layered, regularizers: ['gradient-penalty'] }).architecture).toEqual({
      ...layered,
      latentDim: 100,
      baseFilters: 64,
    });
    expect(errorOf(() => validateConfig({ ...minimal, architecture: { name: 'dcgan', normalization: 'layer' } }))).toBe(
      `config.architecture.normalization 'layer' needs "batchNorm": false (batchNorm is true, its default)`,
    );
    expect(errorOf(() => validateConfig({ ...minimal, regularizers: ['r1', 'r1'] }))).toBe(
      "config.regularizers[1].name 'r1' is listed twice",
    );
    expect(errorOf(() => validateConfig({ data: 'ring', architecture: 'mlp', regularizers: ['spectral-norm'] }))).toMatch(
      /^config\.regularizers\[0\] 'spectral-norm' is not available for the 'mlp'/,
    );
    expect(errorOf(() => validateConfig({ data: 'grid', architecture: 'mlp', metrics: { fid: { every: 10 } } }))).toMatch(
      /^config\.metrics\.fid needs image data/,
    );
  });

  it('reports malformed JSON as a GankitError naming the source', () => {
    expect(errorOf(() => parseConfig('{"data": "mnist",', 'run.json'))).toMatch(/^run\.json is not valid JSON: /);
    expect(errorOf(() => parseConfig('', 'x.json'))).toMatch(/^x\.json is not valid JSON/);
  });

  it('builds an example of the right kind', () => {
    const img = exampleFromConfig(validateConfig({ ...minimal, architecture: 'conditional' }));
    expect(img.output).toBe('images');
    expect(img.numClasses).toBe(10);
    const pts = exampleFromConfig(validateConfig({ name: 'ring-run', data: 'ring', architecture: { name: 'mlp', hidden: [8] } }));
    expect(pts.output).toBe('points');
    expect(pts.name).toBe('ring-run');
    const g = pts.buildGenerator!({ seed: 0 });
    expect(g.inputShape).toEqual([16]);
    expect(g.outputShape).toEqual([2]);
    g.dispose();
  });
});

describe('evaluatePoints', () => {
  it("draws the latent points from the sampler's own distribution when it has one (ring8's one-hot code)", () => {
    const before = tf.memory().numTensors;
    const seen: number[][] = [];
    // G puts every point on mode 0 at (2, 0) when the code's second value is on, else far away.
    const sample = (z: tf.Tensor): tf.Tensor => {
      const rows = z.arraySync() as number[][];
      seen.push(...rows);
      return tf.tensor2d(rows.map((r) => (r[2] === 1 ? [2, 0] : [9, 9])));
    };
    const latent = (n: number, random: RandomSource): tf.Tensor =>
      tf.tidy(() => tf.concat([random.normal([n, 1]), tf.cast(tf.oneHot(tf.fill([n], 1, 'int32'), 2), 'float32')], 1));
    const sampler = { network: {} as Network, latentShape: [3], latent, sample } as GeneratorSampler;
    const r = evaluatePoints(sampler, ringMixture({ modes: 8, radius: 2, std: 0.02 }), { seed: 3, samples: 40 });
    expect(seen).toHaveLength(40);
    expect(seen.every((row) => row[1] === 0 && row[2] === 1)).toBe(true);
    expect(r).toMatchObject({ modesCaptured: 1, numModes: 8, highQualityFraction: 1, samples: 40 });
    // Without one, a standard normal of the latent shape (no one-hot columns).
    seen.length = 0;
    evaluatePoints({ ...sampler, latent: undefined }, ringMixture({ modes: 8, radius: 2, std: 0.02 }), { seed: 3, samples: 40 });
    expect(seen.some((row) => row[2] !== 0 && row[2] !== 1)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('did you mean', () => {
  it('edit distance matches hand-counted values', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('learningRte', 'learningRate')).toBe(1);
    // A swap of two neighbours is one edit: 'rign8' is one typo away from 'ring8'.
    expect(editDistance('rign8', 'ring8')).toBe(1);
    expect(editDistance('tarin', 'train')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(closest('betta1', ['beta1', 'beta2', 'name'])).toBe('beta1');
    expect(closest('qqqq', ['beta1', 'name'])).toBeUndefined();
  });
});

const KEYS = [
  'name',
  'seed',
  'steps',
  'batchSize',
  'data',
  'architecture',
  'loss',
  'regularizers',
  'averaging',
  'metrics',
  'optimizer',
  'report',
  'generator',
  'discriminator',
  'learningRate',
  'beta1',
  'fid',
  'every',
  'split',
  'dir',
  'lambda',
  '__proto__',
  'constructor',
  'toString',
  'x',
];
const STRINGS = [
  'mnist',
  'fashion-mnist',
  'ring',
  'grid',
  'dcgan',
  'conditional',
  'mlp',
  'adam',
  'sgd',
  'hinge',
  'wasserstein',
  'ema',
  'r1',
  'gradient-penalty',
  'spectral-norm',
  '',
  'x'.repeat(5000),
  '\u0000',
];
const NUMBERS = [0, -1, 1, 0.5, 1e308, -1e308, 2 ** 53, 1e-320, 64, 1000, 3.7];

function randomValue(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 5 || k < 0.3) {
    const p = r();
    if (p < 0.35) return NUMBERS[Math.floor(r() * NUMBERS.length)];
    if (p < 0.7) return STRINGS[Math.floor(r() * STRINGS.length)];
    if (p < 0.85) return r() < 0.5;
    return null;
  }
  if (k < 0.45) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 6); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]] = randomValue(r, depth + 1);
  return o;
}

/** A valid config with one random part replaced, so the fuzz reaches the deeper checks. */
function mutateValid(r: () => number): unknown {
  const base: Record<string, unknown> = JSON.parse(
    JSON.stringify({
      data: { name: 'mnist' },
      architecture: { name: 'dcgan', batchNorm: false },
      loss: 'hinge',
      regularizers: [{ name: 'gradient-penalty', lambda: 10 }],
      optimizer: { generator: { name: 'adam', learningRate: 1e-4 }, discriminator: 'sgd' },
      metrics: { fid: { every: 5 } },
    }),
  );
  const key = KEYS[Math.floor(r() * 12)];
  base[key] = randomValue(r, 2);
  return base;
}

describe('config validator fuzz', () => {
  it('never throws anything but GankitError on random values, malformed JSON and deep nesting, and never hangs', () => {
    const r = new RandomSource(20240601).floats();
    const started = Date.now();
    let accepted = 0;
    let rejected = 0;
    const check = (fn: () => unknown) => {
      try {
        fn();
        accepted++;
      } catch (err) {
        if (!(err instanceof GankitError)) throw new Error(`non-GankitError thrown: ${String(err)}`);
        expect(err.message).toMatch(/^(config|fuzz)/);
        rejected++;
      }
    };
    for (let i = 0; i < 3000; i++) {
      check(() => validateConfig(randomValue(r, 0)));
      check(() => validateConfig(mutateValid(r)));
      // Malformed JSON text: a valid document cut or with bytes flipped.
      const text = JSON.stringify(mutateValid(r));
      const cut = text.slice(0, Math.floor(r() * text.length));
      const flipped = text
        .split('')
        .map((ch) => (r() < 0.03 ? String.fromCharCode(Math.floor(r() * 128)) : ch))
        .join('');
      check(() => parseConfig(cut, 'fuzz'));
      check(() => parseConfig(flipped, 'fuzz'));
    }
    // Pathological shapes: deep nesting, huge arrays, long keys.
    check(() => parseConfig('['.repeat(100_000) + ']'.repeat(100_000), 'fuzz'));
    check(() => parseConfig('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000), 'fuzz'));
    check(() => validateConfig({ ...minimal, regularizers: Array.from({ length: 100_000 }, () => 'r1') }));
    check(() => validateConfig({ ...minimal, ['k'.repeat(100_000)]: 1 }));
    check(() => validateConfig({ ...minimal, data: { name: 'm'.repeat(100_000) } }));
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(1000);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
