import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { getKernelThreadPool, type KernelThreadPool, type ThreadedKernel } from '../threads/pool';
import { sharedFilterCache, sharedFilterCacheEnabled } from '../threads/shared_filter_cache';
import { allocScratch, disposeScratch, heapOffset, trainKernels, type TrainKernelExports } from '../train/module';
import { size } from './fast/override';

/** Output pixels per indirection block (block x taps pointers of scratch). */
const BLOCK = 64;

/** Output tiles per Winograd block: its transformed inputs and products stay in L2. */
const WINOGRAD_TILES = 32;
/** The same for 4x4 output tiles (25 products each, not 9). */
const WINOGRAD_TILES_4X4 = 16;
/** Tiles per share when a Winograd convolution is split across threads (two 4-row micro-tiles). */
const WINOGRAD_GRAIN = 8;

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
  /**
   * r: the Winograd F(m x m, r x r) transform of a layout of r x r-tap phases (tapOffsets phase
   * after phase; one phase for a stride-1 filter, s * s for stride s),
   * [(m + r - 1)^2][ceil(out / 8)][phases * in][8].
   */
  winograd?: 2 | 3;
  /** m: the output tile of the Winograd transform, F(m x m, r x r) (default 2). */
  winogradTile?: 2 | 4;
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

/**
 * A filter (or bias) tensor read through a layout. A ConvWriter packs it where its call runs: in
 * the backend's heap (this cache), or in the kernel threads' shared memory (their filter cache),
 * so a threaded layer's filter is packed once and held once.
 */
export interface FilterSource {
  tensor: TensorInfo;
  layout: FilterLayout;
  cin: number;
  cout: number;
}

// The Winograd transform of a layout is another packing of the same taps: its own cache entry.
const packingKey = ({ layout }: FilterSource) =>
  layout.winograd ? `winograd${layout.winogradTile ?? 2}x${layout.winograd}:${layout.key}` : layout.key;

/** Floats of the packed form ([ceil(out/8)][taps * in][8], or per Winograd point for a transform). */
function packedFloats({ layout, cin, cout }: FilterSource): number {
  const taps = layout.tapOffsets.length;
  const r = layout.winograd;
  const points = r ? ((layout.winogradTile ?? 2) + r - 1) ** 2 * (taps / (r * r)) : taps;
  return Math.ceil(cout / 8) * points * cin * 8;
}

/**
 * Packs the filter at `src` into `dst` with `kernels` (the heap's instance or the shared
 * memory's); `tapOffsetsAt` holds the layout's tap offsets as int32 on the same memory.
 */
function packInto(kernels: TrainKernelExports, f: FilterSource, src: number, dst: number, tapOffsetsAt: number): void {
  const { layout, cin, cout } = f;
  const taps = layout.tapOffsets.length;
  const r = layout.winograd;
  if (r) {
    const tile = layout.winogradTile ?? 2;
    kernels.winograd_pack_filter(
      src,
      dst,
      tapOffsetsAt,
      tile,
      r,
      taps / (r * r),
      cin,
      cout,
      layout.inStride,
      layout.outStride,
    );
  } else {
    kernels.pack_filter(src, dst, tapOffsetsAt, taps, cin, cout, layout.inStride, layout.outStride);
  }
}

/** The heap offset of `f`'s packed form, packed on the first call for its tensor and layout. */
export function packed(backend: BackendWasm, f: FilterSource): number {
  let cache = packedCache.get(backend);
  if (!cache) {
    cache = new Map();
    packedCache.set(backend, cache);
  }
  sweep(backend, cache);
  let entry = cache.get(f.tensor.dataId);
  if (!entry) {
    entry = { layouts: new Map() };
    cache.set(f.tensor.dataId, entry);
  }
  const key = packingKey(f);
  let info = entry.layouts.get(key);
  if (!info) {
    info = backend.makeOutput([packedFloats(f)], 'float32');
    const offsets = backend.makeOutput([f.layout.tapOffsets.length], 'int32');
    (backend.typedArrayFromHeap(offsets) as Int32Array).set(f.layout.tapOffsets);
    packInto(
      trainKernels(backend),
      f,
      heapOffset(backend, f.tensor),
      heapOffset(backend, info),
      heapOffset(backend, offsets),
    );
    backend.disposeData(offsets.dataId);
    entry.layouts.set(key, info);
  }
  return heapOffset(backend, info);
}

