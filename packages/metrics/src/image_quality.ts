import { WaveMixArgumentError } from '@wavemix/core';
import { lengthOf, sameShape, shapeOf, valuesOf, type MetricInput } from './input';

export interface PsnrOptions {
  /** The range of possible values (1 for images in [0, 1], 255 for [0, 255]). */
  dataRange: number;
}

export interface SsimOptions {
  dataRange: number;
  /**
   * Shape of an array input: `[H, W]`, `[H, W, C]` or `[N, H, W, C]` (tensors carry their own).
   * A channel axis gives the mean of per-channel SSIM; a batch axis the mean of per-image SSIM.
   */
  shape?: readonly number[];
}

function checkRange(dataRange: number): void {
  if (!(dataRange > 0) || !Number.isFinite(dataRange)) {
    throw new WaveMixArgumentError('dataRange', `expected a positive finite number, got ${dataRange}`);
  }
}

/**
 * Peak signal-to-noise ratio over all elements: 10 log10(L^2 / MSE), in dB. Identical inputs give
 * +Infinity. Matches `skimage.metrics.peak_signal_noise_ratio`.
 */
export function psnr(a: MetricInput, b: MetricInput, options: PsnrOptions): number {
  checkRange(options?.dataRange);
  if (lengthOf(a) !== lengthOf(b)) {
    throw new WaveMixArgumentError('b', `has ${lengthOf(b)} elements but a has ${lengthOf(a)}`);
  }
  if (lengthOf(a) === 0) throw new WaveMixArgumentError('a', 'is empty');
  return psnrOfValues(valuesOf(a, 'a'), valuesOf(b, 'b'), options.dataRange);
}

function psnrOfValues(a: ArrayLike<number>, b: ArrayLike<number>, dataRange: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  const mse = sum / a.length;
  return 10 * Math.log10((dataRange * dataRange) / mse);
}

const WINDOW_RADIUS = 5; // int(3.5 * 1.5 + 0.5): an 11 x 11 window
const SIGMA = 1.5;
const GAUSSIAN = (() => {
  const w = new Float64Array(2 * WINDOW_RADIUS + 1);
  let sum = 0;
  for (let i = -WINDOW_RADIUS; i <= WINDOW_RADIUS; i++) {
    w[i + WINDOW_RADIUS] = Math.exp((-0.5 * i * i) / (SIGMA * SIGMA));
    sum += w[i + WINDOW_RADIUS]!;
  }
  return w.map((v) => v / sum);
})();

/** One channel of one image, row-major `h x w`. */
interface Plane {
  data: Float64Array;
  h: number;
  w: number;
}

/** Gaussian-filtered values over the valid region only: `(h - 10) x (w - 10)`. */
function filterValid(src: Float64Array, h: number, w: number): Float64Array {
  const ow = w - 2 * WINDOW_RADIUS;
  const oh = h - 2 * WINDOW_RADIUS;
  const horizontal = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < GAUSSIAN.length; k++) s += GAUSSIAN[k]! * src[row + x + k]!;
      horizontal[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < GAUSSIAN.length; k++) s += GAUSSIAN[k]! * horizontal[(y + k) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return out;
}

/** Mean SSIM of two planes: Gaussian window (11 x 11, sigma 1.5), population statistics. */
function ssimPlane(a: Plane, b: Plane, dataRange: number): number {
  const { h, w } = a;
  if (h < 2 * WINDOW_RADIUS + 1 || w < 2 * WINDOW_RADIUS + 1) {
    throw new WaveMixArgumentError('a', `SSIM needs images of at least 11 x 11, got ${h} x ${w}`);
  }
  const n = h * w;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    xx[i] = x * x;
    yy[i] = y * y;
    xy[i] = x * y;
  }
  const ux = filterValid(a.data, h, w);
  const uy = filterValid(b.data, h, w);
  const uxx = filterValid(xx, h, w);
  const uyy = filterValid(yy, h, w);
  const uxy = filterValid(xy, h, w);
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;
  let sum = 0;
  for (let i = 0; i < ux.length; i++) {
    const mx = ux[i]!;
    const my = uy[i]!;
    const vx = uxx[i]! - mx * mx;
    const vy = uyy[i]! - my * my;
    const vxy = uxy[i]! - mx * my;
    sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
  }
  return sum / ux.length;
}

