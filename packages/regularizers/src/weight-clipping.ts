import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { GanPlugin, Network, StepContext } from '@gankit/core';

/** Options of {@link weightClipping}. */
export interface WeightClippingOptions {
  /** Clip bound c > 0: each weight is clipped into [−c, c] (default 0.01). */
  readonly c?: number | undefined;
  /** The plugin's name (default `'weight-clipping'`). */
  readonly name?: string | undefined;
}

/** The weight clipping plugin (see {@link weightClipping}). */
export interface WeightClippingPlugin extends GanPlugin {
  /** The plugin's name. */
  readonly name: string;
  /** The clip bound c. */
  readonly c: number;
  /** Clips the trainable variables of every discriminator of the update (both of CycleGAN's) after it. */
  afterDiscriminatorStep(s: StepContext): void;
  /** Clips a network's trainable variables into [−c, c] in place. */
  clip(net: Network): void;
}

/**
 * Weight clipping of the original WGAN (Arjovsky et al. 2017): after each discriminator update,
 * every trainable variable of each discriminator it updated is clipped into `[−c, c]`, a crude way to keep the
 * critic Lipschitz. Non-trainable variables are left alone.
 *
 * @example
 * ```ts
 * plugins: [weightClipping({ c: 0.01 })]
 * ```
 */
export function weightClipping(options: WeightClippingOptions = {}): WeightClippingPlugin {
  const name = options.name ?? 'weight-clipping';
  const c = options.c ?? 0.01;
  if (typeof c !== 'number' || !Number.isFinite(c) || c <= 0) {
    throw new GankitError('config', `${name}: c must be a finite number > 0, got ${c}`);
  }
  const clip = (net: Network): void => {
    tf.tidy(() => {
      for (const v of net.trainableVariables) v.assign(tf.clipByValue(v, -c, c));
    });
  };
  return {
    name,
    c,
    clip,
    // Reads StepContext.pairs (version 3) to clip every discriminator of the update.
    apiVersion: 3,
    afterDiscriminatorStep(s: StepContext): void {
      for (const p of s.pairs) clip(p.discriminator);
    },
  };
}
