import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';
import { conv1x1FilterGrad, conv1x1FilterGradPath, isPointwise } from './conv1x1';
import { assertChannelsLast, assertFloat32 } from './conv_util';

/**
 * Output pixels per chunk: each 4 x 8 tile of dW streams this many rows of x and dy, which must
 * stay in L1 (32 measured best, ~30 GFLOP/s; 256 drops to ~21).
 */
export const FILTER_GRAD_CHUNK = 32;

/**
 * dW[kh][kw][ci][co] = sum over pixels of x(tap-shifted)[ci] * dy[co]: a GEMM over an indirection
 * list of input rows (zero row for padding), register-tiled 4 x 8 in WebAssembly SIMD.
 */
export function conv2DBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  assertFloat32(Conv2DBackpropFilter, { x, dy });
  assertChannelsLast(Conv2DBackpropFilter, attrs.dataFormat);
  const { strides, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const dw = backend.makeOutput([...filterShape], 'float32');
  // Narrow 1x1: x^T dy in one pass over the pixels (csrc/conv1x1.inc.c).
  const pointwise = isPointwise(info) ? conv1x1FilterGradPath(info.inChannels, info.outChannels) : null;
  if (pointwise) {
    conv1x1FilterGrad(backend, pointwise, x, dy, dw, info.inChannels, info.outChannels);
    return dw;
  }
  const kernels = trainKernels(backend);
  const scratch = allocScratch(backend, FILTER_GRAD_CHUNK + info.inChannels);
  const scratchOffset = heapOffset(backend, scratch);
  const zeroRow = scratchOffset + FILTER_GRAD_CHUNK * 4;
  kernels.fill_zero(zeroRow, info.inChannels);
  kernels.conv2d_backprop_filter(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, dw),
    scratchOffset,
    zeroRow,
    FILTER_GRAD_CHUNK,
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  disposeScratch(backend, scratch);
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
