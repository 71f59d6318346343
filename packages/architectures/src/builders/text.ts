// Text to image (Reed et al. 2016): a small word-level text encoder and DCGAN networks conditioned
// on caption embeddings, taking either caption ids (looked up in a frozen table) or the embeddings
// themselves (GAN-INT's interpolated captions).
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions, WeightParametrizationFactory } from '@gankit/core';
import { graphNetwork } from '../graph';
import type { GraphNetwork } from '../graph';
import { normal } from '../initializers';
import { checkPositiveInt, createVariable } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { leakyRelu } from '../layers/activations';
import { dense } from '../layers/dense';
import { embedding } from '../layers/embedding';
import { checkLabels } from '../network-utils';
import { dcganDiscriminatorFeatures, dcganGeneratorLayers, dcganLayout } from './dcgan';

/** Configuration of {@link textEncoder}. */
export interface TextEncoderConfig {
  /** Number of token ids, padding (id 0) included. */
  readonly vocabularySize: number;
  /** Tokens per caption (shorter captions are padded with id 0). */
  readonly maxLength: number;
  /** Length of each token's (and position's) embedding (default 32). */
  readonly tokenDim?: number | undefined;
  /** Units of the hidden dense layer (default 64). */
  readonly hiddenUnits?: number | undefined;
  /** Length of the caption embedding (default 32). */
  readonly outputDim?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'text-encoder'`). */
  readonly name?: string | undefined;
}

/**
 * A small word-level text encoder φ(t): token ids `[batch, maxLength]` (int32, 0 = padding) →
 * caption embeddings `[batch, outputDim]`. Each token's learned embedding plus a learned embedding
 * of its position goes through a dense layer with leaky ReLU (the same for every token), the
 * results are averaged over the caption's tokens (padding excluded), and a linear dense layer makes
 * the embedding: a bag of positioned words, cheap and without recurrence, where the nonlinearity
 * before the average lets the same word mean different things in different places (word order
 * matters). It stands in for Reed et al.'s char-CNN-RNN on a small vocabulary; train it with any
 * objective (the mnist-text2image example trains it with a joint image–text embedding, then
 * freezes it).
 *
 * Variables: `<name>/tokens/embeddings`, `<name>/positions/embeddings`, then the per-token dense
 * layer (`<name>/token/...`) and the output layer (`<name>/head`).
 */
export function textEncoder(config: TextEncoderConfig): GraphNetwork {
  const what = 'textEncoder';
  const vocab = checkPositiveInt(config.vocabularySize, `${what}: vocabularySize`);
  const maxLength = checkPositiveInt(config.maxLength, `${what}: maxLength`);
  const tokenDim = checkPositiveInt(config.tokenDim ?? 32, `${what}: tokenDim`);
  const hidden = checkPositiveInt(config.hiddenUnits ?? 64, `${what}: hiddenUnits`);
  const outputDim = checkPositiveInt(config.outputDim ?? 32, `${what}: outputDim`);
  const name = config.name ?? 'text-encoder';
  return graphNetwork({
    name,
    inputShape: [maxLength],
    inputDtype: 'int32',
    seed: config.seed,
    build: (b) => {
      const tokens = b.layer(embedding({ inputDim: vocab, outputDim: tokenDim }), [maxLength], 'tokens');
      const positions = b.layer(embedding({ inputDim: maxLength, outputDim: tokenDim }), [maxLength], 'positions');
      const perToken = b.chain([dense({ units: hidden }), leakyRelu({ alpha: 0.2 })], [tokenDim], 'token');
      const head = b.layer(dense({ units: outputDim }), [hidden], 'head');
      return {
        outputShape: [outputDim],
        forward: (x, options) => {
          const values = x.dataSync();
          for (let i = 0; i < values.length; i++) {
            if (!(values[i] >= 0 && values[i] < vocab)) {
              throw new GankitError('value', `network '${name}': token id ${values[i]} is out of range [0, ${vocab})`);
            }
          }
          const batch = x.shape[0];
          const mask = tf.expandDims(tf.cast(tf.notEqual(x, 0), 'float32'), 2); // [b, L, 1]
          const pos = positions.apply(tf.range(0, maxLength, 1, 'int32'), options); // [L, tokenDim]
          const words = tf.reshape(tf.add(tokens.apply(x, options), pos), [batch * maxLength, tokenDim]);
          const h = tf.reshape(perToken.apply(words, options), [batch, maxLength, hidden]);
          const summed = tf.sum(tf.mul(h, mask), 1); // [b, hidden]
          const count = tf.maximum(tf.sum(mask, 1), 1); // [b, 1]
          return head.apply(tf.div(summed, count), options);
        },
      };
    },
  });
}

/**
 * Caption embeddings for a text-conditioned network: the table itself `[numCaptions, d]` (copied
 * into the network as a non-trainable variable, saved with its weights), or its size only (a zero
 * table, e.g. to load a trained run's weights into).
 */
export type CaptionEmbeddings = tf.Tensor | { readonly numCaptions: number; readonly dim: number };

function tableShape(e: CaptionEmbeddings, what: string): [number, number] {
  if (e instanceof tf.Tensor) {
    if (e.rank !== 2 || e.dtype !== 'float32' || e.size === 0) {
      throw new GankitError(
        'shape',
        `${what}: captionEmbeddings must be a float32 table [numCaptions, d], got ${formatShape(e.shape)} ${e.dtype}`,
      );
    }
    return [e.shape[0] as number, e.shape[1] as number];
  }
  if (e == null || typeof e !== 'object') {
    throw new GankitError('config', `${what}: captionEmbeddings must be a tensor [numCaptions, d] or { numCaptions, dim }`);
  }
  return [
    checkPositiveInt(e.numCaptions, `${what}: captionEmbeddings.numCaptions`),
    checkPositiveInt(e.dim, `${what}: captionEmbeddings.dim`),
  ];
}

/**
 * A frozen caption-embedding table as a layer: `apply(labels)` returns `[batch, d]` for caption ids
 * (int32 `[batch]`, looked up) or passes caption embeddings (float32 `[batch, d]`) through.
 */
function captionTable(init: CaptionEmbeddings, shape: [number, number]): LayerSpec {
  return {
    kind: 'captions',
    build: (ctx: LayerBuildContext): Layer => {
      const table = createVariable(`${ctx.name}/table`, () => (init instanceof tf.Tensor ? tf.clone(init) : tf.zeros(shape)), false);
      return {
        name: ctx.name,
        inputShape: ctx.inputShape,
        usesLabels: false,
        trainableVariables: [],
        nonTrainableVariables: [table],
        outputShape: () => [shape[1]],
        apply: (labels: tf.Tensor) => tf.gather(table, labels),
        dispose: () => {
          if (!table.isDisposed) table.dispose();
        },
      };
    },
  };
}

/**
 * The caption embeddings `[batch, d]` a text-conditioned network runs on: `options.labels` as
 * caption ids (int32 `[batch]`, each in `[0, numCaptions)`, looked up in `table`) or as embeddings
 * (float32 `[batch, d]`, used as given).
 */
function captionsOf(name: string, table: Layer, options: ApplyOptions, batch: number, shape: [number, number]): tf.Tensor {
  const labels = options.labels;
  if (labels == null) {
    throw new GankitError(
      'argument',
      `network '${name}' is text-conditioned: pass caption ids (int32 [${batch}]) or caption embeddings (float32 [${batch}, ${shape[1]}]) as options.labels`,
    );
  }
  if (labels.dtype === 'int32') return table.apply(checkLabels(name, options, batch, shape[0]), options);
  if (labels.dtype !== 'float32' || labels.rank !== 2 || labels.shape[0] !== batch || labels.shape[1] !== shape[1]) {
    throw new GankitError(
      'shape',
      `network '${name}': labels must be caption ids (int32 [${batch}]) or caption embeddings (float32 [${batch}, ${shape[1]}]), got ${formatShape(labels.shape)} ${labels.dtype}`,
    );
  }
  return labels;
}

/** Configuration of {@link textConditionalGenerator}. */
export interface TextConditionalGeneratorConfig {
  /** The frozen caption embeddings φ(t) (or their size: see {@link CaptionEmbeddings}). */
  readonly captionEmbeddings: CaptionEmbeddings;
  /** Length the caption embedding is compressed to before it joins z (default 32). */
  readonly projectionDim?: number | undefined;
  /** Length of z (default 100). */
  readonly latentDim?: number | undefined;
  /** Generated image shape (default `[28, 28, 1]`; any shape `dcganLayout` accepts). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the last hidden layer, doubled per earlier layer (default 64). */
  readonly baseFilters?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/**
 * A text-conditioned DCGAN generator (Reed et al. 2016, Figure 2): the caption embedding φ(t) is
 * compressed by a dense layer with leaky ReLU (0.2) to `projectionDim`, concatenated to z, and the
 * DCGAN generator makes the image (dense → `7×7` with batch norm and ReLU, stride-2 transposed
 * convolutions, tanh).
 *
 * `apply(z, { labels })` takes caption ids (int32 `[batch]`, looked up in the frozen table) or
 * caption embeddings (float32 `[batch, d]`, e.g. GAN-INT's interpolations). The table is a
 * non-trainable variable `<name>/captions/table`, saved and loaded with the weights.
 */
export function textConditionalGenerator(config: TextConditionalGeneratorConfig): GraphNetwork {
  const what = 'textConditionalGenerator';
  const shape = tableShape(config.captionEmbeddings, what);
  const projectionDim = checkPositiveInt(config.projectionDim ?? 32, `${what}: projectionDim`);
  const latentDim = checkPositiveInt(config.latentDim ?? 100, `${what}: latentDim`);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { start, steps, channels } = dcganLayout(imageShape, what);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  const name = config.name ?? 'generator';
  return graphNetwork({
    name,
    inputShape: [latentDim],
    seed: config.seed,
    build: (b) => {
      const table = b.layer(captionTable(config.captionEmbeddings, shape), [], 'captions');
      const text = b.chain(
        [dense({ units: projectionDim, kernelInitializer: normal(0, 0.02) }), leakyRelu({ alpha: 0.2 })],
        [shape[1]],
        'text',
      );
      const body = b.chain(dcganGeneratorLayers(start, steps, channels, base), [latentDim + projectionDim]);
      return {
        outputShape: body.outputShape,
        forward: (z, options) => {
          const h = text.apply(captionsOf(name, table, options, z.shape[0], shape), options);
          return body.apply(tf.concat([z, h], 1), options);
        },
      };
    },
  });
}

/** Configuration of {@link textConditionalDiscriminator}. */
export interface TextConditionalDiscriminatorConfig {
  /** The frozen caption embeddings φ(t) (or their size: see {@link CaptionEmbeddings}). */
  readonly captionEmbeddings: CaptionEmbeddings;
  /** Length the caption embedding is compressed to before its projection (default 32). */
  readonly projectionDim?: number | undefined;
  /** Input image shape (default `[28, 28, 1]`). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Filters of the first conv layer, doubled per later layer (default 64). */
  readonly baseFilters?: number | undefined;
  /** Batch norm after every conv but the first (default `false`: D sees three kinds of pairs in separate batches). */
  readonly batchNorm?: boolean | undefined;
  /** Reparametrizes every conv and dense kernel (e.g. spectral norm). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

/**
 * A text-conditioned DCGAN discriminator: one logit `[batch, 1]` per (image, caption) pair,
 * `ψ(φ(x)) + ⟨P(h), φ(x)⟩`, where φ is the DCGAN feature extractor (stride-2 convs, leaky ReLU,
 * flattened), ψ a dense layer to one logit and `h` the caption embedding compressed by a dense
 * layer with leaky ReLU to `projectionDim` (as in Reed et al. 2016), then projected onto the
 * features by the linear map P (the projection discriminator of Miyato & Koyama 2018 with a text
 * embedding in place of the class embedding). The inner product scores how well image and caption
 * match, which is what GAN-CLS's mismatched pairs train.
 *
 * `apply(x, { labels })` takes caption ids or caption embeddings, as
 * {@link textConditionalGenerator}; the endpoint `'features'` returns φ(x).
 */
export function textConditionalDiscriminator(config: TextConditionalDiscriminatorConfig): GraphNetwork {
  const what = 'textConditionalDiscriminator';
  const shape = tableShape(config.captionEmbeddings, what);
  const projectionDim = checkPositiveInt(config.projectionDim ?? 32, `${what}: projectionDim`);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { steps } = dcganLayout(imageShape, what);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  const wp = config.weightParametrization;
  const init = normal(0, 0.02);
  const name = config.name ?? 'discriminator';
  return graphNetwork({
    name,
    inputShape: [...imageShape],
    seed: config.seed,
    build: (b) => {
      const table = b.layer(captionTable(config.captionEmbeddings, shape), [], 'captions');
      const phi = b.chain(dcganDiscriminatorFeatures(steps, base, config.batchNorm ?? false, wp), imageShape, 'phi');
      const features = phi.outputShape[0];
      const psi = b.layer(dense({ units: 1, kernelInitializer: init, weightParametrization: wp }), phi.outputShape, 'psi');
      const text = b.chain(
        [
          dense({ units: projectionDim, kernelInitializer: init, weightParametrization: wp }),
          leakyRelu({ alpha: 0.2 }),
          dense({ units: features, useBias: false, kernelInitializer: init, weightParametrization: wp }),
        ],
        [shape[1]],
        'text',
      );
      return {
        outputShape: [1],
        forward: (x, options) => {
          const h = phi.apply(x, options);
          const t = text.apply(captionsOf(name, table, options, x.shape[0], shape), options);
          return tf.add(psi.apply(h, options), tf.sum(tf.mul(t, h), 1, true));
        },
        endpoints: { features: { outputShape: phi.outputShape, forward: (x, options) => phi.apply(x, options) } },
      };
    },
  });
}
