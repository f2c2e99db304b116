import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';
import { FILTER_GRAD_CHUNK } from './Conv2DBackpropFilter';
import { assertFloat32 } from './conv_util';

/** dx[tap-shifted pixel][c] += sum_m dy[c*mult + m] * w[tap][c][m]; padding taps land in a trash row. */
export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  assertFloat32(DepthwiseConv2dNativeBackpropInput, { dy, filter });
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const kernels = trainKernels(backend);
  const dx = backend.makeOutput([...inputShape], 'float32');
  const scratch = allocScratch(backend, FILTER_GRAD_CHUNK + info.inChannels);
  const scratchOffset = heapOffset(backend, scratch);
  kernels.depthwise_backprop_input(
    heapOffset(backend, dy),
    heapOffset(backend, filter),
    heapOffset(backend, dx),
    scratchOffset,
    scratchOffset + FILTER_GRAD_CHUNK * 4,
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
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
