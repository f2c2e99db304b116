import type { GradConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { WaveletPyramid } from '../kernel_names';
import { waveletPyramidTranspose } from '../composite';
import { runIdwt2D } from '../ops/dispatch';

/** Coarse-to-fine walk: each level's inverse feeds the LL channels of the level above it. */
export const waveletPyramidGradConfig: GradConfig = {
  kernelName: WaveletPyramid,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved as [Tensor4D];
    const dys = (Array.isArray(dy) ? dy : [dy]) as Tensor4D[];
    return { x: () => waveletPyramidTranspose(dys, x.shape, runIdwt2D) };
  },
};
