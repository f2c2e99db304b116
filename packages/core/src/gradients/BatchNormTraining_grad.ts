import type { GradConfig, NamedAttrMap, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { BatchNormTraining, type BatchNormTrainingAttrs } from '../kernel_names';
import { runBatchNormTrainingGrad } from '../ops/dispatch';

/**
 * One gradient kernel for all three outputs' upstream gradients (the engine passes zeros for an
 * output nothing used, such as the statistics that only feed the moving averages).
 */
export const batchNormTrainingGradConfig: GradConfig = {
  kernelName: BatchNormTraining,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [dy, dMean, dVariance] = dys as [Tensor, Tensor1D, Tensor1D];
    const [x, scale, mean, variance] = saved as [Tensor, Tensor1D, Tensor1D, Tensor1D];
    const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
    // Computed once, eagerly: each partial is handed out by its own thunk.
    const [dx, dScale, dOffset] = runBatchNormTrainingGrad({ dy, x, mean, variance, scale, dMean, dVariance }, epsilon);
    return { x: () => dx, scale: () => dScale, offset: () => dOffset };
  },
};