/**
 * The shared-memory offset of `f`'s packed form in the pool's filter cache: on a miss the filter
 * and its tap offsets are copied above the cache and packed there by the pool's kernels. Between
 * calls only (it frees the pool's per-call allocations).
 */
function sharedPacked(backend: BackendWasm, pool: KernelThreadPool, f: FilterSource): number {
  return sharedFilterCache(pool).offsetOf(backend, f.tensor.dataId, packingKey(f), packedFloats(f) * 4, (dst) => {
    const src = copyToPool(backend, pool, heapOffset(backend, f.tensor), size(f.tensor.shape));
    const offsets = pool.alloc(f.layout.tapOffsets.length * 4);
    new Int32Array(pool.memory.buffer, offsets, f.layout.tapOffsets.length).set(f.layout.tapOffsets);
    packInto(pool.kernels, f, src, dst, offsets);
  });
}

/**
 * The [kh][kw][in][out] layout of a tfjs conv filter of stride s as Winograd wants it: its s * s
 * input phases' r x r taps (r = kh / s), phase (py, px) holding taps ky = (py + padTop) mod s + s k,
 * kx = (px + padLeft) mod s + s l (the order csrc/winograd.inc.c reads the phases in).
 */
export function phasedLayout(g: ConvGeometry, r: 2 | 3, tile: 2 | 4 = 2): FilterLayout {
  const s = g.strideHeight;
  const { inChannels: cin, outChannels: cout, filterWidth: kw } = g;
  const tapOffsets: number[] = [];
  for (let py = 0; py < s; py++) {
    for (let px = 0; px < s; px++) {
      for (let k = 0; k < r; k++) {
        for (let l = 0; l < r; l++) {
          const ky = ((py + g.padTop) % s) + s * k;
          const kx = ((px + g.padLeft) % s) + s * l;
          tapOffsets.push((ky * kw + kx) * cin * cout);
        }
      }
    }
  }
  return {
    key: `phased:${s}:${g.padTop % s}:${g.padLeft % s}:${g.filterHeight}x${kw}x${cin}x${cout}`,
    tapOffsets,
    inStride: cout,
    outStride: 1,
    winograd: r,
    winogradTile: tile,
  };
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
    ...outputMapArgs(map),
  ];
}

/** The output map as the C kernels take it (out_h, out_w, osy, osx, oqy, oqx, ldo). */
const outputMapArgs = (map: OutputMap) => [
  map.height,
  map.width,
  map.strideY,
  map.strideX,
  map.offsetY,
  map.offsetX,
  map.channels,
];

/** `floats` floats at heap offset `heapAt` copied into newly allocated pool memory; returns where. */
function copyToPool(backend: BackendWasm, pool: KernelThreadPool, heapAt: number, floats: number): number {
  const at = pool.alloc(floats * 4);
  // The heap's buffer is read here: packing on the heap may have grown it.
  const heap = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
  new Float32Array(pool.memory.buffer, at, floats).set(new Float32Array(heap, heapAt, floats));
  return at;
}

/** A kernel call a threaded writer runs in `finish()`. */
interface PendingCall {
  kernel: ThreadedKernel;
  count: number;
  grain: number;
  operands: ReadonlyArray<TensorInfo | FilterSource | null>;
  scratch: { floats: number; zeroFloats: number };
  args: (operands: number[], out: number, scratch: number) => number[];
}

const isFilter = (operand: TensorInfo | FilterSource): operand is FilterSource => 'layout' in operand;

