import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { PointwiseMlp, PointwiseMlpConcat, type PointwiseMlpConcatInputs } from '@wavemix/core';
import { WasmTrainingKernelError } from '../train/module';
import { BIAS_LAYOUT, ConvWriter, standardLayout } from './conv_forward';
import { size } from './fast/override';

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

/**
 * Conv1x1 -> GELU -> Conv1x1 over tiles of pixels (csrc/pointwise_mlp.inc.c). The weights are
 * packed once per weight tensor into 8-column panels (the convolution's cache: inference reuses
 * them). The gradient is core's GradConfig (the composite's matMuls), so this is forward only.
 * With kernel threads set and a unit large enough, the tiles are split across the threads.
 * Given x2 (PointwiseMlpConcat), each tile's rows of x and x2 are copied side by side into
 * scratch that stays in cache for the tile's products: the concatenation of the whole map is never
 * written.
 */
function pointwiseMlpKernel({
  inputs,
  backend,
}: {
  inputs: PointwiseMlpConcatInputs;
  backend: BackendWasm;
}): TensorInfo {
  const { x, x2, w1, b1, w2, b2 } = inputs as Record<keyof PointwiseMlpConcatInputs, TensorInfo | undefined>;
  const [batch, height, width, cin] = x!.shape as [number, number, number, number];
  const cin2 = x2 ? x2.shape[3]! : 0;
  const hidden = w1!.shape[1]!;
  const cout = w2!.shape[1]!;
  const out = backend.makeOutput([batch, height, width, cout], 'float32');
  const pixels = batch * height * width;
  if (pixels === 0) return out;
  const weights = [
    { tensor: w1!, layout: standardLayout(1, 1, cin + cin2, hidden), cin: cin + cin2, cout: hidden },
    { tensor: b1!, layout: BIAS_LAYOUT, cin: 1, cout: hidden },
    { tensor: w2!, layout: standardLayout(1, 1, hidden, cout), cin: hidden, cout },
    { tensor: b2!, layout: BIAS_LAYOUT, cin: 1, cout },
  ];
  const tile = pointwiseMlpTile(hidden);
  const writer = new ConvWriter(backend, out, false, pixels * hidden * (cin + cin2 + cout), Math.ceil(pixels / tile));
  // scratch: one tile of the hidden activations, then (two parts) one tile of the concatenated rows.
  const hiddenFloats = tile * Math.ceil(hidden / 8) * 8;
  writer.dispatch(
    'pointwise_mlp',
    pixels,
    tile,
    [x!, x2 ?? null, ...weights],
    { floats: hiddenFloats + (x2 ? tile * (cin + cin2) : 0), zeroFloats: 0 },
    ([xAt, x2At, w1At, b1At, w2At, b2At], outAt, scratch) => [
      xAt!,
      x2At!,
      w1At!,
      b1At!,
      w2At!,
      b2At!,
      scratch,
      scratch + hiddenFloats * 4,
      outAt,
      tile,
      cin,
      cin2,
      hidden,
      cout,
    ],
  );
  writer.finish();
  return out;
}

export const pointwiseMlpConfig: KernelConfig = {
  kernelName: PointwiseMlp,
  backendName: 'wasm',
  kernelFunc: pointwiseMlpKernel as unknown as KernelFunc,
};

/** The same kernel for a concatenation's two parts (x2 given). */
export const pointwiseMlpConcatConfig: KernelConfig = {
  kernelName: PointwiseMlpConcat,
  backendName: 'wasm',
  kernelFunc: pointwiseMlpKernel as unknown as KernelFunc,
};

/** Multiply-adds of one call (both products), for throughput figures. */
export function pointwiseMlpMacs(xShape: readonly number[], hidden: number, cout: number): number {
  const cin = xShape[xShape.length - 1]!;
  return (size(xShape) / cin) * hidden * (cin + cout);
}
