import type { GradConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { BilinearUpsample2x } from '../kernel_names';
import { runBilinearUpsample2xGrad } from '../ops/dispatch';

export const bilinearUpsample2xGradConfig: GradConfig = {
  kernelName: BilinearUpsample2x,
  gradFunc: (dy: Tensor | Tensor[]) => ({ x: () => runBilinearUpsample2xGrad(dy as Tensor4D) }),
};
