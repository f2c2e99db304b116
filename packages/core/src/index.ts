export * from './kernel_names';
export {
  WaveMixArgumentError,
  WaveMixBudgetError,
  WaveMixError,
  WaveMixKernelLimitError,
  WaveMixShaderError,
} from './errors';
export {
  halfSize,
  maxLevels,
  pyramidShapes,
  assertNhwcFloat32,
  assertLevels,
  assertIdwtInput,
  assertAdamWUpdateInputs,
  resolveOutputSize,
} from './shapes';
export { dwt2d } from './ops/dwt2d';
export { idwt2d } from './ops/idwt2d';
export { waveletPyramid } from './ops/wavelet_pyramid';
export { bicubicUpsample2x } from './ops/bicubic_upsample_2x';
export { nearestUpsample2x } from './ops/nearest_upsample_2x';
export { bilinearUpsample2x } from './ops/bilinear_upsample_2x';
export { assertSeededDropoutArgs, seededDropout } from './ops/seeded_dropout';
export { assertBatchNormTrainingArgs, batchNormTraining } from './ops/batch_norm_training';
export { assertChannelAffineArgs, channelAffine, runChannelAffine } from './ops/channel_affine';
export { channelAffineGradConfig } from './gradients/ChannelAffine_grad';
export {
  type ChannelAffineTensors,
  channelAffineComposite,
  channelAffineCompositeRaw,
  channelAffineGradients,
} from './composite_channel_affine';
export { assertPointwiseMlpInputs, pointwiseMlp, runPointwiseMlp } from './ops/pointwise_mlp';
export {
  hasKernel,
  runDwt2D,
  runIdwt2D,
  runWaveletPyramid,
  runBicubicUpsample2x,
  runBicubicUpsample2xGrad,
  runNearestUpsample2x,
  runNearestUpsample2xGrad,
  runBilinearUpsample2x,
  runBilinearUpsample2xGrad,
  runSeededDropout,
  runBatchNormTraining,
  runBatchNormTrainingGrad,
} from './ops/dispatch';
export {
  bicubicUpsample2xComposite,
  bicubicUpsample2xCompositeRaw,
  bicubicUpsample2xGradCompositeRaw,
} from './composite_bicubic';
export {
  nearestUpsample2xComposite,
  nearestUpsample2xCompositeRaw,
  nearestUpsample2xGradCompositeRaw,
} from './composite_nearest';
export {
  bilinearUpsample2xComposite,
  bilinearUpsample2xCompositeRaw,
  bilinearUpsample2xGradCompositeRaw,
  bilinearUpsample2xMatrix,
} from './composite_bilinear';
export {
  pointwiseMlpComposite,
  pointwiseMlpCompositeRaw,
  pointwiseMlpGradients,
  type PointwiseMlpInputName,
  type PointwiseMlpTensors,
} from './composite_pointwise_mlp';
export {
  dwt2dComposite,
  idwt2dComposite,
  waveletPyramidComposite,
  dwt2dCompositeRaw,
  idwt2dCompositeRaw,
  waveletPyramidCompositeRaw,
  waveletPyramidTranspose,
} from './composite';
export { dwt2DGradConfig } from './gradients/Dwt2D_grad';
export { idwt2DGradConfig } from './gradients/Idwt2D_grad';
export { waveletPyramidGradConfig } from './gradients/WaveletPyramid_grad';
export { bicubicUpsample2xGradConfig } from './gradients/BicubicUpsample2x_grad';
export { pointwiseMlpConcatGradConfig, pointwiseMlpGradConfig } from './gradients/PointwiseMlp_grad';
export { nearestUpsample2xGradConfig } from './gradients/NearestUpsample2x_grad';
export { bilinearUpsample2xGradConfig } from './gradients/BilinearUpsample2x_grad';
export { seededDropoutGradConfig } from './gradients/SeededDropout_grad';
export { batchNormTrainingGradConfig } from './gradients/BatchNormTraining_grad';
export {
  type BatchNormTrainingGradTensors,
  type BatchNormTrainingOutputs,
  batchNormTrainingComposite,
  batchNormTrainingGradCompositeRaw,
} from './composite_batch_norm';
export { registerWaveMixGradients, waveMixGradConfigs } from './gradients/register_gradients';
export { haarForward, haarInverse, haarPyramid, type Shape4 } from './impl/haar';
export {
  bicubicUpsample2xImpl,
  bicubicUpsample2xGradImpl,
  BICUBIC_EVEN_WEIGHTS,
  BICUBIC_ODD_WEIGHTS,
} from './impl/bicubic';
export { nearestUpsample2xImpl, nearestUpsample2xGradImpl } from './impl/nearest';
export { bilinearUpsample2xImpl, bilinearUpsample2xGradImpl } from './impl/bilinear';
export {
  dropoutHash,
  dropoutScale,
  dropoutSeedKey,
  dropoutThreshold,
  fmix32,
  seededDropoutImpl,
} from './impl/seeded_dropout';
export * from './safetensors';
export { registerKernelsOnce } from './register';
export { seededRandom } from './random';
export * from './class_names';
export { leanVariableGrads, SHAPE_ONLY_GRADIENTS } from './lean_variable_grads';