/**
 * Writes one or more convolutions (the phases of a Conv2DBackpropInput) into `out`, on this
 * thread or, when a kernel thread pool is set and the work is large, split across its threads.
 */
export class ConvWriter {
  private readonly pool: KernelThreadPool | null;
  private readonly pending: PendingCall[] = [];

  /**
   * `splits`: into how many ranges the smallest of the writes can be split (the number of its
   * blocks); a writer that could not give every thread a share stays on this thread.
   */
  constructor(
    private readonly backend: BackendWasm,
    private readonly out: TensorInfo,
    private readonly zeroFirst: boolean,
    totalMacs: number,
    splits = Number.POSITIVE_INFINITY,
  ) {
    const pool = convRunsThreaded(totalMacs) ? getKernelThreadPool() : null;
    this.pool = pool && splits >= pool.threads ? pool : null;
    if (!this.pool && zeroFirst) {
      trainKernels(backend).fill_zero(heapOffset(backend, out), size(out.shape));
    }
  }

  static macs = macsOf;

  /**
   * Runs `kernel(...args(operands, out, scratch), begin, end)` over [0, count): now on this
   * thread, or in `finish()` split in `grain`s across the pool with the operands and the output
   * in the shared memory.
   * Each thread gets `scratchFloats` floats of scratch whose first `zeroFloats` are zeroed.
   */
  dispatch(
    kernel: ThreadedKernel,
    count: number,
    grain: number,
    operands: ReadonlyArray<TensorInfo | FilterSource | null>,
    scratch: { floats: number; zeroFloats: number },
    args: (operands: number[], out: number, scratch: number) => number[],
  ): void {
    if (!this.pool) {
      const info = allocScratch(this.backend, scratch.floats);
      const at = heapOffset(this.backend, info);
      const kernels = trainKernels(this.backend);
      kernels.fill_zero(at, scratch.zeroFloats);
      const offsets = operands.map((o) =>
        o == null ? 0 : isFilter(o) ? packed(this.backend, o) : heapOffset(this.backend, o),
      );
      (kernels[kernel] as (...a: number[]) => void)(...args(offsets, heapOffset(this.backend, this.out), at), 0, count);
      disposeScratch(this.backend, info);
      return;
    }
    // Deferred to finish(): all of a writer's calls (a ConvTranspose's phases) start and join once.
    this.pending.push({ kernel, count, grain, operands, scratch, args });
  }

  run(x: TensorInfo, filter: FilterSource, bias: FilterSource | null, g: ConvGeometry, map: OutputMap): void {
    const taps = g.filterHeight * g.filterWidth;
    // scratch: the zero row, then BLOCK * taps indirection pointers.
    this.dispatch(
      'conv2d_forward',
      g.batch * g.outHeight * g.outWidth,
      BLOCK,
      [x, filter, bias],
      { floats: g.inChannels + BLOCK * taps, zeroFloats: g.inChannels },
      ([xAt, filterAt, biasAt], out, at) => convArgs(xAt!, filterAt!, biasAt!, out, at + g.inChannels * 4, at, g, map),
    );
  }

  /**
   * Writes a convolution winogradTaps(g) accepts (r x r filter and stride 1, or (s r) x (s r) and
   * stride s) by Winograd F(m x m, r x r), with the filter packed through a layout with
   * `winograd: r, winogradTile: m` (phasedLayout for stride s).
   */
  runWinograd(
    x: TensorInfo,
    filter: FilterSource,
    bias: FilterSource | null,
    g: ConvGeometry,
    map: OutputMap,
    m: 2 | 4,
  ): void {
    const s = g.strideHeight;
    const r = g.filterHeight / s;
    const products = (m + r - 1) ** 2;
    const tiles = m === 4 ? WINOGRAD_TILES_4X4 : WINOGRAD_TILES;
    // csrc/winograd.inc.c pads each of the a * a slots of V and of M by WINOGRAD_SLOT_PAD (8) floats.
    const blockFloats = products * (tiles * (s * s * g.inChannels + Math.ceil(g.outChannels / 8) * 8) + 16);
    // scratch: the zero row, the block's transformed inputs and products, then its row pointers.
    this.dispatch(
      'winograd_conv',
      winogradTiles(g, m),
      WINOGRAD_GRAIN,
      [x, filter, bias],
      { floats: g.inChannels + blockFloats + products * tiles, zeroFloats: g.inChannels },
      ([xAt, filterAt, biasAt], out, at) => [
        xAt!,
        filterAt!,
        biasAt!,
        out,
        at + g.inChannels * 4,
        at + (g.inChannels + blockFloats) * 4,
        at,
        m,
        r,
        s,
        tiles,
        g.inHeight,
        g.inWidth,
        g.inChannels,
        g.outHeight,
        g.outWidth,
        g.outChannels,
        g.padTop,
        g.padLeft,
        ...outputMapArgs(map),
      ],
    );
  }

