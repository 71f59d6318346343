import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { Batch, DataSource, RandomSource } from '@gankit/core';

/** Options shared by every 2-D toy mixture. */
export interface MixtureOptions {
  /** Name shown in logs; each builder has its own default (`ring8`, `grid25`, `spiral16`). */
  name?: string | undefined;
  /**
   * When `true`, each batch carries the index of the component every point was drawn from as an
   * int32 label, and {@link GaussianMixture.numClasses} is the number of components. Default `false`.
   */
  labels?: boolean | undefined;
}

/** Options of {@link gaussianMixture}. */
export interface GaussianMixtureOptions extends MixtureOptions {
  /** Component centres, each `[x, y]` (any dimension works as long as all agree). */
  modes: readonly (readonly number[])[];
  /** Standard deviation of every (isotropic) component. */
  std: number;
}

function checkPositive(what: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new GankitError('data', `${what} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

/** Checks a batch size requested from a data source. */
export function checkBatchSize(source: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new GankitError('data', `${source}: batch size must be a positive integer, got ${batchSize}`);
  }
}

/**
 * An equally weighted mixture of isotropic Gaussians, sampled afresh for every batch.
 *
 * Every batch is drawn from a single seed taken from the given `RandomSource` (component
 * choice and Box-Muller normals in JavaScript), so the samples depend only on the source's state and
 * are the same on every backend.
 */
export class GaussianMixture implements DataSource {
  /** Name for logs. */
  readonly name: string;
  /** Shape of one sample: `[dimension]`. */
  readonly sampleShape: readonly number[];
  /** Always `undefined`: the distribution is sampled afresh. */
  readonly size: undefined = undefined;
  /** Number of components when batches carry component labels, else `undefined`. */
  readonly numClasses?: number | undefined;
  /** The component centres (copies), for mode-coverage metrics. */
  readonly modes: number[][];
  /** Standard deviation of every component. */
  readonly std: number;
  private readonly withLabels: boolean;
  private readonly flat: Float64Array;
  private readonly dim: number;

  /** @param options - centres, spread and name; see {@link GaussianMixtureOptions}. */
  constructor(options: GaussianMixtureOptions) {
    const { modes, std } = options;
    if (!Array.isArray(modes) || modes.length === 0) {
      throw new GankitError('data', 'gaussianMixture: `modes` must be a non-empty array of centres');
    }
    const dim = modes[0].length;
    if (dim === 0) throw new GankitError('data', 'gaussianMixture: centres must have at least one coordinate');
    modes.forEach((m, i) => {
      if (m.length !== dim) {
        throw new GankitError('data', `gaussianMixture: centre ${i} has ${m.length} coordinates, centre 0 has ${dim}`);
      }
      if (!m.every(Number.isFinite)) throw new GankitError('data', `gaussianMixture: centre ${i} is not finite: [${m.join(', ')}]`);
    });
    if (!Number.isFinite(std) || std < 0) throw new GankitError('data', `gaussianMixture: std must be a non-negative number, got ${std}`);
    this.name = options.name ?? `mixture${modes.length}`;
    this.dim = dim;
    this.sampleShape = [dim];
    this.modes = modes.map((m) => [...m]);
    this.std = std;
    this.flat = Float64Array.from(this.modes.flat());
    this.withLabels = options.labels === true;
    if (this.withLabels) this.numClasses = modes.length;
  }

  /** Draws `batchSize` points: `x` is `[batchSize, dimension]` float32. */
  nextBatch(batchSize: number, random: RandomSource): Batch {
    checkBatchSize(this.name, batchSize);
    const next = random.floats(`data:${this.name}`);
    const k = this.modes.length;
    const d = this.dim;
    const out = new Float32Array(batchSize * d);
    const comp = new Int32Array(batchSize);
    let spare = NaN;
    const normal = (): number => {
      if (!Number.isNaN(spare)) {
        const v = spare;
        spare = NaN;
        return v;
      }
      // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - next()));
      const t = 2 * Math.PI * next();
      spare = r * Math.sin(t);
      return r * Math.cos(t);
    };
    for (let i = 0; i < batchSize; i++) {
      const c = Math.min(k - 1, Math.floor(next() * k));
      comp[i] = c;
      for (let j = 0; j < d; j++) out[i * d + j] = this.flat[c * d + j] + this.std * normal();
    }
    const x = tf.tensor2d(out, [batchSize, d], 'float32');
    return this.withLabels ? { x, labels: tf.tensor1d(comp, 'int32') } : { x };
  }
}

/** Builds a {@link GaussianMixture} from explicit centres. */
export function gaussianMixture(options: GaussianMixtureOptions): GaussianMixture {
  return new GaussianMixture(options);
}

/** Options of {@link ringMixture}. */
export interface RingOptions extends MixtureOptions {
  /** Number of Gaussians, evenly spaced on the circle. Default 8. */
  modes?: number | undefined;
  /** Radius of the circle. Default 2. */
  radius?: number | undefined;
  /** Standard deviation of each Gaussian. Default 0.02. */
  std?: number | undefined;
}

/**
 * The ring of Gaussians (Metz et al., unrolled GANs): `modes` components centred at
 * `radius·(cos 2πk/modes, sin 2πk/modes)`, the classic mode-collapse test.
 *
 * @example
 * ```ts
 * const ring = ringMixture();                    // 8 modes, radius 2, std 0.02
 * const { x } = ring.nextBatch(512, new RandomSource(0)); // [512, 2]
 * ```
 */
export function ringMixture(options: RingOptions = {}): GaussianMixture {
  const { modes = 8, radius = 2, std = 0.02 } = options;
  checkPositive('ringMixture: modes', modes, true);
  checkPositive('ringMixture: radius', radius);
  const centres: number[][] = [];
  for (let k = 0; k < modes; k++) {
    const a = (2 * Math.PI * k) / modes;
    centres.push([radius * Math.cos(a), radius * Math.sin(a)]);
  }
  return new GaussianMixture({ modes: centres, std, name: options.name ?? `ring${modes}`, labels: options.labels });
}

/** Options of {@link gridMixture}. */
export interface GridOptions extends MixtureOptions {
  /** Number of Gaussians along each side (`side²` in all). Default 5. */
  side?: number | undefined;
  /** Distance between neighbouring centres. Default 2. */
  spacing?: number | undefined;
  /** Standard deviation of each Gaussian. Default 0.05. */
  std?: number | undefined;
}

/**
 * A square grid of `side × side` Gaussians centred on the origin: with the defaults, 25 components at
 * `{-4, -2, 0, 2, 4}²` (the 2-D grid of Dumoulin et al. / VEEGAN / PacGAN).
 */
export function gridMixture(options: GridOptions = {}): GaussianMixture {
  const { side = 5, spacing = 2, std = 0.05 } = options;
  checkPositive('gridMixture: side', side, true);
  checkPositive('gridMixture: spacing', spacing);
  const half = ((side - 1) * spacing) / 2;
  const centres: number[][] = [];
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) centres.push([i * spacing - half, j * spacing - half]);
  }
  return new GaussianMixture({ modes: centres, std, name: options.name ?? `grid${side * side}`, labels: options.labels });
}

/** Options of {@link spiral}. */
export interface SpiralOptions extends MixtureOptions {
  /** Number of Gaussians along the spiral. Default 16. */
  modes?: number | undefined;
  /** Number of turns the spiral makes. Default 1.5. */
  turns?: number | undefined;
  /** Radius of the outermost centre. Default 2. */
  radius?: number | undefined;
  /** Radius of the innermost centre, as a fraction of `radius`. Default 0.2. */
  inner?: number | undefined;
  /** Standard deviation of each Gaussian. Default 0.04. */
  std?: number | undefined;
}

/**
 * Gaussians along an Archimedean spiral: centre `k` of `modes` sits at angle `θ = 2π·turns·t` and
 * radius `radius·(inner + (1 − inner)·t)` with `t = k/(modes − 1)`. Neighbouring centres are close
 * along the arm while the arms are far apart, which tests whether a generator follows thin curved
 * structure.
 */
export function spiral(options: SpiralOptions = {}): GaussianMixture {
  const { modes = 16, turns = 1.5, radius = 2, inner = 0.2, std = 0.04 } = options;
  checkPositive('spiral: modes', modes, true);
  checkPositive('spiral: turns', turns);
  checkPositive('spiral: radius', radius);
  if (!(inner >= 0 && inner <= 1)) throw new GankitError('data', `spiral: inner must lie in [0, 1], got ${inner}`);
  const centres: number[][] = [];
  for (let k = 0; k < modes; k++) {
    const t = modes === 1 ? 0 : k / (modes - 1);
    const a = 2 * Math.PI * turns * t;
    const r = radius * (inner + (1 - inner) * t);
    centres.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return new GaussianMixture({ modes: centres, std, name: options.name ?? `spiral${modes}`, labels: options.labels });
}
