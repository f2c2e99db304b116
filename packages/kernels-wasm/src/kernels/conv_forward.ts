import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';

/** Output pixels per indirection block (block x taps pointers of scratch). */
const BLOCK = 64;

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Where output pixel (b, y, x) goes: row y*strideY + offsetY, column x*strideX + offsetX of a
 * [batch, height, width, rowStride-channel] tensor (the identity for a plain convolution; a
 * sub-pixel grid for a phase of Conv2DBackpropInput).
 */
export interface OutputMap {
  height: number;
  width: number;
  strideY: number;
  strideX: number;
  offsetY: number;
  offsetX: number;
  channels: number;
}

/** How to read a filter as [taps][in][out]: float offset of each tap, then in- and out-strides. */
export interface FilterLayout {
  key: string;
  tapOffsets: number[];
  inStride: number;
  outStride: number;
}

interface CacheEntry {
  layouts: Map<string, TensorInfo>;
}

/**
 * Packed filters (and biases), per source tensor and layout. Inference reuses them; in training
 * the weights are new tensors each step, and entries whose source was disposed are freed on the
 * next convolution.
 */
const packedCache = new WeakMap<BackendWasm, Map<DataId, CacheEntry>>();

function sweep(backend: BackendWasm, cache: Map<DataId, CacheEntry>): void {
  for (const [dataId, entry] of cache) {
    if (backend.dataIdMap.has(dataId)) continue;
    for (const packed of entry.layouts.values()) backend.disposeData(packed.dataId);
    cache.delete(dataId);
  }
}

/** Offset of the packed form ([ceil(out/8)][taps * in][8]) of `source` read through `layout`. */
export function packed(backend: BackendWasm, source: TensorInfo, layout: FilterLayout, cin: number, cout: number): number {
  let cache = packedCache.get(backend);
  if (!cache) packedCache.set(backend, (cache = new Map()));
  sweep(backend, cache);
  let entry = cache.get(source.dataId);
  if (!entry) cache.set(source.dataId, (entry = { layouts: new Map() }));
  let info = entry.layouts.get(layout.key);
  if (!info) {
    const taps = layout.tapOffsets.length;
    info = backend.makeOutput([Math.ceil(cout / 8) * taps * cin * 8], 'float32');
    const offsets = backend.makeOutput([taps], 'int32');
    (backend.typedArrayFromHeap(offsets) as Int32Array).set(layout.tapOffsets);
    trainKernels(backend).pack_filter(
      heapOffset(backend, source), heapOffset(backend, info), heapOffset(backend, offsets),
      taps, cin, cout, layout.inStride, layout.outStride,
    );
    backend.disposeData(offsets.dataId);
    entry.layouts.set(layout.key, info);
  }
  return heapOffset(backend, info);
}

/** The [kh][kw][in][out] layout of a tfjs conv filter. */
export function standardLayout(kh: number, kw: number, cin: number, cout: number): FilterLayout {
  return {
    key: `std:${kh}x${kw}x${cin}x${cout}`,
    tapOffsets: Array.from({ length: kh * kw }, (_, t) => t * cin * cout),
    inStride: cout,
    outStride: 1,
  };
}

export const BIAS_LAYOUT: FilterLayout = { key: 'bias', tapOffsets: [0], inStride: 0, outStride: 1 };

/** Runs the implicit-GEMM convolution; `out` must exist (and be zeroed where no phase writes). */
export function runConv(
  backend: BackendWasm,
  x: TensorInfo,
  filterPacked: number,
  biasPacked: number,
  out: TensorInfo,
  g: ConvGeometry,
  map: OutputMap,
): void {
  const taps = g.filterHeight * g.filterWidth;
  const scratch = allocScratch(backend, BLOCK * taps + g.inChannels);
  const ind = heapOffset(backend, scratch);
  const zero = ind + BLOCK * taps * 4;
  const kernels = trainKernels(backend);
  kernels.fill_zero(zero, g.inChannels);
  kernels.conv2d_forward(
    heapOffset(backend, x), filterPacked, biasPacked, heapOffset(backend, out), ind, zero, BLOCK,
    g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft,
    map.height, map.width, map.strideY, map.strideX, map.offsetY, map.offsetX, map.channels,
  );
  disposeScratch(backend, scratch);
}

export const identityMap = (g: ConvGeometry): OutputMap => ({
  height: g.outHeight,
  width: g.outWidth,
  strideY: 1,
  strideX: 1,
  offsetY: 0,
  offsetX: 0,
  channels: g.outChannels,
});
