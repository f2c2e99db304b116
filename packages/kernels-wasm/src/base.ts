/** Kernel configs for the wasm backend, without registering them (no side effects). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { bicubicUpsample2xConfig } from './kernels/BicubicUpsample2x';
import { bicubicUpsample2xGradConfig } from './kernels/BicubicUpsample2xGrad';
import { bilinearUpsample2xConfig } from './kernels/BilinearUpsample2x';
import { bilinearUpsample2xGradConfig } from './kernels/BilinearUpsample2xGrad';
import { channelAffineConfig } from './kernels/ChannelAffine';
import { dwt2DConfig } from './kernels/Dwt2D';
import { idwt2DConfig } from './kernels/Idwt2D';
import { nearestUpsample2xConfig } from './kernels/NearestUpsample2x';
import { nearestUpsample2xGradConfig } from './kernels/NearestUpsample2xGrad';
import { pointwiseMlpConcatConfig, pointwiseMlpConfig } from './kernels/PointwiseMlp';
import { waveletPyramidConfig } from './kernels/WaveletPyramid';

export {
  bicubicUpsample2xConfig,
  bicubicUpsample2xGradConfig,
  bilinearUpsample2xConfig,
  bilinearUpsample2xGradConfig,
  channelAffineConfig,
  dwt2DConfig,
  idwt2DConfig,
  nearestUpsample2xConfig,
  nearestUpsample2xGradConfig,
  pointwiseMlpConcatConfig,
  pointwiseMlpConfig,
  waveletPyramidConfig,
};
export { pointwiseMlpMacs, pointwiseMlpTile, setPointwiseMlpTile } from './kernels/PointwiseMlp';
export { conv2DBackpropFilter, conv2DBackpropFilterConfig, FILTER_GRAD_CHUNK } from './kernels/Conv2DBackpropFilter';
export {
  conv2DBackpropInputConfig,
  createConv2DBackpropInput,
  phasesOf,
  type Phase,
} from './kernels/Conv2DBackpropInput';
export { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/DepthwiseConv2dNativeBackpropFilter';
export { depthwiseConv2dNativeBackpropInputConfig } from './kernels/DepthwiseConv2dNativeBackpropInput';
export {
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  wasmKernelOverrides,
  wasmTrainingKernelConfigs,
} from './train/register_training';
export { registerWasmTrainingGradients } from './train/gradients';
export { WasmBatchNormGrad } from './kernels/BatchNormGrad';
export { FastGelu, gelu, registerFastGelu, WaveMixGelu, WaveMixGeluGrad } from './kernels/Gelu';
export {
  getKernelThreadPool,
  setKernelThreadPool,
  sharedKernelModuleBytes,
  shareJobs,
  THREADED_KERNELS,
  type KernelThreadPool,
  type ThreadedJob,
  type ThreadedKernel,
} from './threads/pool';
export {
  setSharedFilterCache,
  SharedFilterCache,
  sharedFilterCache,
  sharedFilterCacheEnabled,
} from './threads/shared_filter_cache';
export { MIN_THREADED_MACS } from './kernels/conv_forward';
export { setWasmWinograd, setWasmWinogradLargeTiles, wasmWinogradEnabled } from './kernels/winograd';
export {
  prepareWasmTrainingKernels,
  trainKernels,
  trainKernelsAvailable,
  WasmTrainingKernelError,
  type TrainKernelExports,
} from './train/module';
export {
  relaxedSimdSupported,
  setWasmSimdVariant,
  wasmSimdVariant,
  WasmSimdVariantError,
  type WasmSimdVariant,
} from './train/simd_variant';

export const wasmKernelConfigs: readonly KernelConfig[] = [
  dwt2DConfig,
  idwt2DConfig,
  waveletPyramidConfig,
  bicubicUpsample2xConfig,
  bicubicUpsample2xGradConfig,
  nearestUpsample2xConfig,
  nearestUpsample2xGradConfig,
  bilinearUpsample2xConfig,
  bilinearUpsample2xGradConfig,
  pointwiseMlpConfig,
  pointwiseMlpConcatConfig,
  channelAffineConfig,
];
