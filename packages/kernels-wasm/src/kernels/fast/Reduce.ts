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
 * Sum and Mean over leading axes (e.g. [0, 1, 2] of NHWC: the bias and batch-norm gradients),
 * which the backend does by transposing first. Accumulates in double, like the cpu backend.
 */
function reduceLeading(
  args: WasmKernelArgs<{ x?: TensorInfo }, SumAttrs | MeanAttrs>,
  mean: boolean,
): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length < 2) return null;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k >= x.shape.length || axes.some((a, i) => a !== i)) return null;
  const rows = size(x.shape.slice(0, k));
  const cols = size(x.shape.slice(k));
  if (rows === 0 || cols === 0) return null;
  const outShape = attrs.keepDims ? x.shape.map((s, i) => (i < k ? 1 : s)) : x.shape.slice(k);
  const out = backend.makeOutput(outShape, 'float32');
  const acc = allocScratch(backend, 2 * cols);
  trainKernels(backend).sum_rows(
    heapOffset(backend, x),
    heapOffset(backend, out),
    heapOffset(backend, acc),
    rows,
    cols,
    mean ? 1 / rows : 1,
  );
  disposeScratch(backend, acc);
  return out;
}

export const sumOverride = (fallback?: KernelConfig) =>
  overrideConfig<{ x?: TensorInfo }, SumAttrs>(Sum, fallback, (a) => reduceLeading(a, false));
export const meanOverride = (fallback?: KernelConfig) =>
  overrideConfig<{ x?: TensorInfo }, MeanAttrs>(Mean, fallback, (a) => reduceLeading(a, true));
