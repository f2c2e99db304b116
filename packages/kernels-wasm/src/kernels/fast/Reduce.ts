import {
  type KernelConfig,
  Mean,
  type MeanAttrs,
  Sum,
  type SumAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../../train/module';
import { overrideConfig, size, type WasmKernelArgs } from './override';

/**
 * Sum and Mean over a run of consecutive axes that leaves the last one: leading axes (e.g.
 * [0, 1, 2] of NHWC: the bias and batch-norm gradients) or inner ones (e.g. [1, 2]: global
 * average pooling), which the backend does by transposing first. Each slice of the unreduced
 * leading axes is a [rows, cols] sum; accumulates in double, like the cpu backend.
 */
function reduceConsecutive(
  args: WasmKernelArgs<{ x?: TensorInfo }, SumAttrs | MeanAttrs>,
  mean: boolean,
): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length < 2) return null;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (axes.length === 0 || last >= x.shape.length - 1 || axes.some((a, i) => a !== first + i)) return null;
  const slices = size(x.shape.slice(0, first));
  const rows = size(x.shape.slice(first, last + 1));
  const cols = size(x.shape.slice(last + 1));
  if (slices === 0 || rows === 0 || cols === 0) return null;
  const reduced = (i: number) => i >= first && i <= last;
  const outShape = attrs.keepDims ? x.shape.map((s, i) => (reduced(i) ? 1 : s)) : x.shape.filter((_, i) => !reduced(i));
  const out = backend.makeOutput(outShape, 'float32');
  const acc = allocScratch(backend, 2 * cols);
  const [xAt, outAt, accAt] = [heapOffset(backend, x), heapOffset(backend, out), heapOffset(backend, acc)];
  const kernels = trainKernels(backend);
  for (let s = 0; s < slices; s++) {
    kernels.sum_rows(xAt + s * rows * cols * 4, outAt + s * cols * 4, accAt, rows, cols, mean ? 1 / rows : 1);
  }
  disposeScratch(backend, acc);
  return out;
}

export const sumOverride = (fallback?: KernelConfig) =>
  overrideConfig<{ x?: TensorInfo }, SumAttrs>(Sum, fallback, (a) => reduceConsecutive(a, false));
export const meanOverride = (fallback?: KernelConfig) =>
  overrideConfig<{ x?: TensorInfo }, MeanAttrs>(Mean, fallback, (a) => reduceConsecutive(a, true));
