/**
 * `@gankit/trainer`: the GAN training loop that runs gankit plugins.
 *
 * @packageDocumentation
 */
export { Trainer } from './trainer';
export type { FitOptions, FitResult, LatentSampler, TrainerOptions } from './trainer';
