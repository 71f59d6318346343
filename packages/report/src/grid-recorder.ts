import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type GanPlugin, type Network, type PluginState, type StepLogs, type TrainContext } from '@gankit/core';
import { join } from 'node:path';
import { writeFileAtomic } from './files';
import { imageGrid, type ImageGridOptions } from './image-grid';

/** Options of {@link gridRecorder}. */
export interface GridRecorderOptions {
  /** Write a grid every this many iterations (at steps `every`, `2·every`, ...). */
  readonly every: number;
  /** The run folder; grids go to `dir/grids/step-000001000.png`. */
  readonly dir: string;
  /**
   * The fixed latent points `[n, ...latentShape]` (cloned; the caller keeps its tensor), or a
   * count: that many standard-normal points drawn at setup from a fork of the run's random source
   * (so the run's own draws are unchanged). Default 64.
   */
  readonly z?: tf.Tensor | number | undefined;
  /** Class labels (int32 `[n]`) for a conditional generator; by default the grid then has one row per class. */
  readonly labels?: tf.Tensor | ArrayLike<number> | undefined;
  /** Grid layout and value range (default range `[-1, 1]`); `labelsPerRow` is set from `labels`. */
  readonly grid?: Omit<ImageGridOptions, 'labelsPerRow'> | undefined;
  /** With `labels`: one row per class (default true); false tiles in the given order. */
  readonly rowPerClass?: boolean | undefined;
  /** Which network samples: a key of `ctx.networks` (default: `ctx.generator`). */
  readonly network?: string | undefined;
  /** Also write a grid at setup, before the first iteration (default false). */
  readonly atStart?: boolean | undefined;
  /** Also write a grid when training ends, unless that step already has one (default true). */
  readonly atEnd?: boolean | undefined;
  /** Plugin name (default `'grid-recorder'`). */
  readonly name?: string | undefined;
  /** Hook order (default 200). */
  readonly order?: number | undefined;
}

/** One grid written by a {@link GridRecorder}. */
export interface RecordedGrid {
  /** Iterations completed when it was drawn. */
  readonly step: number;
  /** Its path. */
  readonly file: string;
}

/** The plugin {@link gridRecorder} returns. */
export interface GridRecorder extends GanPlugin {
  /** Paths of the grids written, in order. */
  readonly files: readonly string[];
  /** Steps and paths of the grids written, in order. */
  readonly written: readonly RecordedGrid[];
  /** The fixed latent points, once set up. */
  readonly z: tf.Tensor | undefined;
  /** Samples the fixed points now and writes the grid for `step` (default `ctx.step`); returns its path. */
  record(ctx: TrainContext, step?: number): Promise<string>;
}

/** The file name of the grid for a step: `step-000001000.png` (nine digits, so names sort by step). */
export function gridFileName(step: number): string {
  return `step-${String(step).padStart(9, '0')}.png`;
}

/**
 * A plugin that watches the generator learn: every `every` iterations it runs the generator in
 * inference mode (`training: false`) on the SAME fixed latent points and writes the samples as a
 * PNG grid to `dir/grids/step-<9 digits>.png`. Because z is fixed, successive grids show the same
 * samples changing. The points are saved in checkpoints (`state()`), so a resumed run keeps them.
 *
 * @example
 * ```ts
 * const grids = gridRecorder({ every: 500, dir: 'runs/mnist', z: 64 });
 * // ... plugins: [grids] ...; afterwards grids.files lists the PNGs
 * ```
 */
