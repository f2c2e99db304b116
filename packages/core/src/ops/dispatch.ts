/**
 * Kernel-or-composite dispatch shared by the ops and the gradients: a backend that registered a
 * WaveMix kernel runs it, any other backend runs the plain-ops composite. Gradient functions pass
 * the raw composites (no gradient of their own); the public ops pass the differentiable ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  BatchNormTraining,
  type BatchNormTrainingAttrs,
  BatchNormTrainingGrad,
  BicubicUpsample2x,
  BicubicUpsample2xGrad,
  BilinearUpsample2x,
  BilinearUpsample2xGrad,
  Dwt2D,
  Idwt2D,
  type Idwt2DAttrs,
  NearestUpsample2x,
  NearestUpsample2xGrad,
  SeededDropout,
  type SeededDropoutAttrs,
  WaveletPyramid,
  type WaveletPyramidAttrs,
} from '../kernel_names';
import { bilinearUpsample2xCompositeRaw, bilinearUpsample2xGradCompositeRaw } from '../composite_bilinear';
import { bicubicUpsample2xCompositeRaw, bicubicUpsample2xGradCompositeRaw } from '../composite_bicubic';
import { dwt2dCompositeRaw, idwt2dCompositeRaw, waveletPyramidCompositeRaw } from '../composite';
import { nearestUpsample2xCompositeRaw, nearestUpsample2xGradCompositeRaw } from '../composite_nearest';
import { seededDropoutImpl } from '../impl/seeded_dropout';
import {
  type BatchNormTrainingGradTensors,
  type BatchNormTrainingOutputs,
  batchNormTrainingComposite,
  batchNormTrainingGradCompositeRaw,
} from '../composite_batch_norm';

type T4 = tf.Tensor4D;

/** True when the active backend has a kernel registered under `kernelName`. */
export function hasKernel(kernelName: string): boolean {
  const backend = tf.getBackend();
  return backend != null && tf.getKernel(kernelName, backend) != null;
}

function attrMap(attrs: object): tf.NamedAttrMap {
  return attrs as tf.NamedAttrMap;
}

export function runDwt2D(x: T4, composite: (x: T4) => T4 = dwt2dCompositeRaw): T4 {
  if (hasKernel(Dwt2D)) return tf.engine().runKernel(Dwt2D, { x }) as T4;
  return composite(x);
}

export function runIdwt2D(
  y: T4,
  outputHeight: number,
  outputWidth: number,
  composite: (y: T4, h: number, w: number) => T4 = idwt2dCompositeRaw,
): T4 {
  if (!hasKernel(Idwt2D)) return composite(y, outputHeight, outputWidth);
  const attrs: Idwt2DAttrs = { outputHeight, outputWidth };
  return tf.engine().runKernel(Idwt2D, { y }, attrMap(attrs)) as T4;
}

export function runWaveletPyramid(
  x: T4,
  levels: number,
  composite: (x: T4, levels: number) => T4[] = waveletPyramidCompositeRaw,
): T4[] {
  if (!hasKernel(WaveletPyramid)) return composite(x, levels);
  const attrs: WaveletPyramidAttrs = { levels };
  const out = tf.engine().runKernel(WaveletPyramid, { x }, attrMap(attrs));
  return (Array.isArray(out) ? out : [out]) as T4[];
}

export function runBicubicUpsample2x(x: T4, composite: (x: T4) => T4 = bicubicUpsample2xCompositeRaw): T4 {
  if (hasKernel(BicubicUpsample2x)) return tf.engine().runKernel(BicubicUpsample2x, { x }) as T4;
  return composite(x);
}

export function runBicubicUpsample2xGrad(dy: T4): T4 {
  if (hasKernel(BicubicUpsample2xGrad)) return tf.engine().runKernel(BicubicUpsample2xGrad, { dy }) as T4;
  return bicubicUpsample2xGradCompositeRaw(dy);
}

export function runNearestUpsample2x(x: T4, composite: (x: T4) => T4 = nearestUpsample2xCompositeRaw): T4 {
  if (hasKernel(NearestUpsample2x)) return tf.engine().runKernel(NearestUpsample2x, { x }) as T4;
  return composite(x);
}

export function runNearestUpsample2xGrad(dy: T4): T4 {
  if (hasKernel(NearestUpsample2xGrad)) return tf.engine().runKernel(NearestUpsample2xGrad, { dy }) as T4;
  return nearestUpsample2xGradCompositeRaw(dy);
}

export function runBilinearUpsample2x(x: T4, composite: (x: T4) => T4 = bilinearUpsample2xCompositeRaw): T4 {
  if (hasKernel(BilinearUpsample2x)) return tf.engine().runKernel(BilinearUpsample2x, { x }) as T4;
  return composite(x);
}

export function runBilinearUpsample2xGrad(dy: T4): T4 {
  if (hasKernel(BilinearUpsample2xGrad)) return tf.engine().runKernel(BilinearUpsample2xGrad, { dy }) as T4;
  return bilinearUpsample2xGradCompositeRaw(dy);
}

/**
 * The kernel where the backend registers one (not differentiated here: the op's gradient is the
 * same mask on dy), else the mask computed on the host and multiplied in.
 */
export function runSeededDropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (hasKernel(SeededDropout)) {
    const attrs: SeededDropoutAttrs = { rate, seed };
    return tf.engine().runKernel(SeededDropout, { x }, attrMap(attrs)) as tf.Tensor;
  }
  const mask = new Float32Array(x.size);
  seededDropoutImpl(new Float32Array(x.size).fill(1), rate, seed, mask);
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}

/** BatchNormTraining's kernel where the backend registers one, else `composite` (by default the plain ops, differentiable). */
export function runBatchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  epsilon: number,
  composite: (
    x: tf.Tensor,
    scale: tf.Tensor1D,
    offset: tf.Tensor1D,
    epsilon: number,
  ) => BatchNormTrainingOutputs = batchNormTrainingComposite,
): BatchNormTrainingOutputs {
  if (!hasKernel(BatchNormTraining)) return composite(x, scale, offset, epsilon);
  const attrs: BatchNormTrainingAttrs = { epsilon };
  const [y, mean, variance] = tf.engine().runKernel(BatchNormTraining, { x, scale, offset }, attrMap(attrs)) as [
    tf.Tensor,
    tf.Tensor1D,
    tf.Tensor1D,
  ];
  return { y, mean, variance };
}

/** [dx, dScale, dOffset] from the backend's gradient kernel where it has one, else the composite. */
export function runBatchNormTrainingGrad(
  inputs: BatchNormTrainingGradTensors,
  epsilon: number,
): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  if (!hasKernel(BatchNormTrainingGrad)) return batchNormTrainingGradCompositeRaw(inputs, epsilon);
  const attrs: BatchNormTrainingAttrs = { epsilon };
  return tf.engine().runKernel(BatchNormTrainingGrad, { ...inputs }, attrMap(attrs)) as [
    tf.Tensor,
    tf.Tensor1D,
    tf.Tensor1D,
  ];
}
