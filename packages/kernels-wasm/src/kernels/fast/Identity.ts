import { Cast, type CastAttrs, Identity, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { overrideConfig, type WasmKernelArgs } from './override';

/** Shares the input's buffer (reference-counted) instead of copying it, as the cpu backend does. */
function share({ inputs, backend }: WasmKernelArgs<{ x?: TensorInfo }, unknown>): TensorInfo | null {
  const x = inputs.x!;
  if (x.dtype === 'string') return null;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityOverride = (fallback?: KernelConfig) => overrideConfig(Identity, fallback, share);

/** Cast to the dtype the tensor already has is an identity. */
export const castOverride = (fallback?: KernelConfig) =>
  overrideConfig<{ x?: TensorInfo }, CastAttrs>(Cast, fallback, (args) =>
    args.inputs.x!.dtype === args.attrs.dtype ? share(args) : null,
  );
