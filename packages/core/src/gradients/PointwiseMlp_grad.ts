import type { GradConfig, Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { pointwiseMlpGradients } from '../composite_pointwise_mlp';
import { PointwiseMlp, PointwiseMlpConcat } from '../kernel_names';

/** Through the composite's gradient (matMuls and GELU'): a fused forward kernel needs no backward one. */
export const pointwiseMlpGradConfig: GradConfig = {
  kernelName: PointwiseMlp,
  inputsToSave: ['x', 'w1', 'b1', 'w2'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x, w1, b1, w2] = saved as [Tensor4D, Tensor2D, Tensor1D, Tensor2D];
    return pointwiseMlpGradients(dy as Tensor4D, { x, w1, b1, w2 }) as Record<string, () => Tensor>;
  },
};

/** The same for the two parts of a concatenation: dx split at x's channels. */
export const pointwiseMlpConcatGradConfig: GradConfig = {
  kernelName: PointwiseMlpConcat,
  inputsToSave: ['x', 'x2', 'w1', 'b1', 'w2'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x, x2, w1, b1, w2] = saved as [Tensor4D, Tensor4D, Tensor2D, Tensor1D, Tensor2D];
    return pointwiseMlpGradients(dy as Tensor4D, { x, x2, w1, b1, w2 }) as Record<string, () => Tensor>;
  },
};
