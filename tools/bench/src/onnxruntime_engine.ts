/**
 * `wavemix-bench --engine onnxruntime`: the same model and input, exported with `@wavemix/onnx`
 * and run by onnxruntime-node (CPU execution provider, all graph optimizations, its default
 * thread pool). `--onnx FILE` also times another ONNX file of the same network (e.g. the graph
 * `torch.onnx.export` writes) on the same input, for a like-for-like comparison.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { exportOnnx, onnxOpCounts } from '@wavemix/onnx';

export interface OrtTiming {
  graph: string;
  msPerStep: number;
  imagesPerSecond: number;
  /** Process CPU time per step (all threads): comparable even on a busy machine. */
  cpuMsPerStep: number;
  nodes: number;
  ops: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeGraph(
  graph: string,
  bytes: Uint8Array,
  input: Float32Array,
  dims: number[],
  steps: number,
  warmup: number,
): Promise<OrtTiming> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) };
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await session.run(feeds);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  await session.release();
  const ms = median(wall);
  const ops = onnxOpCounts(bytes);
  return {
    graph,
    msPerStep: Number(ms.toFixed(2)),
    imagesPerSecond: Number(((dims[0]! / ms) * 1000).toFixed(2)),
    cpuMsPerStep: Number(median(cpu).toFixed(2)),
    nodes: Object.values(ops).reduce((a, b) => a + b, 0),
    ops,
  };
}

/** Times our export of `model` (and `otherFile`, if given) on `x` (NHWC, as tfjs got it). */
export async function benchOnnxRuntime(
  model: LayersModel,
  x: tf.Tensor4D,
  options: { steps: number; warmup: number; otherFile?: string },
): Promise<OrtTiming[]> {
  const nchw = tf.transpose(x, [0, 3, 1, 2]);
  const input = Float32Array.from(await nchw.data());
  const dims = nchw.shape;
  nchw.dispose();
  const timings = [
    await timeGraph('@wavemix/onnx export', await exportOnnx(model), input, dims, options.steps, options.warmup),
  ];
  if (options.otherFile) {
    timings.push(
      await timeGraph(
        options.otherFile,
        new Uint8Array(readFileSync(options.otherFile)),
        input,
        dims,
        options.steps,
        options.warmup,
      ),
    );
  }
  return timings;
}
