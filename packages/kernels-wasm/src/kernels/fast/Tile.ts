import { type KernelConfig, type TensorInfo, Tile, type TileAttrs } from '@tensorflow/tfjs-core';
import { overrideConfig, size } from './override';

type Heap = Float32Array | Int32Array | Uint8Array;

/**
 * Tile by block copies: place each innermost row, then repeat every block along its axis with
 * doubling copyWithin. The backend's Tile computes an index per element and is ~100x slower on
 * the [1,1,1,C] -> [N,H,W,C] tiles of the batch-norm gradient.
 */
export function tileInto(x: Heap, shape: readonly number[], reps: readonly number[], out: Heap): void {
  const rank = shape.length;
  const inStride = new Array<number>(rank).fill(1);
  const outStride = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    inStride[d] = inStride[d + 1]! * shape[d + 1]!;
    outStride[d] = outStride[d + 1]! * shape[d + 1]! * reps[d + 1]!;
  }
  const repeat = (offset: number, block: number, times: number) => {
    let filled = block;
    const total = block * times;
    while (filled < total) {
      const n = Math.min(filled, total - filled);
      out.copyWithin(offset + filled, offset, offset + n);
      filled += n;
    }
  };
  const place = (d: number, inOffset: number, outOffset: number) => {
    if (d === rank - 1) {
      out.set(x.subarray(inOffset, inOffset + shape[d]!), outOffset);
    } else {
      for (let i = 0; i < shape[d]!; i++) place(d + 1, inOffset + i * inStride[d]!, outOffset + i * outStride[d]!);
    }
    repeat(outOffset, shape[d]! * (d === rank - 1 ? 1 : outStride[d]!), reps[d]!);
  };
  place(0, 0, 0);
}

export const tileOverride = (fallback?: KernelConfig) =>
  overrideConfig<{ x?: TensorInfo }, TileAttrs>(Tile, fallback, ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const reps = attrs.reps;
    if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0 || reps.length !== x.shape.length)
      return null;
    const outShape = x.shape.map((s, i) => s * reps[i]!);
    const out = backend.makeOutput(outShape, x.dtype);
    if (size(outShape) === 0) return out;
    tileInto(backend.typedArrayFromHeap(x) as Heap, x.shape, reps, backend.typedArrayFromHeap(out) as Heap);
    return out;
  });
