// The classic GAN (Goodfellow et al. 2014, Algorithm 1) as a game: k discriminator updates on fresh
// real and fake batches, then one generator update.
import type * as tf from '@tensorflow/tfjs-core';
import { GankitError, type DataSource, type LossPair, type Network } from '@gankit/core';
import type { Game, LatentSampler } from './game';

/** Options of {@link classicGame}: the networks, loss and data of one generator/discriminator pair. */
export interface ClassicGameOptions {
  /** The generator G: latent batch → sample batch. */
  readonly generator: Network;
  /**
   * The discriminator D: sample batch → one logit per example (`[batch, 1]` or `[batch]`), a patch
   * map of logits (`[batch, h, w, 1]`, PatchGAN: the losses average over every element), or any
   * output from which {@link ClassicGameOptions.adversarialOutput} picks such a part.
   */
  readonly discriminator: Network;
  /** The adversarial loss pair, e.g. `nonSaturating` from `@gankit/losses`. */
  readonly loss: LossPair;
  /** Where real examples come from. */
  readonly data: DataSource;
  /** Discriminator updates per iteration, k in Goodfellow et al.'s Algorithm 1 (default 1). */
  readonly discriminatorSteps?: number | undefined;
  /** Optimizer of G's variables (default Adam, learning rate 2e-4, β₁ = 0.5). Not shared with D. */
  readonly generatorOptimizer?: tf.Optimizer | undefined;
  /** Optimizer of D's variables (default Adam, learning rate 2e-4, β₁ = 0.5). Not shared with G. */
  readonly discriminatorOptimizer?: tf.Optimizer | undefined;
  /** Latent distribution (default: standard normal of shape `generator.inputShape`). */
  readonly latent?: LatentSampler | undefined;
  /**
   * Conditional training: the real batch's labels are passed to D with the real batch, and to G
   * and D with the fake batch (default: `true` when the data set has classes).
   */
  readonly conditional?: boolean | undefined;
  /**
   * Labels of the fake batches in conditional training: `'real'` (default) gives G the labels of
   * the real batch of the same update, so the fakes follow the data's class frequencies and no
   * extra random draw is made (runs repeat those of earlier releases); `'uniform'` draws each
   * label uniformly from `0 .. data.numClasses-1` with the run's seeded random source, as AC-GAN
   * and most conditional GANs do. Either way `StepContext.fakeLabels` holds them.
   */
  readonly fakeLabels?: 'real' | 'uniform' | undefined;
  /**
   * Picks the part of D's output that the adversarial loss sees, for multi-head discriminators:
   * e.g. {@link acganAdversarialOutput} (column 0 of an ACGAN discriminator's `[batch, 1+K]`).
   * It must return one value per example or a patch map with a last dimension of 1. The logged
   * `dReal`/`dFake` use this part. Default: the whole output, which must then be of that kind.
   */
  readonly adversarialOutput?: ((output: tf.Tensor) => tf.Tensor) | undefined;
}

/**
 * The classic GAN as a {@link Game}: networks `generator` and `discriminator`, data `real`, one
 * pair, and two players: `discriminator` (k updates per iteration, each on a fresh real batch and
 * fresh fakes made outside the gradient scope) then `generator` (one update on fresh latent points,
 * with the last real batch). `new Trainer({ generator, discriminator, loss, data })` builds it.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ game: classicGame({ generator, discriminator, loss: nonSaturating, data }) });
 * ```
 */
export function classicGame(options: ClassicGameOptions): Game {
  const { generator, discriminator, loss, data } = options;
  if (!generator || !discriminator) throw new GankitError('config', 'Trainer needs both a `generator` and a `discriminator` network');
  if (!loss || typeof loss.discriminator !== 'function' || typeof loss.generator !== 'function') {
    throw new GankitError(
      'config',
      'Trainer `loss` must be a loss pair { discriminator(real, fake), generator(fake, real) }, e.g. from @gankit/losses',
    );
  }
  if (!data || typeof data.nextBatch !== 'function') {
    throw new GankitError('config', 'Trainer `data` must be a DataSource with nextBatch(batchSize, random)');
  }
  if (options.adversarialOutput !== undefined && typeof options.adversarialOutput !== 'function') {
    throw new GankitError('config', `adversarialOutput must be a function (output) => tensor, got ${typeof options.adversarialOutput}`);
  }
  if (options.generatorOptimizer && options.generatorOptimizer === options.discriminatorOptimizer) {
    throw new GankitError(
      'config',
      'generator and discriminator need separate optimizer instances: one shared optimizer mixes their state',
    );
  }
  const conditional = options.conditional ?? (data.numClasses !== undefined && data.numClasses > 0);
  const fakeLabels = options.fakeLabels ?? 'real';
  if (fakeLabels !== 'real' && fakeLabels !== 'uniform') {
    throw new GankitError('config', `fakeLabels must be 'real' or 'uniform', got ${JSON.stringify(fakeLabels)}`);
  }
  if (fakeLabels === 'uniform' && conditional && !(Number.isInteger(data.numClasses) && (data.numClasses as number) > 0)) {
    throw new GankitError(
      'config',
      `fakeLabels 'uniform' needs the number of classes, but data '${data.name}' has numClasses ${String(data.numClasses)}`,
    );
  }
  return {
    name: 'gan',
    networks: { generator, discriminator },
    data: { real: data },
    pairs: [{ name: '', generator: 'generator', discriminator: 'discriminator', data: 'real', input: { kind: 'latent' }, loss }],
    players: [
      {
        name: 'discriminator',
        kind: 'discriminator',
        networks: ['discriminator'],
        optimizer: options.discriminatorOptimizer,
        steps: options.discriminatorSteps ?? 1,
        draw: 'batch',
        fakes: 'constant',
      },
      {
        name: 'generator',
        kind: 'generator',
        networks: ['generator'],
        optimizer: options.generatorOptimizer,
        draw: 'inputs',
        fakes: 'tape',
      },
    ],
    latentShape: [...generator.inputShape],
    latent: options.latent,
    conditional,
    fakeLabels,
    adversarialOutput: options.adversarialOutput,
  };
}
