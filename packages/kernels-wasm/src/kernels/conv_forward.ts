import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { getKernelThreadPool, type KernelThreadPool, type ThreadedJob, type ThreadedKernel } from '../threads/pool';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';

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
   * r: the Winograd F(2x2, r x r) transform of a layout of r x r-tap phases (tapOffsets phase after
   * phase; one phase for a stride-1 filter, s * s for stride s), [(r + 1)^2][ceil(out / 8)][phases * in][8].
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
  // The Winograd transform of a layout is another packing of the same taps: its own cache entry.
  const tile = layout.winogradTile ?? 2;
  const cacheKey = layout.winograd ? `winograd${tile}x${layout.winograd}:${layout.key}` : layout.key;
  let info = entry.layouts.get(cacheKey);
  if (!info) {
    const taps = layout.tapOffsets.length;
    const r = layout.winograd;
    const phases = r ? taps / (r * r) : 1;
    info = backend.makeOutput([Math.ceil(cout / 8) * (r ? (tile + r - 1) ** 2 * phases : taps) * cin * 8], 'float32');
    const offsets = backend.makeOutput([taps], 'int32');
    (backend.typedArrayFromHeap(offsets) as Int32Array).set(layout.tapOffsets);
    const [src, dst, at] = [heapOffset(backend, source), heapOffset(backend, info), heapOffset(backend, offsets)];
    if (r) {
      trainKernels(backend).winograd_pack_filter(
        src,
        dst,
        at,
        tile,
        r,
        phases,
        cin,
        cout,
        layout.inStride,
        layout.outStride,
      );
    } else {
      trainKernels(backend).pack_filter(src, dst, at, taps, cin, cout, layout.inStride, layout.outStride);
    }
    backend.disposeData(offsets.dataId);
    entry.layouts.set(cacheKey, info);
  }
  return { offset: heapOffset(backend, info), floats: info.shape[0]! };
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

/**
 * Writes one or more convolutions (the phases of a Conv2DBackpropInput) into `out`, on this
 * thread or, when a kernel thread pool is set and the work is large, split across its threads.
 */
export class ConvWriter {
  private readonly pool: KernelThreadPool | null;
  private sharedOut = 0;
  private readonly sharedInputs = new Map<DataId | number, number>();
  private readonly jobs: ThreadedJob[] = [];

  /**
   * `splits`: into how many ranges the smallest of the writes can be split (the number of its
   * blocks); a writer that could not give every thread a share stays on this thread.
   */
  constructor(
    private readonly backend: BackendWasm,
    private readonly out: TensorInfo,
    zeroFirst: boolean,
    totalMacs: number,
    splits = Number.POSITIVE_INFINITY,
  ) {
    const pool = convRunsThreaded(totalMacs) ? getKernelThreadPool() : null;
    this.pool = pool && splits >= pool.threads ? pool : null;
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

  /** An operand copied into the shared memory (once per writer). */
  private shared(operand: TensorInfo | Packed): number {
    const key = 'dataId' in operand ? operand.dataId : operand.offset;
    let at = this.sharedInputs.get(key);
    if (at == null) {
      const [offset, floats] =
        'dataId' in operand
          ? [heapOffset(this.backend, operand), operand.shape.reduce((a, b) => a * b, 1)]
          : [operand.offset, operand.floats];
      at = this.pool!.alloc(floats * 4);
      new Float32Array(this.pool!.memory.buffer, at, floats).set(
        new Float32Array((this.backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer, offset, floats),
      );
      this.sharedInputs.set(key, at);
    }
    return at;
  }

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
    operands: ReadonlyArray<TensorInfo | Packed | null>,
    scratch: { floats: number; zeroFloats: number },
    args: (operands: number[], out: number, scratch: number) => number[],
  ): void {
    if (!this.pool) {
      const info = allocScratch(this.backend, scratch.floats);
      const at = heapOffset(this.backend, info);
      const kernels = trainKernels(this.backend);
      kernels.fill_zero(at, scratch.zeroFloats);
      const offsets = operands.map((o) => (o == null ? 0 : 'dataId' in o ? heapOffset(this.backend, o) : o.offset));
      (kernels[kernel] as (...a: number[]) => void)(...args(offsets, heapOffset(this.backend, this.out), at), 0, count);
      disposeScratch(this.backend, info);
      return;
    }
    const pool = this.pool;
    const offsets = operands.map((o) => (o == null ? 0 : this.shared(o)));
    const scratches = Array.from({ length: pool.threads }, () => {
      const at = pool.alloc(scratch.floats * 4);
      pool.kernels.fill_zero(at, scratch.zeroFloats);
      return at;
    });
    // Deferred to finish(): all of a writer's calls (a ConvTranspose's phases) start and join once.
    this.jobs.push({ kernel, count, grain, args: (i) => args(offsets, this.sharedOut, scratches[i]!) });
  }

  run(x: TensorInfo, filter: Packed, bias: Packed | null, g: ConvGeometry, map: OutputMap): void {
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
  runWinograd(x: TensorInfo, filter: Packed, bias: Packed | null, g: ConvGeometry, map: OutputMap, m: 2 | 4): void {
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

  /** Runs the threaded calls and copies their result back into `out`. */
  finish(): void {
    if (!this.pool) return;
    this.pool.split(this.jobs);
    this.jobs.length = 0;
    const floats = this.out.shape.reduce((a, b) => a * b, 1);
    (this.backend.typedArrayFromHeap(this.out) as Float32Array).set(
      new Float32Array(this.pool.memory.buffer, this.sharedOut, floats),
    );
    this.pool.reset();
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
