/**
 * wavemix-bench on WebGPU in Node (Dawn, through @wavemix/kernels-webgpu/node): backend setup,
 * GPU time per step from timestamp queries where the adapter has them, and a correctness check of
 * the GPU against the cpu backend on the same weights and batch (what a SwiftShader run records:
 * software GPU timings say nothing about a real card).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs';
import { WaveMixError } from '@wavemix/core';
import { computeLoss, type LossName } from '@wavemix/models/training';

export interface WebGPUBenchOptions {
  allowSoftware: boolean;
  vulkanIcd?: string | undefined;
  adapterName?: string | undefined;
}

export interface WebGPUSetup {
  adapter: string;
  software: boolean;
  timestampQuery: boolean;
}

/** Sets Dawn up as navigator.gpu, then registers tfjs-backend-webgpu and our kernels, and selects it. */
export async function useNodeWebGPU(options: WebGPUBenchOptions): Promise<WebGPUSetup> {
  const node = await import('@wavemix/kernels-webgpu/node');
  const adapter = await node.setupNodeWebGPU({
    allowSoftware: options.allowSoftware,
    vulkanIcd: options.vulkanIcd,
    adapterName: options.adapterName,
    // Timestamp queries (GPU time per kernel) are behind Dawn's unsafe-API toggle.
    dawnFlags: ['enable-dawn-features=allow_unsafe_apis'],
  });
  await import('@tensorflow/tfjs-backend-webgpu');
  await import('@wavemix/kernels-webgpu');
  if (!(await tf.setBackend('webgpu')))
    throw new WaveMixError(`tfjs-backend-webgpu did not initialise on ${node.describeAdapter(adapter)}`);
  await tf.ready();
  const backend = tf.backend() as unknown as { supportTimestampQuery?: boolean };
  return {
    adapter: node.describeAdapter(adapter),
    software: adapter.software,
    timestampQuery: backend.supportTimestampQuery === true,
  };
}

/**
 * GPU milliseconds of one synchronous step (the sum of its kernels' timestamp-query times), or
 * null where the adapter has no timestamp queries. `step` must only enqueue work (no reads).
 */
export async function gpuMilliseconds(step: () => void, timestampQuery: boolean): Promise<number | null> {
  if (!timestampQuery) return null;
  const timing = await tf.time(step);
  return typeof timing.kernelMs === 'number' ? timing.kernelMs : null;
}

export interface CpuCheck {
  /** Largest |gpu - cpu| of the inference output, over the largest |cpu| value. */
  outputRelativeError: number;
  /** The loss of the inference output (inference mode: dropout would draw other masks per backend) on the GPU and on cpu. */
  gpuLoss: number;
  cpuLoss: number;
  /** |gpuLoss - cpuLoss| / max(1, |cpuLoss|). */
  lossRelativeError: number;
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

async function outputAndLoss(
  model: LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: LossName,
): Promise<{ output: Float32Array; loss: number }> {
  const [output, value] = tf.tidy(() => {
    const out = model.apply(x, { training: false }) as tf.Tensor;
    return [out, computeLoss(loss, out, y)];
  });
  const result = { output: (await output!.data()) as Float32Array, loss: (await value!.data())[0]! };
  tf.dispose([output!, value!]);
  return result;
}

/**
 * Runs the model's inference output and its loss on the current (GPU) backend and on cpu
 * with the same weights and batch, read asynchronously (WebGPU in Node has no synchronous reads,
 * so tensors are never moved between backends: the weights travel as arrays). Back on the GPU
 * backend afterwards. Call it before training steps change the weights.
 */
export async function checkAgainstCpu(
  makeModel: () => LayersModel,
  model: LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: LossName,
): Promise<CpuCheck> {
  const gpuBackend = tf.getBackend();
  const gpu = await outputAndLoss(model, x, y, loss);
  const weights = await Promise.all(
    model.getWeights().map(async (w) => ({ shape: w.shape, dtype: w.dtype, values: await w.data() })),
  );
  const xs = { shape: x.shape, values: await x.data() };
  const ys = { shape: y.shape, dtype: y.dtype, values: await y.data() };
  await tf.setBackend('cpu');
  try {
    const cpuModel = makeModel();
    const values = weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
    cpuModel.setWeights(values);
    tf.dispose(values);
    const cx = tf.tensor(xs.values, xs.shape);
    const cy = tf.tensor(ys.values, ys.shape, ys.dtype);
    const cpu = await outputAndLoss(cpuModel, cx, cy, loss);
    tf.dispose([cx, cy]);
    cpuModel.dispose();
    return {
      outputRelativeError: relativeError(gpu.output, cpu.output),
      gpuLoss: gpu.loss,
      cpuLoss: cpu.loss,
      lossRelativeError: Math.abs(gpu.loss - cpu.loss) / Math.max(1, Math.abs(cpu.loss)),
    };
  } finally {
    await tf.setBackend(gpuBackend);
  }
}
