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
import { winogradFilterGradApplies } from './winograd';

/** dy tiles per block of the Winograd filter gradient: the block's transformed x and dy stay in L2. */
const WINOGRAD_FILTER_TILES = 64;

/**
 * Output pixels per chunk: each 4 x 8 tile of dW streams this many rows of x and dy, which must
 * stay in L1 (32 measured best, ~30 GFLOP/s; 256 drops to ~21).
 */
export const FILTER_GRAD_CHUNK = 32;

/**
 * dW[kh][kw][ci][co] = sum over pixels of x(tap-shifted)[ci] * dy[co]: a GEMM over an indirection
 * list of input rows (zero row for padding), register-tiled 4 x 8 in WebAssembly SIMD; for
 * ConvTranspose(4, 2, 1)'s filter gradient (a 4x4 stride-2 one) Winograd F(2x2, 2x2) per input
 * phase instead (winogradFilterGradApplies).
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
  if (winogradFilterGradApplies(info)) {
    const { inChannels: cin, outChannels: cout, strideHeight: s } = info;
    const tb = WINOGRAD_FILTER_TILES;
    // csrc/winograd.inc.c: 9 slots of tb transformed x patches (all phases) and dy tiles, each
    // padded by 8 floats, then the 9 accumulators; the zero row; tb row pointers.
    const floats = 9 * (tb * s * s * cin + tb * cout + 16) + 9 * s * s * cin * cout;
    const zeroFloats = Math.max(cin, cout);
    const scratch = allocScratch(backend, floats + zeroFloats + tb);
    const at = heapOffset(backend, scratch);
    const zero = at + floats * 4;
    kernels.fill_zero(zero, zeroFloats);
    kernels.winograd_filter_grad(
      heapOffset(backend, x),
      heapOffset(backend, dy),
      heapOffset(backend, dw),
      at,
      zero + zeroFloats * 4,
      zero,
      s,
      tb,
      info.batchSize,
      info.inHeight,
      info.inWidth,
      cin,
      info.outHeight,
      info.outWidth,
      cout,
      info.filterWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    disposeScratch(backend, scratch);
    return dw;
  }
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
