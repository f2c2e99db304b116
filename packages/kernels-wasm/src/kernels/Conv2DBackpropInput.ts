import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { trainKernelsAvailable, WasmTrainingKernelError } from '../train/module';
import { assertChannelsLast, assertFloat32 } from './conv_util';
import { conv1x1Forward, conv1x1ForwardPath, isPointwise } from './conv1x1';
import { ConvWriter, convRunsThreaded, convSplits, type FilterLayout } from './conv_forward';
import { winogradTaps, winogradTile } from './winograd';

/**
 * One sub-pixel phase: the input-gradient pixels (qy + sh*m, qx + sw*n) are a stride-1
 * correlation of dy with the taps ry + sh*j (rows) and rx + sw*i (columns), flipped, with padding
 * (top, bottom, left, right) around dy.
 */
export interface Phase {
  qy: number;
  qx: number;
  ry: number;
  rx: number;
  taps: [number, number];
  outSize: [number, number];
  pad: [number, number, number, number];
}

function axisPhase(q: number, stride: number, pad: number, kernel: number, inSize: number, outSize: number) {
  const r = (q + pad) % stride;
  const c = (q + pad - r) / stride;
  const taps = r < kernel ? Math.ceil((kernel - r) / stride) : 0;
  const count = q < inSize ? Math.ceil((inSize - q) / stride) : 0;
  return { r, taps, count, before: taps - 1 - c, after: count + c - outSize };
}

/** The stride-product phases of a Conv2DBackpropInput, or null where one would need cropping. */
export function phasesOf(info: backend_util.Conv2DInfo): Phase[] | null {
  const phases: Phase[] = [];
  for (let qy = 0; qy < info.strideHeight; qy++) {
    const y = axisPhase(qy, info.strideHeight, info.padInfo.top, info.filterHeight, info.inHeight, info.outHeight);
    for (let qx = 0; qx < info.strideWidth; qx++) {
      const x = axisPhase(qx, info.strideWidth, info.padInfo.left, info.filterWidth, info.inWidth, info.outWidth);
      if (y.count === 0 || x.count === 0) continue;
      if (y.taps > 0 && x.taps > 0 && (y.before < 0 || y.after < 0 || x.before < 0 || x.after < 0)) return null;
      phases.push({
        qy,
        qx,
        ry: y.r,
        rx: x.r,
        taps: [y.taps, x.taps],
        outSize: [y.count, x.count],
        pad: [y.before, y.after, x.before, x.after],
      });
    }
  }
  return phases;
}

