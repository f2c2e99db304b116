/**
 * Whole-image evaluation of a super-resolution run on a benchmark set (Set5, Set14, BSD100,
 * Urban100): `--eval-benchmark`. Each LR image goes through the model alone (sizes differ), in
 * the colour space the trainer's SR task uses, and is scored on Y by `srMetrics`.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@wavemix/core/node';
import {
  borderCropPixels,
  DatasetArgumentError,
  DatasetFormatError,
  DatasetNotFoundError,
  evaluateSuperResolution,
  type BorderCrop,
} from '@wavemix/datasets';
import { loadDataset } from '@wavemix/datasets/node';
import { srMetrics } from '@wavemix/metrics';
import { resolveConfig, YCBCR_TASKS, yCbCrToRgb, type WaveMixConfig } from '@wavemix/models';
import type { TrainConfig } from './config';
import { UsageError } from './errors';
import { toModelColorSpace } from './tasks';

export const SR_BENCHMARKS = ['set5', 'set14', 'bsd100', 'urban100'] as const;
export type SrBenchmarkName = (typeof SR_BENCHMARKS)[number];

/** What final.json records under `benchmark`. */
export interface BenchmarkResult {
  name: SrBenchmarkName;
  scale: number;
  /** Pixels cut from each border before measuring. */
  borderCrop: number;
  /** The convention in words (crop, colour channel, clipping). */
  convention: string;
  images: number;
  /** Means over images of per-image PSNR (dB) and SSIM, on Y. */
  psnr: number;
  ssim: number;
  psnrPerImage: number[];
  ssimPerImage: number[];
}

export interface BenchmarkOptions {
  benchmark: SrBenchmarkName;
  dataDir: string;
  borderCrop: BorderCrop;
  /** The model's upscaling factor; the benchmark is read at it. */
  modelScale: number;
  /** The model computes in YCbCr (WaveMixSR, WaveMixSR-V2). */
  ycbcr: boolean;
  modelName: string;
}

/** `--border-crop none|scale|N`. */
export function parseBorderCrop(value: string): BorderCrop {
  if (value === 'none' || value === 'scale') return value;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--border-crop must be none, scale or a non-negative integer, got '${value}'`);
  return n;
}

/**
 * The model's RGB output for RGB input in [0, 1]: converted to the model's colour space and back
 * with the same helpers as training and `evaluate` (toModelColorSpace, yCbCrToRgb with max 1).
 */
export function upscaleRgb(model: tf.LayersModel, lr: tf.Tensor4D, ycbcr: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const output = model.predict(toModelColorSpace(lr, ycbcr)) as tf.Tensor4D;
    return ycbcr ? (yCbCrToRgb(output, 1) as tf.Tensor4D) : output;
  });
}

/**
 * The benchmark evaluation a config asks for (null: none), checked before any training: a
 * super-resolution model, a folder, and the benchmark's scale equal to the model's.
 */
export function benchmarkRequest(
  config: Pick<TrainConfig, 'evalBenchmark' | 'evalBenchmarkDir' | 'evalBenchmarkScale' | 'borderCrop'>,
  modelName: string,
  modelConfig: WaveMixConfig,
): BenchmarkOptions | null {
  const benchmark = config.evalBenchmark;
  if (!benchmark) return null;
  const ycbcr = YCBCR_TASKS.includes(modelConfig.task);
  if (!ycbcr && modelConfig.task !== 'sisr')
    throw new UsageError(
      `--eval-benchmark ${benchmark} needs a super-resolution model; ${modelName} is a ${modelConfig.task} model`,
    );
  if (!config.evalBenchmarkDir) throw new UsageError(`--eval-benchmark ${benchmark} needs --eval-benchmark-dir DIR`);
  const modelScale = resolveConfig(modelConfig).scale ?? 2;
  checkBenchmarkScale(benchmark, config.evalBenchmarkScale ?? modelScale, modelName, modelScale);
  borderCropPixels(config.borderCrop ?? 'none', modelScale);
  return {
    benchmark,
    dataDir: config.evalBenchmarkDir,
    borderCrop: config.borderCrop ?? 'none',
    modelScale,
    ycbcr,
    modelName,
  };
}

function checkBenchmarkScale(benchmark: string, scale: number | undefined, modelName: string, modelScale: number) {
  if (scale !== modelScale)
    throw new UsageError(
      `benchmark ${benchmark} at ${scale}x cannot evaluate model ${modelName}, which upscales ${modelScale}x`,
    );
}

/** Evaluates `model` on every image of the benchmark; usage errors name the folder or scale at fault. */
export async function evaluateBenchmark(model: tf.LayersModel, options: BenchmarkOptions): Promise<BenchmarkResult> {
  const { benchmark, modelScale } = options;
  const scale = modelScale;
  try {
    const data = await loadDataset(benchmark, { dataDir: options.dataDir, scale });
    checkBenchmarkScale(benchmark, data.scale, options.modelName, modelScale);
    // Clipped to [0, 1] as the trainer's test metrics and `upscale` clip (no 8-bit rounding).
    const result = await evaluateSuperResolution(data, (lr) => upscaleRgb(model, lr, options.ycbcr), {
      borderCrop: options.borderCrop,
      measure: srMetrics,
      clip: true,
    });
    return {
      name: benchmark,
      scale,
      borderCrop: result.crop,
      convention: `${result.convention}; PSNR/SSIM on Y (BT.601, 16..235) of the output clipped to [0, 1], mean over images`,
      images: result.psnrPerImage.length,
      psnr: result.psnr,
      ssim: result.ssim,
      psnrPerImage: result.psnrPerImage,
      ssimPerImage: result.ssimPerImage,
    };
  } catch (error) {
    if (
      error instanceof DatasetNotFoundError ||
      error instanceof DatasetArgumentError ||
      error instanceof DatasetFormatError
    )
      throw new UsageError(`--eval-benchmark ${benchmark} (${options.dataDir}, ${scale}x): ${error.message}`);
    throw error;
  }
}

export function formatBenchmark(result: BenchmarkResult): string {
  const perImage = result.psnrPerImage
    .map((psnr, i) => `  image ${i}: PSNR ${psnr.toFixed(2)} dB, SSIM ${result.ssimPerImage[i]!.toFixed(4)}`)
    .join('\n');
  return (
    `${result.name} x${result.scale} (${result.images} images): PSNR ${result.psnr.toFixed(2)} dB, SSIM ${result.ssim.toFixed(4)}\n` +
    `  ${result.convention}\n${perImage}`
  );
}

/** Appends the benchmark section to the run's report.md (written just before by writeReport). */
export function appendBenchmarkReport(output: string, result: BenchmarkResult): void {
  const path = join(output, 'report.md');
  const lines = [
    `## Benchmark ${result.name} x${result.scale} (whole images)`,
    '',
    `Convention: ${result.convention}.`,
    '',
    '| image | PSNR (dB) | SSIM |',
    '|---|---|---|',
    ...result.psnrPerImage.map((psnr, i) => `| ${i} | ${psnr.toFixed(4)} | ${result.ssimPerImage[i]!.toFixed(4)} |`),
    `| **mean** | **${result.psnr.toFixed(4)}** | **${result.ssim.toFixed(4)}** |`,
    '',
  ];
  writeFileAtomic(path, `${readFileSync(path, 'utf8')}\n${lines.join('\n')}`);
}