/** Images of a 2D/3D/4D input as `[N, H, W, C]`. */
function asBatch(shape: number[], argument: string): [number, number, number, number] {
  if (shape.length === 2) return [1, shape[0]!, shape[1]!, 1];
  if (shape.length === 3) return [1, shape[0]!, shape[1]!, shape[2]!];
  if (shape.length === 4) return shape as [number, number, number, number];
  throw new WaveMixArgumentError(argument, `expected [H, W], [H, W, C] or [N, H, W, C], got [${shape}]`);
}

function extractPlane(
  values: ArrayLike<number>,
  dims: [number, number, number, number],
  image: number,
  channel: number,
  crop: number,
): Plane {
  const [, h, w, c] = dims;
  const oh = h - 2 * crop;
  const ow = w - 2 * crop;
  if (oh <= 0 || ow <= 0) throw new WaveMixArgumentError('crop', `crop ${crop} leaves nothing of a ${h} x ${w} image`);
  const data = new Float64Array(oh * ow);
  const base = image * h * w * c;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) data[y * ow + x] = values[base + ((y + crop) * w + x + crop) * c + channel]!;
  }
  return { data, h: oh, w: ow };
}

function pairedInputs(a: MetricInput, b: MetricInput, shape: readonly number[] | undefined) {
  const shapeA = shapeOf(a, 'a', shape);
  const shapeB = shapeOf(b, 'b', shape);
  if (!sameShape(shapeA, shapeB)) throw new WaveMixArgumentError('b', `shape [${shapeB}] differs from a's [${shapeA}]`);
  if (shape === undefined && !(a as { shape?: unknown }).shape && shapeA.length === 1) {
    throw new WaveMixArgumentError('shape', 'array inputs need the shape option');
  }
  return { dims: asBatch(shapeA, 'a'), va: valuesOf(a, 'a'), vb: valuesOf(b, 'b') };
}

/**
 * Structural similarity (Wang et al. 2004) with an 11 x 11 Gaussian window (sigma 1.5),
 * C1 = (0.01 L)^2, C2 = (0.03 L)^2 and population (not sample) statistics, averaged over the
 * region where the window fits inside the image. Matches `skimage.metrics.structural_similarity`
 * with `gaussian_weights=True, sigma=1.5, use_sample_covariance=False`.
 */
export function ssim(a: MetricInput, b: MetricInput, options: SsimOptions): number {
  checkRange(options?.dataRange);
  const { dims, va, vb } = pairedInputs(a, b, options.shape);
  const [n, , , c] = dims;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let imageSum = 0;
    for (let ch = 0; ch < c; ch++) {
      imageSum += ssimPlane(extractPlane(va, dims, i, ch, 0), extractPlane(vb, dims, i, ch, 0), options.dataRange);
    }
    sum += imageSum / c;
  }
  return sum / n;
}

/**
 * Luma of RGB values in `[0, dataRange]` as ITU-R BT.601 studio-swing Y on the 0-255 scale:
 * `Y = 16 + 65.481 R + 128.553 G + 24.966 B` with R, G, B in [0, 1] (no rounding). Input is
 * `[..., 3]`, output has the channel axis dropped.
 */
export function rgbToY(rgb: ArrayLike<number>, dataRange = 1): Float64Array {
  if (rgb.length % 3 !== 0) throw new WaveMixArgumentError('rgb', `length ${rgb.length} is not a multiple of 3`);
  const out = new Float64Array(rgb.length / 3);
  const s = 1 / dataRange;
  for (let i = 0; i < out.length; i++) {
    out[i] = 16 + 65.481 * rgb[3 * i]! * s + 128.553 * rgb[3 * i + 1]! * s + 24.966 * rgb[3 * i + 2]! * s;
  }
  return out;
}

export interface SuperResolutionOptions {
  /** Upscaling factor; the border crop defaults to it. */
  scale: number;
  /** Range of the input values: 1 (default) for [0, 1], 255 for [0, 255]. */
  dataRange?: number;
  /** Evaluate on the Y channel of 3-channel images (default true), as SR papers do. */
  yChannel?: boolean;
  /** Pixels cropped from each border before measuring; defaults to `scale`. */
  crop?: number;
  /** Shape of array inputs: `[H, W, C]` or `[N, H, W, C]`. */
  shape?: readonly number[];
}

