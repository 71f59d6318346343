/**
 * `@gankit/architectures`: layers written on tfjs-core ops and GAN model builders that implement the
 * gankit `Network` contract.
 *
 * - Layers ({@link dense}, {@link conv2d}, {@link conv2dTranspose}, {@link batchNorm},
 *   {@link conditionalBatchNorm}, {@link embedding}, {@link upsampling2d}, {@link reshape},
 *   {@link flatten}, {@link concatLabel}, activations) are specs that {@link sequential} builds
 *   eagerly, checking shapes layer by layer.
 * - Seeded initialisers ({@link glorotUniform}, {@link heNormal}, {@link normal}, ...): the same
 *   seed gives bit-identical weights.
 * - More layers: {@link instanceNorm}, {@link layerNorm}, {@link avgPool2d}, {@link globalSumPool2d}, {@link pad2d}
 *   (reflection padding) and {@link residual} blocks.
 * - {@link graphNetwork}: a `Network` with any forward function over its layers (branches, heads,
 *   label-dependent terms), where {@link sequential} is a straight line.
 * - Builders: {@link mlpGenerator} / {@link mlpDiscriminator} for 2-D toy GANs,
 *   {@link dcganMnistGenerator} / {@link dcganMnistDiscriminator} (the benchmark model),
 *   {@link dcganGenerator} / {@link dcganDiscriminator} for 28×28, 32×32 and 64×64 images,
 *   conditional GANs ({@link conditionalGenerator}, {@link conditionalDiscriminator} with
 *   projection, {@link acganDiscriminator}), InfoGAN's ({@link infoganGenerator},
 *   {@link infoganDiscriminator} with its Q head), SNGAN's ResNets ({@link snganGenerator},
 *   {@link snganDiscriminator}), BigGAN's conditioning ({@link bigganGenerator}: z split across
 *   the blocks into {@link linearConditionalBatchNorm} with a shared class embedding) and CycleGAN's networks ({@link cycleganGenerator},
 *   {@link patchganDiscriminator}), BEGAN's autoencoder discriminator ({@link beganDiscriminator},
 *   {@link beganAutoencoder}, {@link beganCompactAutoencoder}, {@link beganGenerator}).
 * - Text to image (Reed et al. 2016): a word-level {@link textEncoder} and DCGAN networks on
 *   caption embeddings ({@link textConditionalGenerator}, {@link textConditionalDiscriminator}) that
 *   take caption ids or the embeddings themselves.
 * - A style-based generator (Karras et al. 2019, 2020): {@link styleGenerator} with {@link adain},
 *   {@link modulatedConv2d} and {@link noiseInput}; {@link mixStyles}, {@link truncateStyles} and
 *   the style-mixing latent {@link styleMixingLatent}.
 * - Paired translation and super-resolution (pix2pix, SRGAN): {@link unetGenerator},
 *   {@link pix2pixDiscriminator} on {@link packPair}'s pairs, {@link pairedGenerator}.
 * - Self-attention (SAGAN, Zhang et al. 2019): the {@link selfAttention} layer for any network, and
 *   the DCGAN builders' `selfAttention` option; {@link selfAttentionMap} for its attention maps.
 * - Progressive growing (Karras et al. 2018): {@link progressiveGenerator} and
 *   {@link progressiveDiscriminator} growing by resolution with a fade-in, {@link pixelNorm},
 *   {@link minibatchStddev} and the equalized learning rate ({@link equalizedLearningRate},
 *   {@link equalizedDense}, {@link equalizedConv2d}).
 * - {@link fromLayersModel}: a tfjs-layers model as a `Network`.
 * - {@link packDiscriminator}: PacGAN's packing, a discriminator that judges m samples jointly.
 * - {@link architectures}: the G/D pairs a configured run names (`dcgan`, `conditional`, `mlp`, `biggan`),
 *   with the schema of their options.
 *
 * @packageDocumentation
 */
