/** Kernel configs and programs for the WebGL backend, without registering them (no side effects). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { dwt2DConfig } from './kernels/Dwt2D';
import { idwt2DConfig } from './kernels/Idwt2D';
import { waveletPyramidConfig } from './kernels/WaveletPyramid';

export { dwt2DConfig, idwt2DConfig, waveletPyramidConfig };
export { HaarForwardPackedProgram, HaarInversePackedProgram } from './programs';
export { assertTextureFits, runWaveMixProgram, type WaveMixWebGLProgram } from './run_program';
export { WaveMixShaderError } from './errors';
export { texelShape, textureShape } from './texture_shape';

export const webglKernelConfigs: readonly KernelConfig[] = [dwt2DConfig, idwt2DConfig, waveletPyramidConfig];