export function gridRecorder(options: GridRecorderOptions): GridRecorder {
  const { every, dir } = options;
  if (!Number.isInteger(every) || every < 1)
    throw new GankitError('config', `gridRecorder: every must be a positive integer, got ${every}`);
  if (typeof dir !== 'string' || dir.length === 0) throw new GankitError('config', 'gridRecorder needs a `dir`');
  const zOption = options.z ?? 64;
  if (typeof zOption === 'number' && (!Number.isInteger(zOption) || zOption < 1)) {
    throw new GankitError('config', `gridRecorder: z must be a tensor or a positive integer count, got ${zOption}`);
  }
  if (zOption instanceof tf.Tensor && zOption.rank < 2) {
    throw new GankitError('shape', `gridRecorder: z must be a batch [n, ...latentShape], got ${formatShape(zOption.shape)}`);
  }
  let z: tf.Tensor | undefined = zOption instanceof tf.Tensor ? zOption.clone() : undefined;
  let labels: tf.Tensor | undefined;
  let labelValues: number[] | undefined;
  if (options.labels !== undefined) {
    const l = options.labels;
    labels = l instanceof tf.Tensor ? tf.cast(l, 'int32') : tf.tensor1d(Array.from(l), 'int32');
    if (labels.rank !== 1) {
      const shape = labels.shape;
      labels.dispose();
      z?.dispose();
      throw new GankitError('shape', `gridRecorder: labels must be [n], got ${formatShape(shape)}`);
    }
    labelValues = Array.from(labels.dataSync());
  }
  const written: RecordedGrid[] = [];
  const files: string[] = [];
  const atEnd = options.atEnd ?? true;

  const checkBatch = () => {
    if (labels && z && labels.shape[0] !== z.shape[0]) {
      throw new GankitError('shape', `gridRecorder: ${labels.shape[0]} labels for ${z.shape[0]} latent points`);
    }
  };
  try {
    checkBatch();
  } catch (e) {
    z?.dispose();
    labels?.dispose();
    throw e;
  }

  const networkOf = (ctx: TrainContext): Network => {
    if (options.network === undefined) return ctx.generator;
    const net = ctx.networks[options.network];
    if (!net)
      throw new GankitError('config', `gridRecorder: no network '${options.network}'; the run has ${Object.keys(ctx.networks).join(', ')}`);
    return net;
  };

  const ensureZ = (ctx: TrainContext): tf.Tensor => {
    if (!z) {
      const rng = ctx.random.fork('grid-recorder');
      z = rng.normal([zOption as number, ...ctx.info.latentShape]);
      checkBatch();
    }
    return z;
  };

  const plugin: GridRecorder = {
    name: options.name ?? 'grid-recorder',
    order: options.order ?? 200,
    get files() {
      return files;
    },
    get written() {
      return written;
    },
    get z() {
      return z;
    },
    async record(ctx: TrainContext, step = ctx.step) {
      const net = networkOf(ctx);
      const points = ensureZ(ctx);
      const out = tf.tidy(() => net.apply(points, { training: false, labels }));
      let data: Float32Array | Int32Array | Uint8Array;
      const shape = out.shape;
      try {
        if (out.rank !== 4 || (shape[3] !== 1 && shape[3] !== 3)) {
          throw new GankitError(
            'shape',
            `gridRecorder: network '${net.name}' produced ${formatShape(shape)}; a grid needs images [n, height, width, 1 | 3]`,
          );
        }
        data = (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
      const rowPerClass = labelValues !== undefined && (options.rowPerClass ?? true);
      const png = imageGrid({ data, shape }, { ...options.grid, ...(rowPerClass ? { labelsPerRow: labelValues } : {}) });
      const file = join(dir, 'grids', gridFileName(step));
      await writeFileAtomic(file, png);
      written.push({ step, file });
      files.push(file);
      return file;
    },
    async setup(ctx: TrainContext) {
      ensureZ(ctx);
      if (options.atStart && !written.some((w) => w.step === ctx.step)) await plugin.record(ctx, ctx.step);
    },
    async onStepEnd(ctx: TrainContext, logs: StepLogs) {
      const step = logs.step + 1;
      if (step % every === 0) await plugin.record(ctx, step);
    },
    async onTrainEnd(ctx: TrainContext) {
      if (atEnd && ctx.step > 0 && !written.some((w) => w.step === ctx.step)) await plugin.record(ctx, ctx.step);
    },
    state(): PluginState {
      return { tensors: z ? { z } : {}, meta: { written: written.map((w) => ({ step: w.step, file: w.file })) } };
    },
    loadState(state: PluginState) {
      const saved = state.tensors.z;
      if (saved) {
        z?.dispose();
        z = saved.clone();
        checkBatch();
      }
      const meta = state.meta as { written?: RecordedGrid[] | undefined } | undefined;
      if (meta && Array.isArray(meta.written)) {
        written.length = 0;
        files.length = 0;
        for (const w of meta.written) {
          written.push({ step: w.step, file: w.file });
          files.push(w.file);
        }
      }
    },
    dispose() {
      z?.dispose();
      labels?.dispose();
      z = undefined;
      labels = undefined;
    },
  };
  return plugin;
}