export type { Initializer, Fans } from './initializers';
export { computeFans, constant, glorotUniform, heNormal, normal, ones, zeros } from './initializers';
export type { BuildLayerOptions, Layer, LayerBuildContext, LayerSpec } from './layer';
export { buildLayer } from './layer';
export type { KernelLayerConfig } from './layers/weights';
export type { Padding } from './layers/conv-utils';
export { convOutputLength, convTransposeOutputLength } from './layers/conv-utils';
export type { DenseConfig } from './layers/dense';
export { dense } from './layers/dense';
export type { Conv2dConfig } from './layers/conv2d';
export { conv2d } from './layers/conv2d';
export type { Conv2dTransposeConfig } from './layers/conv2d-transpose';
export { conv2dTranspose } from './layers/conv2d-transpose';
export type { BatchNormConfig } from './layers/batch-norm';
export { batchNorm } from './layers/batch-norm';
export type { ConditionalBatchNormConfig } from './layers/conditional-batch-norm';
export { conditionalBatchNorm } from './layers/conditional-batch-norm';
export type { LinearConditionalBatchNormConfig, LinearConditionalBatchNormLayer } from './layers/conditional-batch-norm-linear';
export { asLinearConditionalBatchNorm, linearConditionalBatchNorm } from './layers/conditional-batch-norm-linear';
export type { EmbeddingConfig } from './layers/embedding';
export { embedding } from './layers/embedding';
export type { ConcatLabelConfig } from './layers/concat-label';
export { concatLabel, concatOneHot } from './layers/concat-label';
export type { FlattenConfig, ReshapeConfig, Upsampling2dConfig } from './layers/shape-layers';
export { flatten, reshape, upsampling2d } from './layers/shape-layers';
export type { ActivationConfig, ActivationName, LeakyReluConfig } from './layers/activations';
export { activation, elu, leakyRelu, linear, relu, sigmoid, tanh } from './layers/activations';
export type { SequentialConfig, SequentialNetwork } from './sequential';
export { sequential } from './sequential';
export type { MlpActivation, MlpCommonConfig, MlpDiscriminatorConfig, MlpGeneratorConfig } from './builders/mlp';
export { mlpDiscriminator, mlpGenerator } from './builders/mlp';
export type { DcganMnistDiscriminatorConfig, DcganMnistGeneratorConfig } from './builders/dcgan-mnist';
export { dcganMnistDiscriminator, dcganMnistGenerator } from './builders/dcgan-mnist';
export type {
  DcganDiscriminatorConfig,
  DcganGeneratorConfig,
  DcganImageShape,
  DcganNormalization,
  DcganUpsampling,
} from './builders/dcgan';
export { dcganDiscriminator, dcganGenerator, dcganLayout } from './builders/dcgan';
export type {
  BeganCompactAutoencoderConfig,
  BeganDiscriminator,
  BeganDiscriminatorConfig,
  BeganGeneratorConfig,
  BeganNetworkConfig,
} from './builders/began';
export { beganAutoencoder, beganCompactAutoencoder, beganDiscriminator, beganGenerator } from './builders/began';
export type { BuildChainOptions, LayerChain } from './chain';
export { buildChain, LayerNamer } from './chain';
export type { GraphBuilder, GraphDefinition, GraphEndpoint, GraphNetwork, GraphNetworkConfig } from './graph';
export { graphNetwork } from './graph';
export { checkLabels, checkNetworkInput } from './network-utils';
export type { InstanceNormConfig, LayerNormConfig } from './layers/instance-norm';
export { instanceNorm, layerNorm } from './layers/instance-norm';
export type { AvgPool2dConfig, GlobalSumPool2dConfig, Pad2dConfig, PadMode } from './layers/pooling';
export { avgPool2d, globalSumPool2d, pad2d } from './layers/pooling';
export type { ResidualConfig, ResidualLayer } from './layers/residual';
export { residual } from './layers/residual';
export type {
  AcganDiscriminatorConfig,
  AcganOutput,
  ConditionalDiscriminatorConfig,
  ConditionalGeneratorConfig,
  DiscriminatorConditioning,
  GeneratorConditioning,
} from './builders/conditional';
export { acganDiscriminator, conditionalDiscriminator, conditionalGenerator, splitAcganOutput } from './builders/conditional';
export type {
  CaptionEmbeddings,
  TextConditionalDiscriminatorConfig,
  TextConditionalGeneratorConfig,
  TextEncoderConfig,
} from './builders/text';
export { textConditionalDiscriminator, textConditionalGenerator, textEncoder } from './builders/text';
export type { InfoganDiscriminatorConfig, InfoganGeneratorConfig } from './builders/info-gan';
export { infoganDiscriminator, infoganGenerator } from './builders/info-gan';
export type { BigganGeneratorConfig, BigganLatentLayout } from './builders/biggan';
export { bigganGenerator, bigganLatentLayout } from './builders/biggan';
export type { ResBlockDownConfig, ResBlockUpConfig, SnganDiscriminatorConfig, SnganGeneratorConfig } from './builders/sngan';
export { optimizedResBlockDown, resBlockDown, resBlockUp, snganDiscriminator, snganGenerator } from './builders/sngan';
export type { CycleganGeneratorConfig, CycleganResidualBlockConfig, PatchganDiscriminatorConfig } from './builders/cyclegan';
export { cycleganGenerator, cycleganResidualBlock, patchganDiscriminator } from './builders/cyclegan';
export type { FromLayersModelOptions, LayersModelLike, LayersModelNetwork, LayersWeightLike } from './adapters/layers-model';
export { fromLayersModel } from './adapters/layers-model';
export type { PackDiscriminatorOptions, PackedDiscriminator } from './packing';
export { packDiscriminator } from './packing';
export { architectures } from './registry';
export type {
  ArchitectureEntry,
  ArchitectureSpec,
  ArchitectureTraits,
  DiscriminatorSpec,
  GanArchitecture,
} from './registry';
export type { SelfAttentionConfig, SelfAttentionLayer, SelfAttentionMapOptions } from './layers/self-attention';
export { asSelfAttention, selfAttention, selfAttentionMap } from './layers/self-attention';
export type { PixelNormConfig } from './layers/pixel-norm';
export { pixelNorm } from './layers/pixel-norm';
export type { MinibatchStddevConfig } from './layers/minibatch-stddev';
export { minibatchStddev } from './layers/minibatch-stddev';
export type { EqualizedLayerOptions, EqualizedLearningRateOptions } from './layers/equalized';
export { equalizedConv2d, equalizedDense, equalizedLearningRate } from './layers/equalized';
export type { AdainConfig, AdainLayer } from './layers/adain';
export { adain, adaptiveInstanceNorm, asAdain } from './layers/adain';
export type { ModulatedConv2dConfig, ModulatedConv2dLayer } from './layers/modulated-conv';
export { asModulatedConv2d, modulateKernel, modulatedConv2d } from './layers/modulated-conv';
export type { NoiseInputConfig, NoiseInputLayer } from './layers/style-noise';
export { asNoiseInput, exampleSeeds, noiseInput, styleNoise } from './layers/style-noise';
export type { StyleMixingLatentConfig } from './layers/style-ops';
export { mixStyles, styleMixingLatent, truncateStyles } from './layers/style-ops';
export type { StyleGenerator, StyleGeneratorConfig, StyleMode, SynthesizeOptions } from './builders/style-generator';
export { styleGenerator } from './builders/style-generator';
export type {
  ProgressiveCommonConfig,
  ProgressiveDiscriminatorConfig,
  ProgressiveGeneratorConfig,
  ProgressiveNetwork,
} from './builders/progressive';
export { progressiveDiscriminator, progressiveGenerator } from './builders/progressive';
export type { UnetGeneratorConfig, UnetNorm } from './builders/unet';
export { unetGenerator, unetLayout } from './builders/unet';
export type { Pix2pixDiscriminatorConfig } from './builders/patchgan';
export { packPair, pairedGenerator, patchganReceptiveField, pix2pixDiscriminator, unpackPair } from './builders/patchgan';
