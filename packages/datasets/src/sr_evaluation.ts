import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset';
import { DatasetArgumentError } from './errors';

/**
 * Pixels cut from each border of the SR and HR images before measuring:
 * - 'none': the whole image, as the official WaveMixSR test scripts measure (set5.py, urban100.py, ...);
 * - 'scale': `scale` pixels, the convention of EDSR / BasicSR benchmark tables;
 * - a number of pixels.
 */
export type BorderCrop = 'none' | 'scale' | number;

/** PSNR and SSIM of one image pair: `srMetrics` from `@wavemix/metrics` fits as it is. */
export type MeasureSuperResolution = (
  sr: Float32Array,
  hr: Float32Array,
  options: { scale: number; crop: number; shape: readonly number[] },
) => { psnr: number; ssim: number };

export interface EvaluateSuperResolutionOptions {
  borderCrop: BorderCrop;
  /**
   * Scores one pair of `[H, W, 3]` images in [0, 1]. `srMetrics` from `@wavemix/metrics` measures
   * on Y (BT.601, 16..235, L = 255), the usual convention; the official scripts use kornia's
   * full-range Y and torchmetrics' PSNR, which differ slightly.
   */
  measure: MeasureSuperResolution;
  /** Clip the model's output to [0, 1] before measuring (default false, as the official scripts). */
  clip?: boolean;
  /** Round the output to 8-bit levels first, as if saved as PNG (default false). */
  quantize?: boolean;
  /** Evaluate the first `limit` images only. */
  limit?: number;
}

export interface SuperResolutionEvaluation {
  /** Mean over images of per-image PSNR (dB) and SSIM. */
  psnr: number;
  ssim: number;
  psnrPerImage: number[];
  ssimPerImage: number[];
  scale: number;
  crop: number;
  /** The convention in words, for reports. */
  convention: string;
}

/** The border crop in pixels for a convention at a scale. */
export function borderCropPixels(borderCrop: BorderCrop, scale: number): number {
  const crop = borderCrop === 'none' ? 0 : borderCrop === 'scale' ? scale : borderCrop;
  if (!Number.isInteger(crop) || crop < 0)
    throw new DatasetArgumentError(
      'borderCrop',
      `expected 'none', 'scale' or a non-negative integer, got ${String(borderCrop)}`,
    );
  return crop;
}

/**
 * Whole-image evaluation of a super-resolution model on a dataset of (LR, HR) pairs (a benchmark
 * set or DIV2K without `patchSize`): each LR image, as a float32 `[1, h, w, 3]` RGB tensor in
 * [0, 1], goes through `upscale`, which returns `[1, h * scale, w * scale, 3]` RGB (any colour-space
 * conversion the model needs is the caller's); the result is scored against HR with `measure`.
 * Images go one at a time, since their sizes differ.
 */
export async function evaluateSuperResolution(
  dataset: Dataset,
  upscale: (lr: tf.Tensor4D) => tf.Tensor | Promise<tf.Tensor>,
  options: EvaluateSuperResolutionOptions,
): Promise<SuperResolutionEvaluation> {
  if (dataset.task !== 'super-resolution' || !dataset.scale) {
    throw new DatasetArgumentError(
      'dataset',
      `${dataset.name} is a ${dataset.task} dataset; whole-image SR evaluation needs (LR, HR) pairs`,
    );
  }
  const scale = dataset.scale;
  const crop = borderCropPixels(options.borderCrop, scale);
  const count = Math.min(dataset.size, options.limit ?? dataset.size);
  const psnrPerImage: number[] = [];
  const ssimPerImage: number[] = [];
  for (let index = 0; index < count; index++) {
    const pair = await dataset.read([index]);
    const [h, w, c] = pair.imageShape;
    const hrShape = pair.targetShape ?? [];
    if (!pair.targets || hrShape.length !== 3 || hrShape[0] !== h * scale || hrShape[1] !== w * scale || c !== 3) {
      throw new DatasetArgumentError(
        'dataset',
        `${dataset.name}[${index}]: expected LR [h, w, 3] and HR [h * ${scale}, w * ${scale}, 3], got [${pair.imageShape}] and [${hrShape}]`,
      );
    }
    const lr = tf.tensor4d(
      Float32Array.from(pair.images, (v) => v / 255),
      [1, h, w, 3],
    );
    let output: tf.Tensor;
    try {
      output = await upscale(lr);
    } finally {
      lr.dispose();
    }
    const expected = [1, hrShape[0], hrShape[1], 3];
    if (output.shape.join() !== expected.join()) {
      output.dispose();
      throw new DatasetArgumentError(
        'upscale',
        `${dataset.name}[${index}]: expected an output of shape [${expected}] for LR [1, ${h}, ${w}, 3], got [${output.shape}]`,
      );
    }
    const scored = tf.tidy(() => {
      let sr = tf.cast(output, 'float32');
      if (options.clip || options.quantize) sr = tf.clipByValue(sr, 0, 1);
      if (options.quantize) sr = tf.div(tf.round(tf.mul(sr, 255)), 255);
      return sr;
    });
    output.dispose();
    const sr = (await scored.data()) as Float32Array;
    scored.dispose();
    const hr = Float32Array.from(pair.targets, (v) => v / 255);
    const { psnr, ssim } = options.measure(sr, hr, { scale, crop, shape: hrShape });
    psnrPerImage.push(psnr);
    ssimPerImage.push(ssim);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    psnr: mean(psnrPerImage),
    ssim: mean(ssimPerImage),
    psnrPerImage,
    ssimPerImage,
    scale,
    crop,
    convention:
      crop === 0
        ? 'whole image, no border crop (official WaveMixSR test code)'
        : `${crop} px cropped from each border${crop === scale ? ' (= scale, EDSR / BasicSR)' : ''}`,
  };
}
