import type { GradConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { Dwt2D } from '../kernel_names';
import { runIdwt2D } from '../ops/dispatch';

/** The adjoint of the zero-mode DWT: the inverse, cropped to the input's (possibly odd) size. */
export const dwt2DGradConfig: GradConfig = {
  kernelName: Dwt2D,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved as [Tensor4D];
    return { x: () => runIdwt2D(dy as Tensor4D, x.shape[1], x.shape[2]) };
  },
};
