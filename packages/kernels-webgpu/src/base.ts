/** Kernel configs and programs for the WebGPU backend, without registering them (no side effects). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { adamWUpdateConfig } from './kernels/AdamWUpdate';
import { dwt2DConfig } from './kernels/Dwt2D';
import { idwt2DConfig } from './kernels/Idwt2D';
import { waveletPyramidConfig } from './kernels/WaveletPyramid';

export { adamWUpdateConfig, dwt2DConfig, idwt2DConfig, waveletPyramidConfig };
export { AdamWProgram, type AdamWHyperparameters, type AdamWStage } from './adamw_programs';
export {
  HaarForwardProgram,
  HaarInverseProgram,
  dispatchFor,
  layoutFor,
  WORKGROUP_SIZE,
  type HaarLayout,
  type ProgramUniforms,
  type WaveMixWebGPUProgram,
} from './programs';
export { assertBufferFits, runWaveMixProgram, type DeviceLike, type WebGPUBackendLike } from './run_program';
export { WaveMixShaderError } from './errors';
export { registerWebGPUTrainingGradients, restoreStockWebGPUGradients } from './gradients';

export const webgpuKernelConfigs: readonly KernelConfig[] = [
  dwt2DConfig,
  idwt2DConfig,
  waveletPyramidConfig,
  adamWUpdateConfig,
];
