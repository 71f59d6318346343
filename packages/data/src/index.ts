/**
 * `@gankit/data`: data sources for gankit, browser-safe.
 *
 * - 2-D toy mixtures sampled afresh each batch: {@link ringMixture}, {@link gridMixture}, {@link spiral},
 *   {@link gaussianMixture}; each exposes its `modes` (centres) and `std` for mode-coverage metrics.
 * - {@link InMemoryDataset} ({@link tensorDataset}): finite data with a seeded reshuffle every epoch,
 *   batches that wrap across epochs, int32 labels and an exact-resume `state()`.
 * - IDX (the MNIST file format) from bytes: {@link parseIdx}, {@link encodeIdx}, {@link idxToDataset}.
 * - {@link PairedDataset} ({@link pairedDataset}): aligned (input, target) pairs for paired
 *   translation and super-resolution, served as two data sources over one order.
 * - Image helpers: {@link resizeBilinear}, {@link fitImage}, {@link rgbaToChannels},
 *   {@link scaleToMinusOneOne}.
 * - {@link datasets}: the 2-D mixtures by name, with the schema of their options.
 * - Captions written from digit pixels for text to image ({@link captionDigits}: class, stroke width
 *   and slant measured by {@link measureDigits}, "a thick seven leaning right"), and a word-level
 *   {@link WordVocabulary}.
 *
 * File access (IDX files, the `mnist` digits, Fashion-MNIST, image folders, streaming) lives in the
 * Node-only entry `@gankit/data/node`.
 *
 * @packageDocumentation
 */
export { GaussianMixture, gaussianMixture, gridMixture, ringMixture, spiral, checkBatchSize } from './toy';
export type { GaussianMixtureOptions, GridOptions, MixtureOptions, RingOptions, SpiralOptions } from './toy';
export { EpochOrder } from './order';
export type { EpochState } from './order';
export { InMemoryDataset, checkLabels, minusOneOneToBytes, scaleToMinusOneOne, tensorDataset } from './memory';
export type { TensorDatasetOptions, ValueRange } from './memory';
export { PairedDataset, pairedDataset } from './paired';
export type { PairBatch, PairedDatasetOptions } from './paired';
export { IDX_TYPE_CODES, checkIdxBytes, decodeIdxValues, encodeIdx, idxToDataset, parseIdx, parseIdxHeader } from './idx';
export type { IdxArray, IdxData, IdxDatasetOptions, IdxDtype, IdxHeader } from './idx';
export { fitImage, resizeBilinear, rgbaToChannels } from './image';
export {
  DIGIT_WORDS,
  NUM_DIGIT_CAPTIONS,
  SLANT_PHRASES,
  THICKNESS_WORDS,
  WordVocabulary,
  attributeWords,
  captionDigits,
  digitCaption,
  digitCaptionId,
  digitCaptionParts,
  digitCaptionThresholds,
  digitCaptionVocabulary,
  measureDigits,
} from './captions';
export type { CaptionedDigits, DigitAttributes, DigitCaptionParts, DigitCaptionThresholds } from './captions';
export { dataSetEntry, datasets } from './registry';
export type { DataTraits, DatasetEntry } from './registry';
export type { Fit, RawImage, Region } from './image';
