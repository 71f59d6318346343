// Experience replay for the discriminator: fakes of earlier generators, as a plugin.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type Batch, type GanPlugin, type JsonValue, type PluginState, type StepContext } from '@gankit/core';

/** Options of {@link experienceReplay}. */
export interface ExperienceReplayOptions {
  /** Fakes kept in the buffer (default 2048). */
  readonly bufferSize?: number | undefined;
  /** Fraction of each discriminator-phase fake batch replaced by buffered fakes (default 0.5). */
  readonly fraction?: number | undefined;
  /** Plugin name (default `'experience-replay'`). */
  readonly name?: string | undefined;
}

/** The plugin made by {@link experienceReplay}. */
export interface ExperienceReplayPlugin extends GanPlugin {
  /** Capacity of the buffer. */
  readonly bufferSize: number;
  /** Fraction of each fake batch replaced by buffered fakes. */
  readonly fraction: number;
  /** Fakes held now (at most `bufferSize`). */
  readonly filled: number;
  /** Fakes offered to the buffer so far (the reservoir's count). */
  readonly seen: number;
  /** A copy of the held fakes `[filled, ...sampleShape]` (and their labels), or `null` when empty; the caller disposes it. */
  contents(): Batch | null;
  /** Replaces part of a discriminator-phase fake batch and pushes the fakes into the buffer. */
  transformFakes(fakes: Batch, s: StepContext): Batch;
  /** The buffer (`buffer`, `labels`) and its counts (`meta`: bufferSize, filled, seen). */
  state(): PluginState;
  /** Restores a state from {@link ExperienceReplayPlugin.state} (copies its tensors). */
  loadState(state: PluginState): void;
  /** Frees the buffer and empties it. */
  dispose(): void;
}

/**
 * Experience replay against mode collapse and oscillation (the "history of generated images" of
 * Shrivastava et al. 2017, also used by CycleGAN): the discriminator also sees fakes of earlier
 * generators, so that G cannot win by jumping back to a mode D has forgotten.
 *
 * In each discriminator update (`transformFakes`), the first `round(fraction · batch)` fakes are
 * replaced by fakes drawn uniformly, with replacement, from the buffer as it stood before this
 * update; then the update's own fakes (all of them, as G made them) are offered to the buffer by
 * reservoir sampling (Vitter's algorithm R), so the buffer is a uniform sample of every fake made
 * so far. While the buffer is empty nothing is replaced. In conditional runs the labels travel with
 * their fakes. Every draw comes from the run's seeded random source (one draw per update), so runs
 * repeat exactly. The generator is trained on its own fakes only.
 *
 * The buffer is plugin state: checkpoints save it (`buffer`, `labels`, and the counts in `meta`).
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ generator, discriminator, loss: nonSaturating, data,
 *   plugins: [experienceReplay({ bufferSize: 2048, fraction: 0.5 })] });
 * ```
 */
