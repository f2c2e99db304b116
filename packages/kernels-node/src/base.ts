/** Kernel configs for the `tensorflow` backend (tfjs-node, tfjs-node-gpu), without registering them. */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { dwt2DConfig } from './kernels/Dwt2D';
import { idwt2DConfig } from './kernels/Idwt2D';
import { waveletPyramidConfig } from './kernels/WaveletPyramid';

export { dwt2DConfig, idwt2DConfig, waveletPyramidConfig };
export {
  haarDepthwiseFilter,
  haarForwardOps,
  haarInverseOps,
  haarPyramidOps,
  depthwiseFromWaveMix,
  waveMixFromDepthwise,
} from './haar_ops';

export const nodeKernelConfigs: readonly KernelConfig[] = [dwt2DConfig, idwt2DConfig, waveletPyramidConfig];

/** The same kernels under another backend's name (their bodies are plain ops); used to test them on cpu. */
export function nodeKernelConfigsFor(backendName: string): KernelConfig[] {
  return nodeKernelConfigs.map((config) => ({ ...config, backendName }));
}