/** The phase's filter read in place from the [kh][kw][ci][co] filter: flipped taps, in = co, out = ci. */
function phaseLayout(info: backend_util.Conv2DInfo, p: Phase): FilterLayout {
  const [jy, jx] = p.taps;
  const { strideHeight: sh, strideWidth: sw, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const tapOffsets: number[] = [];
  for (let j = 0; j < jy; j++) {
    for (let i = 0; i < jx; i++)
      tapOffsets.push(((p.ry + sh * (jy - 1 - j)) * kw + (p.rx + sw * (jx - 1 - i))) * ci * co);
  }
  return {
    key: `phase:${info.filterHeight}x${kw}x${ci}x${co}:${sh}x${sw}:${p.ry},${p.rx}`,
    tapOffsets,
    inStride: 1,
    outStride: co,
  };
}

/**
 * Conv2DBackpropInput (the input gradient of Conv2D, and conv2dTranspose): stride x stride
 * stride-1 convolutions of dy, each writing its sub-pixel grid of dx directly; for
 * ConvTranspose(4, 2, 1) four 2x2 convolutions. `fallback` (the backend's own kernel) handles the
 * rare paddings a phase cannot express.
 */
export function createConv2DBackpropInput(fallback?: KernelFunc) {
  return function conv2DBackpropInput(args: {
    inputs: Conv2DBackpropInputInputs;
    backend: BackendWasm;
    attrs: Conv2DBackpropInputAttrs;
  }): TensorInfo {
    const { inputs, backend, attrs } = args;
    const dy = inputs.dy as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    assertFloat32(Conv2DBackpropInput, { dy, filter });
    assertChannelsLast(Conv2DBackpropInput, attrs.dataFormat);
    const { strides, pad, dimRoundingMode, inputShape } = attrs;
    const info = backend_util.computeConv2DInfo(
      inputShape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const phases = trainKernelsAvailable(backend) ? phasesOf(info) : null;
    if (phases == null) {
      if (!fallback)
        throw new WasmTrainingKernelError(
          `Conv2DBackpropInput: padding ${JSON.stringify(pad)} needs the backend's own kernel, which is missing`,
        );
      return fallback(args as never) as TensorInfo;
    }
    const { inChannels: ci, outChannels: co } = info;
    // 1x1: dx = dy * w^T, a GEMM over pixels (the filter read transposed: strides 1 and co).
    const pointwise = isPointwise(info) ? conv1x1ForwardPath(co, ci) : null;
    if (pointwise && !convRunsThreaded(info.batchSize * info.inHeight * info.inWidth * ci * co)) {
      const dx = backend.makeOutput([...inputShape], 'float32');
      conv1x1Forward(backend, pointwise, dy, filter, 1, co, null, dx, co, ci);
      return dx;
    }
    const dx = backend.makeOutput([...inputShape], 'float32');
    const active = phases.filter((p) => p.taps[0] > 0 && p.taps[1] > 0);
    const covered = active.reduce((n, p) => n + p.outSize[0] * p.outSize[1], 0);
    const geometry = (p: Phase) => ({
      batch: info.batchSize,
      inHeight: info.outHeight,
      inWidth: info.outWidth,
      inChannels: info.outChannels,
      outHeight: p.outSize[0],
      outWidth: p.outSize[1],
      outChannels: info.inChannels,
      filterHeight: p.taps[0],
      filterWidth: p.taps[1],
      strideHeight: 1,
      strideWidth: 1,
      dilationHeight: 1,
      dilationWidth: 1,
      padTop: p.pad[0],
      padLeft: p.pad[2],
    });
    const writes = active.map((p) => {
      const g = geometry(p);
      const r = winogradTaps(g);
      return { p, g, r, tile: winogradTile(g, r) };
    });
    const macs = writes.reduce((n, { g }) => n + ConvWriter.macs(g), 0);
    const splits = Math.min(...writes.map(({ g, tile }) => convSplits(g, tile)));
    // The threading threshold is applied to one phase's work: W3's 7x7 level (four 3.6 M-MAC
    // phases) measured slower threaded (0.85 against 0.62 ms).
    const writer = new ConvWriter(backend, dx, covered !== info.inHeight * info.inWidth, macs / active.length, splits);
    for (const { p, g, r, tile } of writes) {
      const map = {
        height: info.inHeight,
        width: info.inWidth,
        strideY: info.strideHeight,
        strideX: info.strideWidth,
        offsetY: p.qy,
        offsetX: p.qx,
        channels: info.inChannels,
      };
      const layout = r ? { ...phaseLayout(info, p), winograd: r, winogradTile: tile || 2 } : phaseLayout(info, p);
      const filterSource = { tensor: filter, layout, cin: info.outChannels, cout: info.inChannels };
      if (tile) writer.runWinograd(dy, filterSource, null, g, map, tile);
      else writer.run(dy, filterSource, null, g, map);
    }
    writer.finish();
    return dx;
  };
}

export function conv2DBackpropInputConfig(fallback?: KernelConfig): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    // The backend's own kernel keeps working as the fallback only if its setup still runs.
    ...(fallback?.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
    kernelFunc: createConv2DBackpropInput(fallback?.kernelFunc) as unknown as KernelFunc,
  };
}
