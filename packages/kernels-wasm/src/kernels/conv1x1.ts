import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, type TrainKernelExports, trainKernels } from '../train/module';

/** The exports of csrc/conv1x1.inc.c (pointers are byte offsets on the backend heap). */
interface Conv1x1Exports {
  conv1x1_rows: Conv1x1Forward;
  conv1x1_dots: Conv1x1Forward;
  conv1x1_filter_grad(
    a: number,
    lda: number,
    na: number,
    b: number,
    ldb: number,
    nb: number,
    pixels: number,
    out: number,
    osa: number,
    osb: number,
  ): void;
}
type Conv1x1Forward = (
  x: number,
  w: number,
  wInStride: number,
  wOutStride: number,
  bias: number,
  scratch: number,
  out: number,
  pixels: number,
  cin: number,
  cout: number,
) => void;

/**
 * The 1x1 kernel for out[pixels][cout] = x[pixels][cin] * w[cin][cout]: 'rows' (cout 4, 8, 12 or
 * 16, cin <= 16: each input value splatted across the output vectors of its pixel), 'dots' (cout
 * 1-7 but 4, cin 4 or 8, or any multiple of 4 when cout <= 2: dot products reduced across lanes),
 * or null: conv.inc.c's 4 x 8 tiles. Measured at batch 256: 8 -> 2 at 28 x 28 2.4 -> 0.36 ms,
 * 8 -> 16 and 16 -> 8 at 14 x 14 0.8 -> 0.45; 16 -> 2 2.9 -> 1.35; 8 -> 3 2.3 -> 1.8, but 12 -> 3
 * 2.5 -> 2.8 (the dots kernel's walk over pixel and channel for odd cout), hence the bound on cin.
 */
export type Conv1x1ForwardPath = 'rows' | 'dots';

export function conv1x1ForwardPath(cin: number, cout: number): Conv1x1ForwardPath | null {
  if (cin < 1 || cout < 1) return null;
  if (cout % 4 === 0 && cout <= 16 && cin <= 16) return 'rows';
  if (cout < 8 && cin % 4 === 0 && (cin <= 8 || cout <= 2)) return 'dots';
  return null;
}

/**
 * The filter gradient dW[cin][cout] = x^T dy in passes over the pixels with at most 8 vector
 * accumulators each: vectors along the input channels ('in': cin 4-16, a multiple of 4, cout <= 4),
 * or along the output channels ('out': the transpose); null where the 4 x 8 tiles apply. Measured
 * at 256 x 28 x 28: 8 -> 2 2.7 -> 0.31 ms, 16 -> 2 5.4 -> 0.6, 12 -> 3 4.9 -> 0.6; 128 x 28 x 28 x 16 -> 4
 * 2.2 -> 0.3.
 */
export type Conv1x1FilterGradPath = 'in' | 'out';

export function conv1x1FilterGradPath(cin: number, cout: number): Conv1x1FilterGradPath | null {
  if (cin < 1 || cout < 1) return null;
  if (cin % 4 === 0 && cin <= 16 && cout <= 4) return 'in';
  if (cout % 4 === 0 && cout <= 16 && cin <= 4) return 'out';
  return null;
}

/** Whether a convolution is a 1x1, stride-1, unpadded one: a GEMM over pixels. */
export function isPointwise(info: backend_util.Conv2DInfo): boolean {
  const pad = info.padInfo;
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    pad.top === 0 &&
    pad.bottom === 0 &&
    pad.left === 0 &&
    pad.right === 0
  );
}

const calls = { rows: 0, dots: 0, filterGrad: 0 };

/** How often each 1x1 kernel ran (tests prove with it that a shape takes this path). */
export function conv1x1Calls(): { rows: number; dots: number; filterGrad: number } {
  return { ...calls };
}

const exportsOf = (backend: BackendWasm) => trainKernels(backend) as TrainKernelExports & Conv1x1Exports;

/**
 * out[p][j] = bias[j] + sum_c x[p][c] * w[c * wInStride + j * wOutStride] for the pixels of x
 * (the filter itself for Conv2D; its transpose, strides (1, cin), for Conv2DBackpropInput).
 */
export function conv1x1Forward(
  backend: BackendWasm,
  path: Conv1x1ForwardPath,
  x: TensorInfo,
  filter: TensorInfo,
  wInStride: number,
  wOutStride: number,
  bias: TensorInfo | null,
  out: TensorInfo,
  cin: number,
  cout: number,
): void {
  const pixels = x.shape.reduce((a, b) => a * b, 1) / cin;
  // Repacked filter, then the bias pattern (at most 4 * cout floats).
  const scratch = allocScratch(backend, cin * cout + 4 * cout);
  const kernels = exportsOf(backend);
  (path === 'rows' ? kernels.conv1x1_rows : kernels.conv1x1_dots)(
    heapOffset(backend, x),
    heapOffset(backend, filter),
    wInStride,
    wOutStride,
    bias ? heapOffset(backend, bias) : 0,
    heapOffset(backend, scratch),
    heapOffset(backend, out),
    pixels,
    cin,
    cout,
  );
  disposeScratch(backend, scratch);
  calls[path]++;
}

/** dw[cin][cout] = sum over the pixels of x[p][ci] * dy[p][co]. */
export function conv1x1FilterGrad(
  backend: BackendWasm,
  path: Conv1x1FilterGradPath,
  x: TensorInfo,
  dy: TensorInfo,
  dw: TensorInfo,
  cin: number,
  cout: number,
): void {
  const pixels = x.shape.reduce((a, b) => a * b, 1) / cin;
  const [xAt, dyAt, dwAt] = [heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, dw)];
  const kernels = exportsOf(backend);
  if (path === 'in') kernels.conv1x1_filter_grad(xAt, cin, cin, dyAt, cout, cout, pixels, dwAt, cout, 1);
  else kernels.conv1x1_filter_grad(dyAt, cout, cout, xAt, cin, cin, pixels, dwAt, 1, cout);
  calls.filterGrad++;
}
