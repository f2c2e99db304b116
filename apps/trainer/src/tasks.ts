/**
 * What differs between tasks in the trainer. The losses and correct counts live with the other
 * training primitives in `@wavemix/models/training`; this adds the task names and the colour
 * space WaveMixSR computes in.
 */
import type * as tf from '@tensorflow/tfjs';
import { rgbToYCbCr } from '@wavemix/models';

export type TrainerTask = 'classification' | 'segmentation' | 'super-resolution';

/**
 * WaveMixSR works in YCbCr; the data is RGB in [0, 1]. Convert inputs and targets alike, so the
 * loss is taken where the model computes.
 */
export function toModelColorSpace(images: tf.Tensor4D, ycbcr: boolean): tf.Tensor4D {
  return ycbcr ? (rgbToYCbCr(images, 1) as tf.Tensor4D) : images;
}