  /**
   * Runs the threaded calls and copies their result back into `out`. Filters come from the pool's
   * filter cache (packed in the shared memory once, not copied per call); the inputs, the output
   * and the scratch are this call's own, above the cache.
   */
  finish(): void {
    if (!this.pool) return;
    const pool = this.pool;
    const cache = sharedFilterCache(pool);
    cache.sweep();
    // Filters first: a new one goes where this call's allocations would start. With the cache
    // off they are packed on the heap and copied in below, as before the cache.
    const filterAt = new Map<FilterSource, number>();
    if (sharedFilterCacheEnabled()) {
      for (const call of this.pending) {
        for (const o of call.operands)
          if (o != null && isFilter(o)) filterAt.set(o, sharedPacked(this.backend, pool, o));
      }
    }
    cache.resetCalls();
    const floats = size(this.out.shape);
    const out = pool.alloc(floats * 4);
    if (this.zeroFirst) pool.kernels.fill_zero(out, floats);
    const copied = new Map<number, number>();
    // An input (or, with the cache off, a filter packed on the heap) copied in for this call only.
    const copyIn = (heapAt: number, floats: number): number => {
      let at = copied.get(heapAt);
      if (at == null) {
        at = copyToPool(this.backend, pool, heapAt, floats);
        copied.set(heapAt, at);
      }
      return at;
    };
    const operandAt = (o: TensorInfo | FilterSource): number => {
      if (!isFilter(o)) return copyIn(heapOffset(this.backend, o), size(o.shape));
      return filterAt.get(o) ?? copyIn(packed(this.backend, o), packedFloats(o));
    };
    const jobs = this.pending.map((call) => {
      const offsets = call.operands.map((o) => (o == null ? 0 : operandAt(o)));
      const scratches = Array.from({ length: pool.threads }, () => {
        const at = pool.alloc(call.scratch.floats * 4);
        pool.kernels.fill_zero(at, call.scratch.zeroFloats);
        return at;
      });
      return {
        kernel: call.kernel,
        count: call.count,
        grain: call.grain,
        args: (thread: number) => call.args(offsets, out, scratches[thread]!),
      };
    });
    this.pending.length = 0;
    try {
      pool.split(jobs);
      (this.backend.typedArrayFromHeap(this.out) as Float32Array).set(
        new Float32Array(pool.memory.buffer, out, floats),
      );
    } finally {
      cache.resetCalls();
    }
  }
}

/** Output tiles (m x m) of a Winograd convolution. */
export const winogradTiles = (g: ConvGeometry, m: 2 | 4) =>
  g.batch * Math.ceil(g.outHeight / m) * Math.ceil(g.outWidth / m);

/**
 * Ranges of output pixels (direct) or tiles (Winograd with m x m output tiles) the pool hands out:
 * how finely a write splits.
 */
export const convSplits = (g: ConvGeometry, winogradTile: 0 | 2 | 4) =>
  winogradTile
    ? Math.ceil(winogradTiles(g, winogradTile) / WINOGRAD_GRAIN)
    : Math.ceil((g.batch * g.outHeight * g.outWidth) / BLOCK);
