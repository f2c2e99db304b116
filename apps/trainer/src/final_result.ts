/**
 * final.json: what a finished run reports (model, data, how it stopped, the test metrics).
 */
import { readFileSync } from 'node:fs';
import type { Evaluation } from './evaluate';
import { runPaths } from './run_folder';
import { formatBenchmark, type BenchmarkResult } from './sr_benchmark_eval';
import type { TrainerTask } from './tasks';

export interface FinalResult {
  model: string;
  dataset: string;
  task: TrainerTask;
  backend: string;
  /** The GPU adapter a webgpu run used (e.g. "nvidia hopper (NVIDIA H200), Vulkan driver ..."). */
  gpuAdapter?: string;
  /** Data-parallel worker threads the training used (0: the main thread alone). */
  workers: number;
  seed: number;
  epochs: number;
  steps: number;
  seconds: number;
  trainableParams: number;
  stoppedBy: 'epochs' | 'early-stopping' | 'time-limit' | 'max-steps' | 'eval-only';
  testAccuracy?: number;
  testTop5Accuracy?: number;
  expectedCalibrationError?: number;
  meanIoU?: number;
  pixelAccuracy?: number;
  psnr?: number;
  ssim?: number;
  bestValidationMetric: number | null;
  bestEpoch: number | null;
  /** The weights tested: the best on validation, or the last (no validation, or `testWeights: 'last'`). */
  testWeights: 'best' | 'last';
  testExamples: number;
  /** Whole-image PSNR/SSIM on a super-resolution benchmark (`--eval-benchmark`). */
  benchmark?: BenchmarkResult;
}

export function finalResult(
  run: Pick<
    FinalResult,
    | 'model'
    | 'dataset'
    | 'task'
    | 'backend'
    | 'workers'
    | 'seed'
    | 'trainableParams'
    | 'stoppedBy'
    | 'testExamples'
    | 'testWeights'
  > & { gpuAdapter?: string | null },
  state: { epoch: number; step: number; elapsedSeconds: number; bestMetric: number | null; bestEpoch: number | null },
  test: Evaluation,
): FinalResult {
  return {
    model: run.model,
    dataset: run.dataset,
    task: run.task,
    backend: run.backend,
    ...(run.gpuAdapter ? { gpuAdapter: run.gpuAdapter } : {}),
    workers: run.workers,
    seed: run.seed,
    epochs: state.epoch,
    steps: state.step,
    seconds: Math.round(state.elapsedSeconds * 10) / 10,
    trainableParams: run.trainableParams,
    stoppedBy: run.stoppedBy,
    testAccuracy: test.metrics.accuracy,
    testTop5Accuracy: test.metrics.top5Accuracy,
    expectedCalibrationError: test.metrics.expectedCalibrationError,
    meanIoU: test.metrics.meanIoU,
    pixelAccuracy: test.metrics.pixelAccuracy,
    psnr: test.metrics.psnr,
    ssim: test.metrics.ssim,
    bestValidationMetric: state.bestMetric,
    bestEpoch: state.bestEpoch,
    testWeights: run.testWeights,
    testExamples: run.testExamples,
  };
}

export function formatFinal(result: FinalResult): string {
  const metric =
    result.testAccuracy !== undefined
      ? `test accuracy ${(result.testAccuracy * 100).toFixed(2)} %`
      : result.meanIoU !== undefined
        ? `test mIoU ${(result.meanIoU * 100).toFixed(2)} %`
        : `test PSNR ${result.psnr?.toFixed(2)} dB, SSIM ${result.ssim?.toFixed(4)}`;
  const line = `${result.model} on ${result.dataset}: ${metric} after ${result.epochs} epochs (${result.steps} steps, ${result.seconds} s, ${result.backend})`;
  return result.benchmark ? `${line}\n${formatBenchmark(result.benchmark)}` : line;
}

/** Reads a finished run's final.json (used by tests and --eval-only reporting). */
export function readFinal(output: string): FinalResult {
  return JSON.parse(readFileSync(runPaths(output).final, 'utf8')) as FinalResult;
}
