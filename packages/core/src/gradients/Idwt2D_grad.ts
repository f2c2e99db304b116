import type { GradConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { Idwt2D } from '../kernel_names';
import { runDwt2D } from '../ops/dispatch';

/** The adjoint of crop(inverse) is zero-pad then forward, which is exactly the zero-mode DWT. */
export const idwt2DGradConfig: GradConfig = {
  kernelName: Idwt2D,
  gradFunc: (dy: Tensor | Tensor[]) => ({ y: () => runDwt2D(dy as Tensor4D) }),
};