export function experienceReplay(options: ExperienceReplayOptions = {}): ExperienceReplayPlugin {
  const bufferSize = options.bufferSize ?? 2048;
  if (!Number.isInteger(bufferSize) || bufferSize <= 0)
    throw new GankitError('config', `experienceReplay: bufferSize must be a positive integer, got ${String(bufferSize)}`);
  const fraction = options.fraction ?? 0.5;
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw new GankitError('config', `experienceReplay: fraction must be a number in [0, 1], got ${String(fraction)}`);
  }
  const name = options.name ?? 'experience-replay';
  let buffer: tf.Variable | null = null;
  let labels: tf.Variable | null = null;
  let filled = 0;
  let seen = 0;

  const free = () => {
    buffer?.dispose();
    labels?.dispose();
    buffer = null;
    labels = null;
  };

  const transformFakes = (fakes: Batch, s: Pick<StepContext, 'random'>): Batch => {
    const x = fakes.x;
    const n = x.shape[0];
    const sampleShape = x.shape.slice(1);
    if (!buffer) {
      buffer = tf.tidy(() => tf.variable(tf.zeros([bufferSize, ...sampleShape]), false));
      if (fakes.labels) labels = tf.tidy(() => tf.variable(tf.zeros([bufferSize], 'int32'), false));
    }
    if (!tf.util.arraysEqual(buffer.shape.slice(1), sampleShape)) {
      throw new GankitError(
        'shape',
        `${name}: fakes of ${formatShape(sampleShape)} per example, but the buffer holds ${formatShape(buffer.shape.slice(1))}`,
      );
    }
    if (!!labels !== !!fakes.labels) {
      throw new GankitError(
        'data',
        `${name}: the buffer ${labels ? 'holds' : 'has no'} labels but this fake batch ${fakes.labels ? 'has' : 'has none'}`,
      );
    }
    const next = s.random.floats('experience-replay');
    // Replay: indices into the buffer as it stands now.
    const m = filled > 0 ? Math.min(n, Math.round(fraction * n)) : 0;
    const picks = new Int32Array(m);
    for (let i = 0; i < m; i++) picks[i] = Math.min(filled - 1, Math.floor(next() * filled));
    // Reservoir: where each new fake goes (−1: not kept); later fakes overwrite earlier ones.
    const source = new Int32Array(bufferSize).fill(-1);
    let changed = false;
    for (let i = 0; i < n; i++) {
      let slot = -1;
      if (filled < bufferSize) slot = filled++;
      else {
        const j = Math.floor(next() * (seen + 1));
        if (j < bufferSize) slot = j;
      }
      seen++;
      if (slot >= 0) {
        source[slot] = i;
        changed = true;
      }
    }
    let out: Batch = fakes;
    if (m > 0) {
      const idx = tf.tensor1d(picks, 'int32');
      const outX = tf.concat([tf.gather(buffer, idx), tf.slice(x, [m], [-1])]);
      const outLabels =
        labels && fakes.labels ? (tf.concat([tf.gather(labels, idx), tf.slice(fakes.labels, [m], [-1])]) as tf.Tensor1D) : undefined;
      out = { x: outX, labels: outLabels };
    }
    if (changed) {
      const keep = tf.tensor1d(
        Uint8Array.from(source, (v) => (v < 0 ? 1 : 0)),
        'bool',
      );
      const from = tf.tensor1d(
        Int32Array.from(source, (v) => Math.max(v, 0)),
        'int32',
      );
      const mask = tf.reshape(keep, [bufferSize, ...sampleShape.map(() => 1)]);
      buffer.assign(tf.where(tf.broadcastTo(mask, buffer.shape), buffer, tf.gather(x, from)));
      if (labels && fakes.labels) labels.assign(tf.where(keep, labels as tf.Tensor, tf.gather(fakes.labels, from)));
    }
    return out;
  };

  return {
    name,
    apiVersion: 2,
    bufferSize,
    fraction,
    get filled() {
      return filled;
    },
    get seen() {
      return seen;
    },
    transformFakes,
    contents() {
      if (!buffer || filled === 0) return null;
      const b = buffer;
      const l = labels;
      return tf.tidy(() => {
        const x = tf.slice(b, [0], [filled]);
        return l ? { x, labels: tf.slice(l, [0], [filled]) as tf.Tensor1D } : { x };
      }) as Batch;
    },
    state(): PluginState {
      const tensors: tf.NamedTensorMap = {};
      if (buffer) tensors.buffer = buffer;
      if (labels) tensors.labels = labels;
      return { tensors, meta: { bufferSize, filled, seen } };
    },
    loadState(state: PluginState) {
      const meta = (state.meta ?? {}) as { [k: string]: JsonValue };
      const f = meta.filled;
      const sn = meta.seen;
      if (
        !Number.isInteger(f) ||
        !Number.isInteger(sn) ||
        (f as number) < 0 ||
        (f as number) > bufferSize ||
        (sn as number) < (f as number)
      ) {
        throw new GankitError(
          'checkpoint',
          `${name}: state meta needs integers 0 <= filled <= bufferSize (${bufferSize}) and seen >= filled, got ${JSON.stringify(state.meta)}`,
        );
      }
      const b = state.tensors.buffer;
      const l = state.tensors.labels;
      if (b && b.shape[0] !== bufferSize) {
        throw new GankitError(
          'checkpoint',
          `${name}: the saved buffer has ${b.shape[0]} slots (${formatShape(b.shape)}), this plugin has bufferSize ${bufferSize}`,
        );
      }
      if (l && (!b || l.dtype !== 'int32' || !tf.util.arraysEqual(l.shape, [bufferSize]))) {
        throw new GankitError(
          'checkpoint',
          `${name}: saved labels must be int32 [${bufferSize}] beside a buffer, got ${formatShape(l.shape)} ${l.dtype}`,
        );
      }
      if (!b && (f as number) > 0)
        throw new GankitError('checkpoint', `${name}: state says ${f} fakes are held but has no 'buffer' tensor`);
      free();
      // tf.variable shares the data of its initial value; tidy frees the temporary handles.
      if (b) buffer = tf.tidy(() => tf.variable(tf.clone(b), false));
      if (l) labels = tf.tidy(() => tf.variable(tf.clone(l), false));
      filled = f as number;
      seen = sn as number;
    },
    dispose() {
      free();
      filled = 0;
      seen = 0;
    },
  };
}
