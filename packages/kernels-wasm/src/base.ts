/** Kernel configs for the wasm backend, without registering them (no side effects). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { bicubicUpsample2xConfig } from './kernels/BicubicUpsample2x';
import { bicubicUpsample2xGradConfig } from './kernels/BicubicUpsample2xGrad';
import { dwt2DConfig } from './kernels/Dwt2D';
import { idwt2DConfig } from './kernels/Idwt2D';
import { waveletPyramidConfig } from './kernels/WaveletPyramid';

export { bicubicUpsample2xConfig, bicubicUpsample2xGradConfig, dwt2DConfig, idwt2DConfig, waveletPyramidConfig };

export const wasmKernelConfigs: readonly KernelConfig[] = [
  dwt2DConfig,
  idwt2DConfig,
  waveletPyramidConfig,
  bicubicUpsample2xConfig,
  bicubicUpsample2xGradConfig,
];
