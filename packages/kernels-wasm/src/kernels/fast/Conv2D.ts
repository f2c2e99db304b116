import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  FusedConv2D,
  type FusedConv2DAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { conv1x1Forward, conv1x1ForwardPath, isPointwise } from '../conv1x1';
import {
  BIAS_LAYOUT,
  ConvWriter,
  convRunsThreaded,
  convSplits,
  identityMap,
  phasedLayout,
  standardLayout,
} from '../conv_forward';
import { winogradTaps, winogradTile } from '../winograd';
import { overrideConfig, size, type WasmKernelArgs } from './override';

/**
 * Below this many input channels the GEMM's inner dimension is too short for our 4 x 8 tiles to
 * pay; XNNPACK keeps those (e.g. the 3-channel stem convolution).
 */
export const MIN_IN_CHANNELS = 8;

type Inputs = { x?: TensorInfo; filter?: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };

/** Conv2D, and FusedConv2D with a per-channel bias and no activation, on our implicit GEMM. */
function conv(args: WasmKernelArgs<Inputs, Conv2DAttrs & Partial<FusedConv2DAttrs>>): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return null;
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') return null;
  if ((attrs.activation != null && attrs.activation !== 'linear') || preluActivationWeights != null) return null;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (bias && (bias.dtype !== 'float32' || size(bias.shape) !== info.outChannels)) return null;
  const { inChannels: cin, outChannels: cout } = info;
  // Narrow 1x1 convolutions: a GEMM over pixels (csrc/conv1x1.inc.c), also below MIN_IN_CHANNELS.
  const pointwise = isPointwise(info) ? conv1x1ForwardPath(cin, cout) : null;
  if (pointwise && !convRunsThreaded(size(info.outShape) * cin)) {
    const out = backend.makeOutput(info.outShape, 'float32');
    conv1x1Forward(backend as BackendWasm, pointwise, x, filter, cout, 1, bias ?? null, out, cin, cout);
    return out;
  }
  if (cin < MIN_IN_CHANNELS) return null;
  const out = backend.makeOutput(info.outShape, 'float32');
  if (size(info.outShape) === 0) return out;
  const g = {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  const r = winogradTaps(g);
  const tile = winogradTile(g, r);
  const layout = r
    ? phasedLayout(g, r, tile || 2)
    : standardLayout(g.filterHeight, g.filterWidth, g.inChannels, g.outChannels);
  const filterSource = { tensor: filter, layout, cin: g.inChannels, cout: g.outChannels };
  const biasSource = bias ? { tensor: bias, layout: BIAS_LAYOUT, cin: 1, cout: g.outChannels } : null;
  const writer = new ConvWriter(backend as BackendWasm, out, false, ConvWriter.macs(g), convSplits(g, tile));
  if (tile) writer.runWinograd(x, filterSource, biasSource, g, identityMap(g), tile);
  else writer.run(x, filterSource, biasSource, g, identityMap(g));
  writer.finish();
  return out;
}

export const conv2DOverride = (fallback?: KernelConfig) => overrideConfig(Conv2D, fallback, conv);
export const fusedConv2DOverride = (fallback?: KernelConfig) => overrideConfig(FusedConv2D, fallback, conv);
