import type { GradConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { BicubicUpsample2x } from '../kernel_names';
import { runBicubicUpsample2xGrad } from '../ops/dispatch';

export const bicubicUpsample2xGradConfig: GradConfig = {
  kernelName: BicubicUpsample2x,
  gradFunc: (dy: Tensor | Tensor[]) => ({ x: () => runBicubicUpsample2xGrad(dy as Tensor4D) }),
};
