import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { trainKernelsAvailable, WasmTrainingKernelError } from '../../train/module';

export interface WasmKernelArgs<I = NamedTensorInfoMap, A = NamedAttrMap> {
  inputs: I;
  backend: BackendWasm;
  attrs: A;
}

/** A fast path: returns null where it does not apply, and the backend's own kernel runs instead. */
export type FastPath<I = NamedTensorInfoMap, A = NamedAttrMap> = (
  args: WasmKernelArgs<I, A>,
) => TensorInfo | TensorInfo[] | null;

/**
 * A kernel config that replaces one of tfjs-backend-wasm's kernels with `fast`, keeping the original
 * as the fallback (and its setupFunc, which the fallback needs).
 */
export function overrideConfig<I, A>(
  kernelName: string,
  fallback: KernelConfig | undefined,
  fast: FastPath<I, A>,
): KernelConfig {
  const kernelFunc = (args: WasmKernelArgs<I, A>) => {
    const out = trainKernelsAvailable(args.backend) ? fast(args) : null;
    if (out != null) return out;
    if (!fallback)
      throw new WasmTrainingKernelError(
        `${kernelName}: no fast path for these inputs and no backend kernel to fall back to`,
      );
    return fallback.kernelFunc(args as never);
  };
  return {
    kernelName,
    backendName: 'wasm',
    ...(fallback?.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
