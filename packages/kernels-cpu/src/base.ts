/** Kernel configs for the cpu backend, without registering them (no side effects). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { bicubicUpsample2xConfig } from './kernels/BicubicUpsample2x';
import { bicubicUpsample2xGradConfig } from './kernels/BicubicUpsample2xGrad';
import { bilinearUpsample2xConfig } from './kernels/BilinearUpsample2x';
import { bilinearUpsample2xGradConfig } from './kernels/BilinearUpsample2xGrad';
import { dwt2DConfig } from './kernels/Dwt2D';
import { idwt2DConfig } from './kernels/Idwt2D';
import { nearestUpsample2xConfig } from './kernels/NearestUpsample2x';
import { nearestUpsample2xGradConfig } from './kernels/NearestUpsample2xGrad';
import { seededDropoutConfig } from './kernels/SeededDropout';
import { waveletPyramidConfig } from './kernels/WaveletPyramid';

export {
  bicubicUpsample2xConfig,
  bicubicUpsample2xGradConfig,
  bilinearUpsample2xConfig,
  bilinearUpsample2xGradConfig,
  dwt2DConfig,
  idwt2DConfig,
  nearestUpsample2xConfig,
  nearestUpsample2xGradConfig,
  seededDropoutConfig,
  waveletPyramidConfig,
};

export const cpuKernelConfigs: readonly KernelConfig[] = [
  dwt2DConfig,
  idwt2DConfig,
  waveletPyramidConfig,
  bicubicUpsample2xConfig,
  bicubicUpsample2xGradConfig,
  nearestUpsample2xConfig,
  nearestUpsample2xGradConfig,
  bilinearUpsample2xConfig,
  bilinearUpsample2xGradConfig,
  seededDropoutConfig,
];
