import { Add, type KernelConfig, Multiply, RealDiv, Sub, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, trainKernels } from '../../train/module';
import { overrideConfig, size } from './override';

const OPS = { [Add]: 0, [Sub]: 1, [Multiply]: 2, [RealDiv]: 3 } as const;

/**
 * If `small` broadcasts against `full` only along leading axes (its shape, left-padded with 1s,
 * is 1 up to some axis and equal to `full` after it), the number of elements it repeats over.
 */
export function leadingBroadcastRows(full: readonly number[], small: readonly number[]): number | null {
  if (small.length > full.length) return null;
  const padded = [...new Array<number>(full.length - small.length).fill(1), ...small];
  let split = 0;
  while (split < full.length && padded[split] === 1 && full[split] !== 1) split++;
  for (let i = split; i < full.length; i++) if (padded[i] !== full[i]) return null;
  const rows = size(full.slice(0, split));
  return rows > 1 ? rows : null;
}

/**
 * Add, Sub, Multiply and RealDiv where one float32 operand is a scalar or repeats along the
 * leading axes of the other (per-channel scale, shift, bias): the backend takes a per-element
 * index path for these.
 */
export const binaryOverride = (kernelName: keyof typeof OPS) => (fallback?: KernelConfig) =>
  overrideConfig<{ a?: TensorInfo; b?: TensorInfo }, unknown>(kernelName, fallback, ({ inputs, backend }) => {
    const a = inputs.a!;
    const b = inputs.b!;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    for (const [x, s, sFirst] of [
      [a, b, 0],
      [b, a, 1],
    ] as const) {
      if (size(s.shape) === 1 && s.shape.length <= x.shape.length && size(x.shape) > 1) {
        const out = backend.makeOutput([...x.shape], 'float32');
        const value = (backend.typedArrayFromHeap(s) as Float32Array)[0]!;
        trainKernels(backend).scalar_op(
          heapOffset(backend, x),
          value,
          heapOffset(backend, out),
          size(x.shape),
          OPS[kernelName],
          sFirst,
        );
        return out;
      }
    }
    let full = a;
    let small = b;
    let smallFirst = 0;
    let rows = leadingBroadcastRows(a.shape, b.shape);
    if (rows == null) {
      rows = leadingBroadcastRows(b.shape, a.shape);
      if (rows == null) return null;
      full = b;
      small = a;
      smallFirst = 1;
    }
    const out = backend.makeOutput([...full.shape], 'float32');
    trainKernels(backend).broadcast_rows(
      heapOffset(backend, full),
      heapOffset(backend, small),
      heapOffset(backend, out),
      rows,
      size(full.shape) / rows,
      OPS[kernelName],
      smallFirst,
    );
    return out;
  });
