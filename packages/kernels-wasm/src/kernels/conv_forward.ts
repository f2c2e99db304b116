import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { getKernelThreadPool, type KernelThreadPool } from '../threads/pool';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';

/** Output pixels per indirection block (block x taps pointers of scratch). */
const BLOCK = 64;

/** Below this many multiply-adds per operation, copying to threads costs more than it saves. */
export const MIN_THREADED_MACS = 8e6;

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
 * [batch, height, width, channels] tensor (the identity for a plain convolution; a sub-pixel grid
 * for a phase of Conv2DBackpropInput).
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

export interface Packed {
  offset: number;
  floats: number;
}

/** The packed form ([ceil(out/8)][taps * in][8]) of `source` read through `layout`. */
export function packed(
  backend: BackendWasm,
  source: TensorInfo,
  layout: FilterLayout,
  cin: number,
  cout: number,
): Packed {
  let cache = packedCache.get(backend);
  if (!cache) {
    cache = new Map();
    packedCache.set(backend, cache);
  }
  sweep(backend, cache);
  let entry = cache.get(source.dataId);
  if (!entry) {
    entry = { layouts: new Map() };
    cache.set(source.dataId, entry);
  }
  let info = entry.layouts.get(layout.key);
  if (!info) {
    const taps = layout.tapOffsets.length;
    info = backend.makeOutput([Math.ceil(cout / 8) * taps * cin * 8], 'float32');
    const offsets = backend.makeOutput([taps], 'int32');
    (backend.typedArrayFromHeap(offsets) as Int32Array).set(layout.tapOffsets);
    trainKernels(backend).pack_filter(
      heapOffset(backend, source),
      heapOffset(backend, info),
      heapOffset(backend, offsets),
      taps,
      cin,
      cout,
      layout.inStride,
      layout.outStride,
    );
    backend.disposeData(offsets.dataId);
    entry.layouts.set(layout.key, info);
  }
  return { offset: heapOffset(backend, info), floats: info.shape[0]! };
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

export const identityMap = (g: ConvGeometry): OutputMap => ({
  height: g.outHeight,
  width: g.outWidth,
  strideY: 1,
  strideX: 1,
  offsetY: 0,
  offsetX: 0,
  channels: g.outChannels,
});

/** Whether ConvWriter splits a convolution of this many multiply-adds across the kernel thread pool. */
export function convRunsThreaded(macs: number): boolean {
  const pool = getKernelThreadPool();
  return pool != null && pool.threads > 1 && macs >= MIN_THREADED_MACS;
}

const macsOf = (g: ConvGeometry) =>
  g.batch * g.outHeight * g.outWidth * g.outChannels * g.filterHeight * g.filterWidth * g.inChannels;

function convArgs(
  x: number,
  filter: number,
  bias: number,
  out: number,
  ind: number,
  zero: number,
  g: ConvGeometry,
  map: OutputMap,
): number[] {
  return [
    x,
    filter,
    bias,
    out,
    ind,
    zero,
    BLOCK,
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
    map.height,
    map.width,
    map.strideY,
    map.strideX,
    map.offsetY,
    map.offsetX,
    map.channels,
  ];
}

/**
 * Writes one or more convolutions (the phases of a Conv2DBackpropInput) into `out`, on this
 * thread or, when a kernel thread pool is set and the work is large, split across its threads.
 */
export class ConvWriter {
  private readonly pool: KernelThreadPool | null;
  private sharedOut = 0;
  private readonly sharedInputs = new Map<DataId, number>();

  constructor(
    private readonly backend: BackendWasm,
    private readonly out: TensorInfo,
    zeroFirst: boolean,
    totalMacs: number,
  ) {
    this.pool = convRunsThreaded(totalMacs) ? getKernelThreadPool() : null;
    const floats = out.shape.reduce((a, b) => a * b, 1);
    if (this.pool) {
      this.pool.reset();
      this.sharedOut = this.pool.alloc(floats * 4);
      if (zeroFirst) this.pool.kernels.fill_zero(this.sharedOut, floats);
    } else if (zeroFirst) {
      trainKernels(backend).fill_zero(heapOffset(backend, out), floats);
    }
  }

  static macs = macsOf;

  /** Copies `floats` floats at `offset` of the backend heap into the shared memory. */
  private share(offset: number, floats: number): number {
    const target = this.pool!.alloc(floats * 4);
    new Float32Array(this.pool!.memory.buffer, target, floats).set(
      new Float32Array((this.backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer, offset, floats),
    );
    return target;
  }

  run(x: TensorInfo, filter: Packed, bias: Packed | null, g: ConvGeometry, map: OutputMap): void {
    const pixels = g.batch * g.outHeight * g.outWidth;
    const taps = g.filterHeight * g.filterWidth;
    if (!this.pool) {
      const scratch = allocScratch(this.backend, BLOCK * taps + g.inChannels);
      const ind = heapOffset(this.backend, scratch);
      const zero = ind + BLOCK * taps * 4;
      const kernels = trainKernels(this.backend);
      kernels.fill_zero(zero, g.inChannels);
      const args = convArgs(
        heapOffset(this.backend, x),
        filter.offset,
        bias ? bias.offset : 0,
        heapOffset(this.backend, this.out),
        ind,
        zero,
        g,
        map,
      );
      (kernels.conv2d_forward as (...a: number[]) => void)(...args, 0, pixels);
      disposeScratch(this.backend, scratch);
      return;
    }
    const pool = this.pool;
    let xShared = this.sharedInputs.get(x.dataId);
    if (xShared == null) {
      xShared = this.share(
        heapOffset(this.backend, x),
        x.shape.reduce((a, b) => a * b, 1),
      );
      this.sharedInputs.set(x.dataId, xShared);
    }
    const filterShared = this.share(filter.offset, filter.floats);
    const biasShared = bias ? this.share(bias.offset, bias.floats) : 0;
    const scratch = Array.from({ length: pool.threads }, () => {
      const ind = pool.alloc(BLOCK * taps * 4 + g.inChannels * 4);
      const zero = ind + BLOCK * taps * 4;
      pool.kernels.fill_zero(zero, g.inChannels);
      return { ind, zero };
    });
    pool.convForward(convArgs(xShared, filterShared, biasShared, this.sharedOut, 0, 0, g, map), pixels, scratch);
  }

  /** Copies a threaded result back into `out`. */
  finish(): void {
    if (!this.pool) return;
    const floats = this.out.shape.reduce((a, b) => a * b, 1);
    (this.backend.typedArrayFromHeap(this.out) as Float32Array).set(
      new Float32Array(this.pool.memory.buffer, this.sharedOut, floats),
    );
    this.pool.reset();
  }
}
