import {
  Add,
  Conv2DBackpropInput,
  getGradient,
  getKernel,
  type KernelConfig,
  Multiply,
  RealDiv,
  registerGradient,
  registerKernel,
  Sub,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { registerKernelsOnce } from '@wavemix/core';
import { adamWUpdateConfig } from '../kernels/AdamWUpdate';
import { batchNormGradConfig } from '../kernels/BatchNormGrad';
import { batchNormTrainingConfig } from '../kernels/BatchNormTraining';
import { batchNormTrainingGradConfig } from '../kernels/BatchNormTrainingGrad';
import { geluConfig, geluGradConfig, geluGradient, registerFastGelu } from '../kernels/Gelu';
import { seededDropoutConfig } from '../kernels/SeededDropout';
import { conv2DBackpropFilterConfig } from '../kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from '../kernels/Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from '../kernels/DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from '../kernels/DepthwiseConv2dNativeBackpropInput';
import { binaryOverride } from '../kernels/fast/Binary';
import { conv2DOverride, fusedConv2DOverride } from '../kernels/fast/Conv2D';
import { fusedBatchNormOverride } from '../kernels/fast/FusedBatchNorm';
import { castOverride, identityOverride } from '../kernels/fast/Identity';
import { meanOverride, sumOverride } from '../kernels/fast/Reduce';
import { tileOverride } from '../kernels/fast/Tile';
import { erfOverride, expOverride } from '../kernels/fast/Unary';
import { registerWasmTrainingGradients } from './gradients';

/** Kernels the wasm backend lacks entirely; registering them replaces nothing. */
export const wasmTrainingKernelConfigs: readonly KernelConfig[] = [
  adamWUpdateConfig,
  conv2DBackpropFilterConfig,
  batchNormGradConfig,
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  geluConfig,
  geluGradConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  seededDropoutConfig,
];

/**
 * Replacements for backend kernels: the convolutions (our implicit GEMM runs 1.3-1.4x faster
 * than XNNPACK's on the WaveMix shapes) and the kernels that dominate a training step once the
 * convolutions are fast. Each takes the backend's kernel as its fallback for the inputs it has
 * no fast path for.
 */
export const wasmKernelOverrides: ReadonlyArray<readonly [string, (fallback?: KernelConfig) => KernelConfig]> = [
  ['Conv2D', conv2DOverride],
  ['FusedConv2D', fusedConv2DOverride],
  [Conv2DBackpropInput, conv2DBackpropInputConfig],
  ['Tile', tileOverride],
  ['Sum', sumOverride],
  ['Mean', meanOverride],
  ['Identity', identityOverride],
  ['Cast', castOverride],
  [Add, binaryOverride(Add)],
  [Sub, binaryOverride(Sub)],
  [Multiply, binaryOverride(Multiply)],
  [RealDiv, binaryOverride(RealDiv)],
  ['Exp', expOverride],
  ['Erf', erfOverride],
  ['FusedBatchNorm', fusedBatchNormOverride],
];

/** Marks our replacements, so a second copy of this package (ESM + CJS) sees they are in place. */
const OURS = Symbol.for('@wavemix/kernels-wasm/override');
/** The backend kernels our overrides replaced (null: there was none), to put them back. */
const STOCK = Symbol.for('@wavemix/kernels-wasm/stock');

/**
 * Registers the training kernels for the wasm backend: Conv2DBackpropFilter and the depthwise
 * gradients (missing from tfjs-backend-wasm), and the overrides above (conv2dTranspose /
 * Conv2DBackpropInput on XNNPACK, and the element-wise kernels a training step spends its time
 * in), each keeping the backend's own kernel as its fallback; and wraps the FusedBatchNorm and
 * Mean gradients with wasm fast paths (`registerWasmTrainingGradients`, effective once the tfjs
 * gradients are registered); and makes tfjs-layers' `gelu` activation the fused kernel
 * (`registerFastGelu`, effective once tfjs-layers is loaded; the same composite elsewhere).
 * Idempotent. Returns the names of the kernels it replaced in this call.
 */
export function registerWasmTrainingKernels(): string[] {
  registerKernelsOnce(wasmTrainingKernelConfigs);
  const replaced: string[] = [];
  for (const [name, make] of wasmKernelOverrides) {
    const current = getKernel(name, 'wasm');
    if ((current?.kernelFunc as unknown as Record<symbol, unknown> | undefined)?.[OURS]) continue;
    const config = make(current);
    (config.kernelFunc as unknown as Record<symbol, unknown>)[OURS] = true;
    (config.kernelFunc as unknown as Record<symbol, unknown>)[STOCK] = current ?? null;
    if (current) unregisterKernel(name, 'wasm');
    registerKernel(config);
    replaced.push(name);
  }
  registerWasmTrainingGradients();
  if (getGradient(geluGradient.kernelName) == null) registerGradient(geluGradient);
  registerFastGelu();
  return replaced;
}

/**
 * Puts tfjs-backend-wasm's own kernels back in place of our overrides and removes the kernels
 * this package added (training kernels and, with `includeWaveMix`, the DWT kernels too), so the
 * backend runs as shipped (for comparisons). The gradient wrappers stay: they take the tfjs path
 * whenever our batch-norm kernel is missing.
 */
export function restoreStockWasmKernels(
  options: { includeWaveMix?: boolean; waveMixKernels?: readonly KernelConfig[] } = {},
): void {
  for (const [name] of wasmKernelOverrides) {
    const current = getKernel(name, 'wasm');
    const funcs = current?.kernelFunc as unknown as Record<symbol, unknown> | undefined;
    if (!funcs?.[OURS]) continue;
    unregisterKernel(name, 'wasm');
    const stock = funcs[STOCK] as KernelConfig | null;
    if (stock) registerKernel(stock);
  }
  const added = [...wasmTrainingKernelConfigs, ...(options.includeWaveMix ? (options.waveMixKernels ?? []) : [])];
  for (const config of added) {
    if (getKernel(config.kernelName, 'wasm')?.kernelFunc === config.kernelFunc)
      unregisterKernel(config.kernelName, 'wasm');
  }
}
