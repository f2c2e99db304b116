import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { PointwiseMlp, type PointwiseMlpInputs } from '@wavemix/core';
import { getKernelThreadPool } from '../threads/pool';
import {
  allocScratch,
  disposeScratch,
  heapOffset,
  type TrainKernelExports,
  trainKernels,
  WasmTrainingKernelError,
} from '../train/module';
import {
  BIAS_LAYOUT,
  type ConvGeometry,
  ConvWriter,
  identityMap,
  MIN_THREADED_MACS,
  type Packed,
  packed,
  standardLayout,
} from './conv_forward';

/** The export of csrc/pointwise_mlp.inc.c (pointers are byte offsets on the backend heap). */
type PointwiseMlpExport = (
  x: number,
  w1Packed: number,
  b1Packed: number,
  w2Packed: number,
  b2Packed: number,
  hidden: number,
  out: number,
  tile: number,
  cin: number,
  hiddenChannels: number,
  cout: number,
  pixelBegin: number,
  pixelEnd: number,
) => void;

/**
 * Bytes of hidden activations per pixel tile: a tile's rows of the 2x-wide intermediate stay in
 * L1 (32 KB per core here) between the GELU that writes them and the second product that reads
 * them, beside the W2 panel being streamed.
 */
const HIDDEN_TILE_BYTES = 16 * 1024;
const MIN_TILE = 8;
const MAX_TILE = 64;

let tileOverride: number | null = null;

/** Pixels per tile for `hidden` channels, a multiple of the micro-kernel's 4 rows. */
export function pointwiseMlpTile(hidden: number): number {
  if (tileOverride != null) return tileOverride;
  const rowBytes = Math.ceil(hidden / 8) * 8 * 4;
  const rows = Math.floor(HIDDEN_TILE_BYTES / rowBytes / 4) * 4;
  return Math.min(MAX_TILE, Math.max(MIN_TILE, rows));
}

/** Fixes the tile (pixels, a positive multiple of 4) for measurements; null restores the default. */
export function setPointwiseMlpTile(pixels: number | null): void {
  if (pixels != null && !(Number.isInteger(pixels) && pixels > 0 && pixels % 4 === 0)) {
    throw new WasmTrainingKernelError(`pointwise MLP tile must be a positive multiple of 4 pixels, got ${pixels}`);
  }
  tileOverride = pixels;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Conv1x1 -> GELU -> Conv1x1 over tiles of pixels (csrc/pointwise_mlp.inc.c). The weights are
 * packed once per weight tensor into 8-column panels (the convolution's cache: inference reuses
 * them). The gradient is core's GradConfig (the composite's matMuls), so this is forward only.
 * With kernel threads set and a unit large enough to thread, the two convolutions run unfused
 * on the threads instead (see threadedConvolutionsWouldRun).
 */
function pointwiseMlpKernel({ inputs, backend }: { inputs: PointwiseMlpInputs; backend: BackendWasm }): TensorInfo {
  const { x, w1, b1, w2, b2 } = inputs as Record<keyof PointwiseMlpInputs, TensorInfo>;
  const [batch, height, width, cin] = x.shape as [number, number, number, number];
  const hidden = w1.shape[1]!;
  const cout = w2.shape[1]!;
  const out = backend.makeOutput([batch, height, width, cout], 'float32');
  const pixels = batch * height * width;
  if (pixels === 0) return out;
  const w1Packed = packed(backend, w1, standardLayout(1, 1, cin, hidden), cin, hidden);
  const b1Packed = packed(backend, b1, BIAS_LAYOUT, 1, hidden);
  const w2Packed = packed(backend, w2, standardLayout(1, 1, hidden, cout), hidden, cout);
  const b2Packed = packed(backend, b2, BIAS_LAYOUT, 1, cout);
  if (threadedConvolutionsWouldRun(pixels * cin * hidden, pixels * hidden * cout)) {
    unfusedOnThreads(backend, x, out, [w1Packed, b1Packed, w2Packed, b2Packed], pixels, [cin, hidden, cout]);
    return out;
  }
  const tile = pointwiseMlpTile(hidden);
  const scratch = allocScratch(backend, tile * Math.ceil(hidden / 8) * 8);
  const run = (trainKernels(backend) as TrainKernelExports & { pointwise_mlp: PointwiseMlpExport }).pointwise_mlp;
  run(
    heapOffset(backend, x),
    w1Packed.offset,
    b1Packed.offset,
    w2Packed.offset,
    b2Packed.offset,
    heapOffset(backend, scratch),
    heapOffset(backend, out),
    tile,
    cin,
    hidden,
    cout,
    0,
    pixels,
  );
  disposeScratch(backend, scratch);
  return out;
}

/**
 * Whether the unfused unit would split a convolution across kernel threads (a batch-1 inference
 * with @wavemix/parallel's enableKernelThreads): the pool runs only conv2d_forward, so there the
 * fused kernel, on one thread, would be slower than today.
 */
function threadedConvolutionsWouldRun(firstMacs: number, secondMacs: number): boolean {
  const pool = getKernelThreadPool();
  return pool != null && pool.threads > 1 && Math.max(firstMacs, secondMacs) >= MIN_THREADED_MACS;
}

const pointwiseGeometry = (pixels: number, inChannels: number, outChannels: number): ConvGeometry => ({
  batch: 1,
  inHeight: 1,
  inWidth: pixels,
  inChannels,
  outHeight: 1,
  outWidth: pixels,
  outChannels,
  filterHeight: 1,
  filterWidth: 1,
  strideHeight: 1,
  strideWidth: 1,
  dilationHeight: 1,
  dilationWidth: 1,
  padTop: 0,
  padLeft: 0,
});

/** What the unfused unit runs (threaded conv, GELU in place, threaded conv), on the same packed weights. */
function unfusedOnThreads(
  backend: BackendWasm,
  x: TensorInfo,
  out: TensorInfo,
  [w1, b1, w2, b2]: [Packed, Packed, Packed, Packed],
  pixels: number,
  [cin, hidden, cout]: [number, number, number],
): void {
  const hiddenInfo = backend.makeOutput([pixels, hidden], 'float32');
  const first = pointwiseGeometry(pixels, cin, hidden);
  const firstWriter = new ConvWriter(backend, hiddenInfo, false, ConvWriter.macs(first));
  firstWriter.run(x, w1, b1, first, identityMap(first));
  firstWriter.finish();
  const offset = heapOffset(backend, hiddenInfo);
  trainKernels(backend).gelu_f32(offset, offset, pixels * hidden);
  const second = pointwiseGeometry(pixels, hidden, cout);
  const secondWriter = new ConvWriter(backend, out, false, ConvWriter.macs(second));
  secondWriter.run(hiddenInfo, w2, b2, second, identityMap(second));
  secondWriter.finish();
  backend.disposeData(hiddenInfo.dataId);
}

export const pointwiseMlpConfig: KernelConfig = {
  kernelName: PointwiseMlp,
  backendName: 'wasm',
  kernelFunc: pointwiseMlpKernel as unknown as KernelFunc,
};

/** Multiply-adds of one call (both products), for throughput figures. */
export function pointwiseMlpMacs(xShape: readonly number[], hidden: number, cout: number): number {
  const cin = xShape[xShape.length - 1]!;
  return (size(xShape) / cin) * hidden * (cin + cout);
}
