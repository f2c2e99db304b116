import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2D,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type DataId,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapOffset, trainKernels, WasmTrainingKernelError } from '../train/module';
import { assertChannelsLast, assertFloat32 } from './conv_util';

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

/** The stride product of phases of a Conv2DBackpropInput, or null where one needs cropping. */
export function phasesOf(info: backend_util.Conv2DInfo): Phase[] | null {
  const phases: Phase[] = [];
  for (let qy = 0; qy < info.strideHeight; qy++) {
    const y = axisPhase(qy, info.strideHeight, info.padInfo.top, info.filterHeight, info.inHeight, info.outHeight);
    for (let qx = 0; qx < info.strideWidth; qx++) {
      const x = axisPhase(qx, info.strideWidth, info.padInfo.left, info.filterWidth, info.inWidth, info.outWidth);
      if (y.count === 0 || x.count === 0) continue;
      if (y.taps > 0 && x.taps > 0 && (y.before < 0 || y.after < 0 || x.before < 0 || x.after < 0)) return null;
      phases.push({
        qy, qx, ry: y.r, rx: x.r,
        taps: [y.taps, x.taps],
        outSize: [y.count, x.count],
        pad: [y.before, y.after, x.before, x.after],
      });
    }
  }
  return phases;
}

/**
 * Phase filters per filter tensor, so inference reuses them (and XNNPACK keeps its packed
 * operators, which the backend caches per filter tensor). Entries whose filter was disposed are
 * freed on the next call.
 */
const phaseFilterCache = new WeakMap<BackendWasm, Map<DataId, { key: string; filters: TensorInfo[] }>>();

function sweep(backend: BackendWasm, cache: Map<DataId, { key: string; filters: TensorInfo[] }>): void {
  for (const [dataId, entry] of cache) {
    if (!backend.dataIdMap.has(dataId)) {
      for (const f of entry.filters) backend.disposeData(f.dataId);
      cache.delete(dataId);
    }
  }
}

function phaseFilters(backend: BackendWasm, filter: TensorInfo, info: backend_util.Conv2DInfo, phases: Phase[]): TensorInfo[] {
  let cache = phaseFilterCache.get(backend);
  if (!cache) phaseFilterCache.set(backend, (cache = new Map()));
  sweep(backend, cache);
  const key = `${info.strideHeight},${info.strideWidth},${phases.map((p) => `${p.ry}.${p.rx}`).join(',')}`;
  const hit = cache.get(filter.dataId);
  if (hit && hit.key === key) return hit.filters;
  if (hit) {
    for (const f of hit.filters) backend.disposeData(f.dataId);
    cache.delete(filter.dataId);
  }
  const kernels = trainKernels(backend);
  const ci = info.inChannels;
  const co = info.outChannels;
  const filters = phases.map((p) => {
    const [jy, jx] = p.taps;
    const out = backend.makeOutput([jy, jx, co, ci], 'float32');
    if (jy > 0 && jx > 0) {
      kernels.gather_phase_filter(
        heapOffset(backend, filter), heapOffset(backend, out), info.filterWidth, ci, co,
        info.strideHeight, info.strideWidth, p.ry, p.rx, jy, jx,
      );
    }
    return out;
  });
  cache.set(filter.dataId, { key, filters });
  return filters;
}

/** Runs the backend's XNNPACK Conv2D (stride 1, explicit padding). */
function xnnConv2d(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pad: [number, number, number, number]): TensorInfo {
  const conv = getKernel(Conv2D, 'wasm');
  if (!conv) throw new WasmTrainingKernelError('the wasm backend has no Conv2D kernel registered');
  return conv.kernelFunc({
    inputs: { x, filter },
    backend,
    attrs: {
      strides: [1, 1],
      pad: [[0, 0], [pad[0], pad[1]], [pad[2], pad[3]], [0, 0]],
      dilations: [1, 1],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as never,
  }) as TensorInfo;
}

/**
 * Conv2DBackpropInput (the input gradient of Conv2D, and conv2dTranspose) as stride x stride
 * stride-1 convolutions on XNNPACK plus a scatter: for ConvTranspose(4, 2, 1), four 2x2 convolutions.
 * `fallback` (the backend's own kernel) handles the rare layouts a phase cannot express.
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
    const phases = phasesOf(info);
    if (phases == null) {
      if (!fallback) throw new WasmTrainingKernelError(`Conv2DBackpropInput: padding ${JSON.stringify(pad)} needs the backend's own kernel, which is missing`);
      return fallback(args as never) as TensorInfo;
    }
    const filters = phaseFilters(backend, filter, info, phases);
    if (phases.length === 1 && info.strideHeight === 1 && info.strideWidth === 1) {
      const out = xnnConv2d(backend, dy, filters[0]!, phases[0]!.pad);
      return { dataId: out.dataId, shape: [...inputShape], dtype: 'float32' };
    }
    const kernels = trainKernels(backend);
    const dx = backend.makeOutput([...inputShape], 'float32');
    const covered = phases.reduce((n, p) => n + (p.taps[0] > 0 && p.taps[1] > 0 ? p.outSize[0] * p.outSize[1] : 0), 0);
    if (covered !== info.inHeight * info.inWidth) {
      kernels.fill_zero(heapOffset(backend, dx), info.batchSize * info.inHeight * info.inWidth * info.inChannels);
    }
    phases.forEach((p, i) => {
      if (p.taps[0] === 0 || p.taps[1] === 0) return;
      const part = xnnConv2d(backend, dy, filters[i]!, p.pad);
      kernels.scatter_phase(
        heapOffset(backend, part), heapOffset(backend, dx), info.batchSize, p.outSize[0], p.outSize[1], info.inChannels,
        info.inHeight, info.inWidth, info.strideHeight, info.strideWidth, p.qy, p.qx,
      );
      backend.disposeData(part.dataId);
    });
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
