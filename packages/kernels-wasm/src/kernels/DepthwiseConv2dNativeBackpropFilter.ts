import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';
import { FILTER_GRAD_CHUNK } from './Conv2DBackpropFilter';
import { assertFloat32 } from './conv_util';

/** dW[kh][kw][c][m] = sum over pixels of x(tap-shifted)[c] * dy[c*mult + m], SIMD over channels. */
export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  assertFloat32(DepthwiseConv2dNativeBackpropFilter, { x, dy });
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const kernels = trainKernels(backend);
  const dw = backend.makeOutput([...filterShape], 'float32');
  const scratch = allocScratch(backend, FILTER_GRAD_CHUNK + info.inChannels);
  const scratchOffset = heapOffset(backend, scratch);
  const zeroRow = scratchOffset + FILTER_GRAD_CHUNK * 4;
  kernels.fill_zero(zeroRow, info.inChannels);
  kernels.depthwise_backprop_filter(
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
    info.outChannels / info.inChannels,
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

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
