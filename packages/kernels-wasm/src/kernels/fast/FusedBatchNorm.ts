import { FusedBatchNorm, type FusedBatchNormAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../../train/module';
import { overrideConfig, size } from './override';

type Inputs = { x?: TensorInfo; mean?: TensorInfo; variance?: TensorInfo; scale?: TensorInfo; offset?: TensorInfo };

/**
 * Batch normalisation with per-channel statistics: (x - mean) * (scale / sqrt(variance + eps)) +
 * offset, one pass. Other broadcasts go to the backend's kernel.
 */
export const fusedBatchNormOverride = (fallback?: KernelConfig) =>
  overrideConfig<Inputs, FusedBatchNormAttrs>(FusedBatchNorm, fallback, ({ inputs, backend, attrs }) => {
    const { x, mean, variance, scale, offset } = inputs;
    if (!x || !mean || !variance || x.dtype !== 'float32' || x.shape.length < 1) return null;
    const channels = x.shape[x.shape.length - 1]!;
    const perChannel = (t?: TensorInfo) =>
      t == null || (t.dtype === 'float32' && size(t.shape) === channels && t.shape.slice(0, -1).every((s) => s === 1));
    if (![mean, variance, scale, offset].every(perChannel)) return null;
    const read = (t?: TensorInfo) => (t ? (backend.typedArrayFromHeap(t) as Float32Array) : null);
    const out = backend.makeOutput([...x.shape], 'float32');
    const folded = allocScratch(backend, 3 * channels);
    const m = read(mean)!;
    const v = read(variance)!;
    const s = read(scale);
    const o = read(offset);
    const f = backend.typedArrayFromHeap(folded) as Float32Array;
    const eps = attrs.varianceEpsilon;
    for (let c = 0; c < channels; c++) {
      const a = (s ? s[c]! : 1) / Math.sqrt(v[c]! + eps);
      f[c] = m[c]!;
      f[channels + c] = a;
      f[2 * channels + c] = o ? o[c]! : 0;
    }
    const rows = size(x.shape) / channels;
    const foldedOffset = heapOffset(backend, folded);
    if (rows > 0) {
      trainKernels(backend).affine_rows(
        heapOffset(backend, x),
        foldedOffset,
        foldedOffset + channels * 4,
        foldedOffset + channels * 8,
        heapOffset(backend, out),
        rows,
        channels,
      );
    }
    disposeScratch(backend, folded);
    return out;
  });
