export { DWT2D, DWT2D_LAYOUTS, type DWT2DArgs, type DWT2DLayout } from './dwt2d_layer';
export { ChannelSlice, type ChannelSliceArgs } from './channel_slice_layer';
export { BicubicUpsample2x } from './bicubic_upsample_layer';
export { PixelShuffle, type PixelShuffleArgs } from './pixel_shuffle_layer';
export {
  Upsample,
  UPSAMPLE_MODES,
  interpolationMatrix,
  upsample,
  type UpsampleArgs,
  type UpsampleMode,
} from './upsample_layer';
export {
  Upsample2x,
  UPSAMPLE_2X_MODES,
  bilinearUpsample2x,
  nearestUpsample2x,
  type Upsample2xArgs,
  type Upsample2xMode,
} from './upsample2x_layer';
export {
  BATCH_NORM_EPSILON,
  BATCH_NORM_MOMENTUM,
  batchNorm,
  conv2d,
  convTranspose4x4,
  feedForward,
  residualWaveBlock,
  validateDims,
  validateLevel,
  validateUpsample,
  WAVEMIX_UPSAMPLES,
  waveBlock,
  type FeedForwardOptions,
  type WaveBlockOptions,
  type WaveMixDims,
  type WaveMixUpsample,
} from './wave_block';
export { PointwiseMlp, type PointwiseMlpArgs } from './pointwise_mlp';
export { ChannelAffine } from './channel_affine_layer';
export { WaveMixDropout, type WaveMixDropoutArgs } from './dropout_layer';
export {
  type BatchNormalizationArgs,
  registerWaveMixBatchNormalization,
  WaveMixBatchNormalization,
  waveMixBatchNormalization,
} from './batch_norm_layer';
export { residualWaveBlockV2, waveBlockV2, type WaveBlockV2Options } from './wave_block_v2';
export { torchBiasInitializer, torchKernelInitializer } from './initializers';
export type { LayerArgs, Shape } from './layer_utils';