export interface SuperResolutionResult {
  /** Mean over images of per-image PSNR (dB). */
  psnr: number;
  /** Mean over images of per-image SSIM. */
  ssim: number;
  psnrPerImage: number[];
  ssimPerImage: number[];
}

/**
 * Streaming SR evaluation with the usual convention: per image, convert to Y (BT.601, 0-255
 * scale) when `yChannel`, crop `crop` (= scale) pixels from each border, compute PSNR and SSIM
 * with L = 255 on Y (or `dataRange` on RGB), then average the per-image values.
 */
export class SuperResolutionMetrics {
  readonly psnrPerImage: number[] = [];
  readonly ssimPerImage: number[] = [];
  readonly scale: number;
  readonly dataRange: number;
  readonly yChannel: boolean;
  readonly crop: number;

  constructor(private readonly options: SuperResolutionOptions) {
    this.scale = options?.scale;
    if (!Number.isInteger(this.scale) || this.scale < 1)
      throw new WaveMixArgumentError('scale', `expected a positive integer, got ${this.scale}`);
    this.dataRange = options.dataRange ?? 1;
    checkRange(this.dataRange);
    this.yChannel = options.yChannel ?? true;
    this.crop = options.crop ?? this.scale;
    if (!Number.isInteger(this.crop) || this.crop < 0)
      throw new WaveMixArgumentError('crop', `expected a non-negative integer, got ${this.crop}`);
  }

  /** Adds super-resolved images and their ground truth (`[H, W, C]` or `[N, H, W, C]`). */
  update(sr: MetricInput, hr: MetricInput): this {
    const { dims, va, vb } = pairedInputs(sr, hr, this.options.shape);
    const [n, h, w, c] = dims;
    const useY = this.yChannel && c === 3;
    if (this.yChannel && c !== 3 && c !== 1) {
      throw new WaveMixArgumentError('sr', `Y-channel evaluation needs 1 or 3 channels, got ${c}`);
    }
    const pixels = h * w * c;
    for (let i = 0; i < n; i++) {
      let a: ArrayLike<number> = slice(va, i * pixels, pixels);
      let b: ArrayLike<number> = slice(vb, i * pixels, pixels);
      let channels = c;
      let range = this.dataRange;
      if (useY) {
        a = rgbToY(a, this.dataRange);
        b = rgbToY(b, this.dataRange);
        channels = 1;
        range = 255;
      } else if (this.yChannel) {
        // A single channel is taken to be Y already, on the input's own scale.
      }
      const imageDims: [number, number, number, number] = [1, h, w, channels];
      let squared = 0;
      let count = 0;
      let ssimSum = 0;
      for (let ch = 0; ch < channels; ch++) {
        const pa = extractPlane(a, imageDims, 0, ch, this.crop);
        const pb = extractPlane(b, imageDims, 0, ch, this.crop);
        for (let k = 0; k < pa.data.length; k++) {
          const d = pa.data[k]! - pb.data[k]!;
          squared += d * d;
        }
        count += pa.data.length;
        ssimSum += ssimPlane(pa, pb, range);
      }
      this.psnrPerImage.push(10 * Math.log10((range * range) / (squared / count)));
      this.ssimPerImage.push(ssimSum / channels);
    }
    return this;
  }

  result(): SuperResolutionResult {
    return {
      psnr: mean(this.psnrPerImage),
      ssim: mean(this.ssimPerImage),
      psnrPerImage: this.psnrPerImage.slice(),
      ssimPerImage: this.ssimPerImage.slice(),
    };
  }

  reset(): void {
    this.psnrPerImage.length = 0;
    this.ssimPerImage.length = 0;
  }
}

/** One-shot {@link SuperResolutionMetrics}. */
export function srMetrics(sr: MetricInput, hr: MetricInput, options: SuperResolutionOptions): SuperResolutionResult {
  return new SuperResolutionMetrics(options).update(sr, hr).result();
}

function slice(values: ArrayLike<number>, start: number, length: number): ArrayLike<number> {
  if (ArrayBuffer.isView(values)) return (values as unknown as Float64Array).subarray(start, start + length);
  return Array.prototype.slice.call(values, start, start + length) as number[];
}

function mean(values: number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
