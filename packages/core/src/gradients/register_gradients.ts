import * as tf from '@tensorflow/tfjs-core';
import { dwt2DGradConfig } from './Dwt2D_grad';
import { idwt2DGradConfig } from './Idwt2D_grad';
import { waveletPyramidGradConfig } from './WaveletPyramid_grad';
import { bicubicUpsample2xGradConfig } from './BicubicUpsample2x_grad';
import { pointwiseMlpConcatGradConfig, pointwiseMlpGradConfig } from './PointwiseMlp_grad';
import { nearestUpsample2xGradConfig } from './NearestUpsample2x_grad';
import { bilinearUpsample2xGradConfig } from './BilinearUpsample2x_grad';
import { seededDropoutGradConfig } from './SeededDropout_grad';
import { batchNormTrainingGradConfig } from './BatchNormTraining_grad';
import { channelAffineGradConfig } from './ChannelAffine_grad';

export const waveMixGradConfigs: readonly tf.GradConfig[] = [
  dwt2DGradConfig,
  idwt2DGradConfig,
  waveletPyramidGradConfig,
  bicubicUpsample2xGradConfig,
  pointwiseMlpGradConfig,
  pointwiseMlpConcatGradConfig,
  nearestUpsample2xGradConfig,
  bilinearUpsample2xGradConfig,
  seededDropoutGradConfig,
  batchNormTrainingGradConfig,
  channelAffineGradConfig,
];

/**
 * Registers the kernel gradients once. The ops call it, so importing @wavemix/core has no side
 * effect and a bundler can drop what a user does not call.
 */
export function registerWaveMixGradients(): void {
  for (const config of waveMixGradConfigs) {
    if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
  }
}
