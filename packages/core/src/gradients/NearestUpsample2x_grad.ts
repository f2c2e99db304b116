import type { GradConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { NearestUpsample2x } from '../kernel_names';
import { runNearestUpsample2xGrad } from '../ops/dispatch';

export const nearestUpsample2xGradConfig: GradConfig = {
  kernelName: NearestUpsample2x,
  gradFunc: (dy: Tensor | Tensor[]) => ({ x: () => runNearestUpsample2xGrad(dy as Tensor4D) }),
};
