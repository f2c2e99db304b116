/**
 * Kernel names and their input/attribute shapes, in the style of tfjs-core's kernel_names.ts.
 * Every backend package registers kernels under these names; the ops dispatch to them.
 */
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** One-level 2D Haar DWT, NHWC -> NHWC with 4x the channels (WaveMix layout). */
export const Dwt2D = 'WaveMixDwt2D';
export type Dwt2DInputs = Pick<NamedTensorInfoMap, 'x'>;

/** Inverse of Dwt2D; `outputHeight`/`outputWidth` crop back to an odd original size. */
export const Idwt2D = 'WaveMixIdwt2D';
export type Idwt2DInputs = Pick<NamedTensorInfoMap, 'y'>;
export interface Idwt2DAttrs {
  outputHeight: number;
  outputWidth: number;
}

/** `levels` outputs X_1..X_L, X_k = Dwt2D(LL of X_{k-1}), X_0 = x. */
export const WaveletPyramid = 'WaveMixWaveletPyramid';
export type WaveletPyramidInputs = Pick<NamedTensorInfoMap, 'x'>;
export interface WaveletPyramidAttrs {
  levels: number;
}

/** Re-exported so kernel packages need not reach into tfjs-core for it. */
export type { TensorInfo };

/**
 * PyTorch `Upsample(scale_factor=2, mode='bicubic', align_corners=False)` on NHWC:
 * `[b, h, w, c] -> [b, 2h, 2w, c]`, cubic convolution with A = -0.75 and edge-clamped taps.
 */
export const BicubicUpsample2x = 'WaveMixBicubicUpsample2x';
export type BicubicUpsample2xInputs = Pick<NamedTensorInfoMap, 'x'>;

/** The adjoint of BicubicUpsample2x: `dy [b, 2h, 2w, c] -> dx [b, h, w, c]`. */
export const BicubicUpsample2xGrad = 'WaveMixBicubicUpsample2xGrad';
export type BicubicUpsample2xGradInputs = Pick<NamedTensorInfoMap, 'dy'>;

/**
 * PyTorch `Upsample(scale_factor=2, mode='nearest')` on NHWC: `[b, h, w, c] -> [b, 2h, 2w, c]`,
 * output pixel (i, j) copies input pixel (floor(i / 2), floor(j / 2)).
 */
export const NearestUpsample2x = 'WaveMixNearestUpsample2x';
export type NearestUpsample2xInputs = Pick<NamedTensorInfoMap, 'x'>;

/** The adjoint of NearestUpsample2x: `dy [b, 2h, 2w, c] -> dx [b, h, w, c]`, the sum of each 2x2 block. */
export const NearestUpsample2xGrad = 'WaveMixNearestUpsample2xGrad';
export type NearestUpsample2xGradInputs = Pick<NamedTensorInfoMap, 'dy'>;

/**
 * PyTorch `Upsample(scale_factor=2, mode='bilinear', align_corners=False)` on NHWC:
 * `[b, h, w, c] -> [b, 2h, 2w, c]`; along each axis output 2i = 0.75 x[i] + 0.25 x[i - 1] and
 * 2i + 1 = 0.75 x[i] + 0.25 x[i + 1], neighbours clamped to the image.
 */
export const BilinearUpsample2x = 'WaveMixBilinearUpsample2x';
export type BilinearUpsample2xInputs = Pick<NamedTensorInfoMap, 'x'>;

/** The adjoint of BilinearUpsample2x: `dy [b, 2h, 2w, c] -> dx [b, h, w, c]`. */
export const BilinearUpsample2xGrad = 'WaveMixBilinearUpsample2xGrad';
export type BilinearUpsample2xGradInputs = Pick<NamedTensorInfoMap, 'dy'>;

/**
 * A transformer-style feed-forward unit on NHWC in one kernel: Conv1x1 (`w1 [cin, hidden]`, `b1`) ->
 * exact (erf) GELU -> Conv1x1 (`w2 [hidden, out]`, `b2`), `x [b, h, w, cin] -> [b, h, w, out]`.
 */
export const PointwiseMlp = 'WaveMixPointwiseMlp';
export type PointwiseMlpInputs = Pick<NamedTensorInfoMap, 'x' | 'w1' | 'b1' | 'w2' | 'b2'>;

/**
 * PointwiseMlp on the channel concatenation of two NHWC tensors, `[x, x2]` (a wave block's
 * `concat[X_k, y]` before its feed-forward unit), read where they lie: the concatenation is never
 * written. `w1` has `cin(x) + cin(x2)` rows. Optional (not in WAVEMIX_KERNEL_NAMES): the op
 * concatenates first where the backend has no such kernel.
 */
