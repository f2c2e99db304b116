import type { GradConfig, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { channelAffineGradients } from '../composite_channel_affine';
import { ChannelAffine } from '../kernel_names';

/** Through the composite's gradient: the kernel is forward only. */
export const channelAffineGradConfig: GradConfig = {
  kernelName: ChannelAffine,
  inputsToSave: ['x', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x, scale] = saved as [Tensor, Tensor1D];
    return channelAffineGradients(dy as Tensor, { x, scale });
  },
};
