// The tracked mean w of a style-based generator (Karras et al. 2019, appendix B): the centre of
// mass that the truncation trick in W pulls styles toward, kept as a plugin so checkpoints carry it.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type GanPlugin, type Network, type PluginState } from '@gankit/core';

/**
 * What {@link meanStyleTracker} needs of a generator: its mapping network. `styleGenerator` of
 * `@gankit/architectures` is one.
 */
export interface StyleMappingNetwork extends Network {
  /** Length of each w. */
  readonly styleDim: number;
  /** The mapping network f: z `[batch, d]` or per-layer `[batch, L, d]` → w of the same leading shape and length `styleDim`. */
  map(z: tf.Tensor, options?: { readonly training: boolean }): tf.Tensor;
}

/** Options of {@link meanStyleTracker}. */
export interface MeanStyleTrackerOptions {
  /** β of the running mean `w̄ ← β·w̄ + (1 − β)·mean(w)` (default 0.995, as StyleGAN). */
  readonly decay?: number | undefined;
  /** Role of the style generator among the trainer's networks (default: the primary pair's generator). */
  readonly network?: string | undefined;
  /** Plugin name (default `'mean-w'`); it names the state in checkpoints. */
  readonly name?: string | undefined;
}

/** The plugin {@link meanStyleTracker} returns. */
export interface MeanStyleTracker extends GanPlugin {
  /** β. */
  readonly decay: number;
  /** Generator updates seen so far. */
  readonly updates: number;
  /**
   * The tracked mean w̄ `[styleDim]` (owned by the plugin: do not dispose it; it is replaced after
   * every generator update, so read it when you use it). Pass it to `truncateStyles` of
   * `@gankit/architectures` for the truncation trick. Throws before `setup`.
   */
  readonly mean: tf.Tensor1D;
}

function isStyleMapping(net: Network | undefined): net is StyleMappingNetwork {
  const n = net as Partial<StyleMappingNetwork> | undefined;
  return n != null && typeof n.map === 'function' && Number.isInteger(n.styleDim);
}

/**
 * Tracks the mean intermediate latent w̄ = E_z[f(z)] of a style-based generator, the point the
 * truncation trick in W pulls toward (Karras et al. 2019, §3.1 and appendix B:
 * `w' = w̄ + ψ (w − w̄)`). After every generator update it maps that update's latent batch (the
 * per-layer z's of every example) through the generator's mapping network f in inference mode and
 * moves the running mean: the first update sets `w̄` to the batch mean, later ones
 * `w̄ ← β·w̄ + (1 − β)·mean(f(z))` (StyleGAN's `dlatent_avg` with β = 0.995; it starts from zero
 * instead, which the first update's direct set avoids).
 *
 * The mean and the update count are the plugin's checkpoint state (`mean_w` and `{ updates }`), so a
 * resumed run continues bit for bit. Read {@link MeanStyleTracker.mean} to truncate samples.
 *
 * @example
 * ```ts
 * const tracker = meanStyleTracker();
 * const trainer = new Trainer({ generator: styleGenerator(), discriminator, data, loss,
 *   latent: styleMixingLatent({ numStyles: 6, latentDim: 32 }), plugins: [tracker] });
 * await trainer.fit({ steps: 1000 });
 * const ws = truncateStyles(g.map(z), tracker.mean, 0.7);
 * ```
 */
export function meanStyleTracker(options: MeanStyleTrackerOptions = {}): MeanStyleTracker {
  const decay = options.decay ?? 0.995;
  if (typeof decay !== 'number' || !(decay >= 0 && decay < 1))
    throw new GankitError('config', `meanStyleTracker: decay must be a number in [0, 1), got ${String(decay)}`);
  const name = options.name ?? 'mean-w';
  let net: StyleMappingNetwork | undefined;
  let mean: tf.Tensor1D | undefined;
  let updates = 0;
  const need = (): tf.Tensor1D => {
    if (!mean) throw new GankitError('state', `plugin '${name}': the mean w exists after setup (give the plugin to a trainer first)`);
    return mean;
  };
  return {
    name,
    // After the generator's own updates and regularizers, beside the weight averaging.
    order: 90,
    decay,
    get updates() {
      return updates;
    },
    get mean() {
      return need();
    },
    setup(ctx) {
      const found = options.network === undefined ? ctx.generator : ctx.networks[options.network];
      if (!isStyleMapping(found)) {
        const which = options.network === undefined ? 'the generator' : `network '${options.network}'`;
        throw new GankitError(
          'config',
          `plugin '${name}' (meanStyleTracker) needs a style generator with map(z) and styleDim (styleGenerator of @gankit/architectures), but ${which} has none`,
        );
      }
      if (mean && mean.shape[0] !== found.styleDim) {
        throw new GankitError(
          'checkpoint',
          `plugin '${name}': the loaded mean_w has length ${mean.shape[0]}, but the generator's w has ${found.styleDim}`,
        );
      }
      net = found;
      if (!mean) mean = tf.keep(tf.zeros([found.styleDim])) as tf.Tensor1D;
    },
    afterGeneratorStep(s) {
      const g = net as StyleMappingNetwork;
      const old = need();
      const batchMean = tf.tidy(() => {
        const w = g.map(s.z, { training: false });
        return tf.mean(tf.reshape(w, [-1, g.styleDim]), 0);
      });
      mean = tf.keep(updates === 0 ? batchMean : tf.add(batchMean, tf.mul(decay, tf.sub(old, batchMean)))) as tf.Tensor1D;
      if (mean !== batchMean) batchMean.dispose();
      old.dispose();
      updates++;
    },
    state(): PluginState {
      // The trainer copies what it saves: hand out the tensor itself.
      return { tensors: { mean_w: need() }, meta: { updates, decay } };
    },
    loadState(state) {
      const saved = state.tensors.mean_w;
      // On a new trainer a checkpoint is loaded before setup: check the length there if known, else at setup.
      const want = net ? net.styleDim : undefined;
      if (!(saved instanceof tf.Tensor) || saved.rank !== 1 || (want !== undefined && saved.shape[0] !== want)) {
        const got = saved instanceof tf.Tensor ? formatShape(saved.shape) : 'nothing';
        throw new GankitError(
          'checkpoint',
          `plugin '${name}': the checkpoint's mean_w must have shape [${want ?? 'styleDim'}], got ${got}`,
        );
      }
      const count = (state.meta as { updates?: unknown } | null | undefined)?.updates;
      if (!Number.isInteger(count) || (count as number) < 0)
        throw new GankitError(
          'checkpoint',
          `plugin '${name}': the checkpoint's updates must be a non-negative integer, got ${JSON.stringify(count)}`,
        );
      mean?.dispose();
      mean = tf.keep(tf.clone(saved)) as tf.Tensor1D;
      updates = count as number;
    },
    dispose() {
      mean?.dispose();
      mean = undefined;
    },
  };
}