export const PointwiseMlpConcat = 'WaveMixPointwiseMlpConcat';
export type PointwiseMlpConcatInputs = Pick<NamedTensorInfoMap, 'x' | 'x2' | 'w1' | 'b1' | 'w2' | 'b2'>;

/**
 * One AdamW step of one float32 variable, PyTorch's semantics (see @wavemix/models' AdamW):
 * `m' = b1 m + (1 - b1) g`, `v' = b2 v + (1 - b2) g^2`,
 * `param' = param (1 - lr wd) - lr (m' / correction1) / (sqrt(v' / correction2) + epsilon)`;
 * outputs `[m', v', param']`. Optional: not in WAVEMIX_KERNEL_NAMES, AdamW uses it where the
 * backend registers it (webgpu: 3 dispatches instead of 15 element-wise ones and 9 scalar uploads).
 */
export const AdamWUpdate = 'WaveMixAdamWUpdate';
export type AdamWUpdateInputs = Pick<NamedTensorInfoMap, 'param' | 'gradient' | 'm' | 'v'>;
export interface AdamWUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  weightDecay: number;
  /** `1 - beta1^t` and `1 - beta2^t` at step t. */
  correction1: number;
  correction2: number;
}

/**
 * Inverted dropout with a counter-based mask: element i is kept (and scaled by `scale`) when
 * `dropoutHash(seed, i) >= threshold`, else zeroed (impl/seeded_dropout.ts). The mask is a pure
 * function of (seed, index), so every backend draws the same one and the gradient regenerates it
 * instead of keeping it. Optional: not in WAVEMIX_KERNEL_NAMES; the op computes the mask on the
 * host where the backend has no kernel.
 */
export const SeededDropout = 'WaveMixSeededDropout';
export type SeededDropoutInputs = Pick<NamedTensorInfoMap, 'x'>;
export interface SeededDropoutAttrs {
  /** The drop probability, in [0, 1). */
  rate: number;
  /** A 32-bit unsigned integer. */
  seed: number;
}

/**
 * Batch normalisation in training over the last (channel) axis with the batch's own statistics:
 * outputs y = (x - mean) * scale / sqrt(variance + epsilon) + offset, and the per-channel mean
 * and biased variance (tf.moments over every leading axis), which a layer folds into its moving
 * averages. Optional: not in WAVEMIX_KERNEL_NAMES; the op runs tf.moments + tf.batchNorm where
 * the backend has no kernel.
 */
export const BatchNormTraining = 'WaveMixBatchNormTraining';
export type BatchNormTrainingInputs = Pick<NamedTensorInfoMap, 'x' | 'scale' | 'offset'>;
export interface BatchNormTrainingAttrs {
  /** Added to the variance before the square root; positive. */
  epsilon: number;
}

/**
 * The gradient of BatchNormTraining in x (through the batch statistics), scale and offset, given
 * the upstream gradients of all three outputs: outputs dx, dScale, dOffset. Optional, like
 * BatchNormTraining; the plain-ops composite runs where the backend has no kernel.
 */
export const BatchNormTrainingGrad = 'WaveMixBatchNormTrainingGrad';
export type BatchNormTrainingGradInputs = Pick<
  NamedTensorInfoMap,
  'dy' | 'x' | 'mean' | 'variance' | 'scale' | 'dMean' | 'dVariance'
>;

/**
 * `y = x * scale + shift (+ residual)` per channel (the last axis): at inference, a convolution's
 * bias, the BatchNormalization after it and a residual add in one pass. Optional (not in
 * WAVEMIX_KERNEL_NAMES): the plain-ops composite runs where the backend has no kernel.
 */
export const ChannelAffine = 'WaveMixChannelAffine';
export type ChannelAffineInputs = Pick<NamedTensorInfoMap, 'x' | 'scale' | 'shift' | 'residual'>;

export const WAVEMIX_KERNEL_NAMES = [
  Dwt2D,
  Idwt2D,
  WaveletPyramid,
  BicubicUpsample2x,
  BicubicUpsample2xGrad,
  NearestUpsample2x,
  NearestUpsample2xGrad,
  BilinearUpsample2x,
  BilinearUpsample2xGrad,
  PointwiseMlp,
] as const;
export type WaveMixKernelName = (typeof WAVEMIX_KERNEL_NAMES)[number];
