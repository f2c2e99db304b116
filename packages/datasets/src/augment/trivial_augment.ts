// TrivialAugmentWide (Müller & Hutter 2021) as torchvision 0.14 implements it for uint8 tensors:
// the same 14 operations, the same 31 magnitude bins and the same arithmetic (float32 where
// torchvision computes in float32, truncation where it casts back to uint8, nearest-neighbour
// sampling with zero fill for the geometric operations). Tests compare every operation with
// torchvision's output.
import { DatasetArgumentError } from '../errors';
import type { Rng } from '../rng';
import type { ImageU8 } from './image';

export const TRIVIAL_AUGMENT_OPS = [
  'Identity',
  'ShearX',
  'ShearY',
  'TranslateX',
  'TranslateY',
  'Rotate',
  'Brightness',
  'Color',
  'Contrast',
  'Sharpness',
  'Posterize',
  'Solarize',
  'AutoContrast',
  'Equalize',
] as const;

export type TrivialAugmentOp = (typeof TRIVIAL_AUGMENT_OPS)[number];

const f = Math.fround;

/**
 * The values torch 1.13's CPU `torch.linspace(start, end, 31)` returns in float32 (its vectorised
 * kernel rounds some entries differently from a plain formula), for the default 31 bins.
 */
const TORCH_LINSPACE_31: Record<string, number[]> = {
  '0,0.99': [
    0.0, 0.032999999821186066, 0.06599999964237213, 0.0989999994635582, 0.13199999928474426, 0.16499999165534973,
    0.1979999989271164, 0.23100000619888306, 0.2639999985694885, 0.296999990940094, 0.32999998331069946,
    0.3630000054836273, 0.3959999978542328, 0.42899999022483826, 0.4620000123977661, 0.4950000047683716,
    0.527999997138977, 0.5609999895095825, 0.593999981880188, 0.6270000338554382, 0.6600000262260437,
    0.6930000185966492, 0.7260000109672546, 0.7590000033378601, 0.7919999957084656, 0.824999988079071,
    0.8580000400543213, 0.8910000324249268, 0.9240000247955322, 0.9570000171661377, 0.9900000095367432,
  ],
  '0,32': [
    0.0, 1.0666667222976685, 2.133333444595337, 3.200000286102295, 4.266666889190674, 5.333333492279053,
    6.40000057220459, 7.466667175292969, 8.533333778381348, 9.600000381469727, 10.666666984558105, 11.733333587646484,
    12.80000114440918, 13.866666793823242, 14.933334350585938, 16.0, 17.066665649414062, 18.133333206176758,
    19.19999885559082, 20.266666412353516, 21.333332061767578, 22.399999618530273, 23.46666717529297, 24.53333282470703,
    25.600000381469727, 26.66666603088379, 27.733333587646484, 28.799999237060547, 29.866666793823242,
    30.933332443237305, 32.0,
  ],
};

/** torch.linspace in float32 (for other bin counts: the scalar formula, counting down from `end` in the second half). */
function linspaceF32(start: number, end: number, steps: number): number[] {
  const table = steps === 31 ? TORCH_LINSPACE_31[`${start},${end}`] : undefined;
  if (table) return table.slice();
  const s = f(start);
  const e = f(end);
  if (steps === 1) return [s];
  const step = f((e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) => (i < half ? f(s + step * i) : f(e - step * (steps - i - 1))));
}

/** The magnitude bins of an operation (empty for operations without a magnitude) and whether it is signed. */
export function trivialAugmentMagnitudes(
  op: TrivialAugmentOp,
  numBins = 31,
): { magnitudes: number[]; signed: boolean } {
  switch (op) {
    case 'ShearX':
    case 'ShearY':
    case 'Brightness':
    case 'Color':
    case 'Contrast':
    case 'Sharpness':
      return { magnitudes: linspaceF32(0, 0.99, numBins), signed: true };
    case 'TranslateX':
    case 'TranslateY':
      return { magnitudes: linspaceF32(0, 32, numBins), signed: true };
    case 'Rotate':
      return { magnitudes: linspaceF32(0, 135, numBins), signed: true };
    case 'Posterize':
      // 8 - round(arange(numBins) / ((numBins - 1) / 6)), rounding half to even as torch does.
      return {
        magnitudes: Array.from({ length: numBins }, (_, i) => 8 - roundHalfEven(f(i / f((numBins - 1) / 6)))),
        signed: false,
      };
    case 'Solarize':
      return { magnitudes: linspaceF32(255, 0, numBins), signed: false };
    default:
      return { magnitudes: [], signed: false };
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface TrivialAugmentOptions {
  /** Number of magnitude bins (torchvision's default 31). */
  numMagnitudeBins?: number;
}

/** Draws one operation and magnitude as torchvision's `TrivialAugmentWide.forward` does, and applies it. */
export function trivialAugmentWide(image: ImageU8, rng: Rng, options: TrivialAugmentOptions = {}): ImageU8 {
  const numBins = options.numMagnitudeBins ?? 31;
  const op = TRIVIAL_AUGMENT_OPS[rng.int(TRIVIAL_AUGMENT_OPS.length)]!;
  const { magnitudes, signed } = trivialAugmentMagnitudes(op, numBins);
  let magnitude = magnitudes.length > 0 ? magnitudes[rng.int(magnitudes.length)]! : 0;
  if (signed && rng.int(2) === 1) magnitude = -magnitude;
  return applyTrivialAugmentOp(image, op, magnitude);
}

/** Applies one operation with a given magnitude (torchvision's `_apply_op`, nearest, zero fill). */
export function applyTrivialAugmentOp(image: ImageU8, op: TrivialAugmentOp, magnitude: number): ImageU8 {
  if (image.channels !== 1 && image.channels !== 3) {
    throw new DatasetArgumentError('image', `TrivialAugmentWide needs 1 or 3 channels, got ${image.channels}`);
  }
  const { width: w, height: h } = image;
  switch (op) {
    case 'Identity':
      return copy(image);
    case 'ShearX':
      return affineNearest(
        image,
        inverseAffineMatrix([-0.5 * w, -0.5 * h], 0, [0, 0], 1, [degrees(Math.atan(magnitude)), 0]),
      );
    case 'ShearY':
      return affineNearest(
        image,
        inverseAffineMatrix([-0.5 * w, -0.5 * h], 0, [0, 0], 1, [0, degrees(Math.atan(magnitude))]),
      );
    case 'TranslateX':
      return affineNearest(image, inverseAffineMatrix([0, 0], 0, [Math.trunc(magnitude), 0], 1, [0, 0]));
    case 'TranslateY':
      return affineNearest(image, inverseAffineMatrix([0, 0], 0, [0, Math.trunc(magnitude)], 1, [0, 0]));
    case 'Rotate':
      return affineNearest(image, inverseAffineMatrix([0, 0], -magnitude, [0, 0], 1, [0, 0]));
    case 'Brightness':
      return blend(image, () => 0, 1 + magnitude);
    case 'Color': {
      if (image.channels === 1) return copy(image);
      const gray = grayscale(image);
      return blend(image, (i) => gray[Math.floor(i / 3)]!, 1 + magnitude);
    }
    case 'Contrast': {
      const values = image.channels === 3 ? grayscale(image) : image.data;
      let sum = 0;
      for (const v of values) sum += v;
      const mean = f(sum / values.length);
      return blend(image, () => mean, 1 + magnitude);
    }
    case 'Sharpness': {
      if (w <= 2 || h <= 2) return copy(image);
      const degenerate = blurredDegenerate(image);
      return blend(image, (i) => degenerate[i]!, 1 + magnitude);
    }
    case 'Posterize': {
      const bits = Math.trunc(magnitude);
      const mask = (0xff << (8 - bits)) & 0xff;
      return map(image, (v) => v & mask);
    }
    case 'Solarize':
      return map(image, (v) => (v >= magnitude ? 255 - v : v));
    case 'AutoContrast':
      return autoContrast(image);
    case 'Equalize':
      return equalize(image);
    default:
      throw new DatasetArgumentError('op', `unknown TrivialAugmentWide operation ${String(op)}`);
  }
}

function copy(image: ImageU8): ImageU8 {
  return { ...image, data: image.data.slice() };
}

function map(image: ImageU8, fn: (v: number) => number): ImageU8 {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(image.data[i]!);
  return { ...image, data: out };
}

/** `(ratio * img1 + (1 - ratio) * img2).clamp(0, 255).to(uint8)` in float32. */
function blend(image: ImageU8, other: (index: number) => number, ratio: number): ImageU8 {
  const r = f(ratio);
  const q = f(1 - ratio);
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = f(f(r * image.data[i]!) + f(q * other(i)));
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
  }
  return { ...image, data: out };
}

/** torchvision's rgb_to_grayscale for uint8: (0.2989 R + 0.587 G + 0.114 B) in float32, truncated. */
function grayscale(image: ImageU8): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  const wr = f(0.2989);
  const wg = f(0.587);
  const wb = f(0.114);
  const d = image.data;
  for (let p = 0; p < n; p++) {
    out[p] = Math.trunc(f(f(f(wr * d[3 * p]!) + f(wg * d[3 * p + 1]!)) + f(wb * d[3 * p + 2]!)));
  }
  return out;
}

/** 3x3 smoothing ([1 1 1; 1 5 1; 1 1 1] / 13) of the interior, rounded; the border is kept. */
function blurredDegenerate(image: ImageU8): Uint8Array {
  const { width: w, height: h, channels: c, data } = image;
  const out = data.slice();
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      for (let k = 0; k < c; k++) {
        let sum = 4 * data[(y * w + x) * c + k]!;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += data[((y + dy) * w + x + dx) * c + k]!;
        // sum / 13 is never exactly halfway between integers, so rounding mode does not matter.
        out[(y * w + x) * c + k] = Math.round(sum / 13);
      }
    }
  }
  return out;
}

function autoContrast(image: ImageU8): ImageU8 {
  const { channels: c, data } = image;
  const out = new Uint8Array(data.length);
  for (let k = 0; k < c; k++) {
    let min = 255;
    let max = 0;
    for (let i = k; i < data.length; i += c) {
      min = Math.min(min, data[i]!);
      max = Math.max(max, data[i]!);
    }
    // torch evaluates `255 / (max - min)` as reciprocal(max - min) * 255.
    const scale = max === min ? 1 : f(f(1 / (max - min)) * 255);
    if (max === min) min = 0;
    for (let i = k; i < data.length; i += c) {
      const v = f(f(data[i]! - min) * scale);
      out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
    }
  }
  return { ...image, data: out };
}

function equalize(image: ImageU8): ImageU8 {
  const { channels: c, data } = image;
  const out = new Uint8Array(data.length);
  for (let k = 0; k < c; k++) {
    const hist = new Float64Array(256);
    for (let i = k; i < data.length; i += c) hist[data[i]!]! += 1;
    let last = -1;
    for (let v = 255; v >= 0; v--) {
      if (hist[v]! > 0) {
        last = v;
        break;
      }
    }
    let total = 0;
    for (let v = 0; v < 256; v++) if (hist[v]! > 0 && v !== last) total += hist[v]!;
    const step = Math.floor(total / 255);
    if (step === 0) {
      for (let i = k; i < data.length; i += c) out[i] = data[i]!;
      continue;
    }
    const lut = new Uint8Array(256);
    let cumulative = 0;
    for (let v = 0; v < 256; v++) {
      // lut is shifted by one: lut[v] uses the cumulative count below v.
      lut[v] = Math.min(255, Math.floor((cumulative + Math.floor(step / 2)) / step));
      cumulative += hist[v]!;
    }
    for (let i = k; i < data.length; i += c) out[i] = lut[data[i]!]!;
  }
  return { ...image, data: out };
}

function degrees(radians: number): number {
  return radians * (180 / Math.PI);
}

function radians(degreesValue: number): number {
  return degreesValue * (Math.PI / 180);
}

/** torchvision's `_get_inverse_affine_matrix` (float64). */
export function inverseAffineMatrix(
  center: [number, number],
  angle: number,
  translate: [number, number],
  scale: number,
  shear: [number, number],
): number[] {
  const rot = radians(angle);
  const sx = radians(shear[0]);
  const sy = radians(shear[1]);
  const [cx, cy] = center;
  const [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2]! += m[0]! * (-cx - tx) + m[1]! * (-cy - ty);
  m[5]! += m[3]! * (-cx - tx) + m[4]! * (-cy - ty);
  m[2]! += cx;
  m[5]! += cy;
  return m;
}

/**
 * torchvision's affine grid (`_gen_affine_grid`) followed by `grid_sample(mode='nearest',
 * padding_mode='zeros', align_corners=False)`, all in float32.
 */
function affineNearest(image: ImageU8, matrix: number[]): ImageU8 {
  const { width: w, height: h, channels: c, data } = image;
  const theta = matrix.map(f);
  const hw = f(0.5 * w);
  const hh = f(0.5 * h);
  const r00 = f(theta[0]! / hw);
  const r10 = f(theta[1]! / hw);
  const r20 = f(theta[2]! / hw);
  const r01 = f(theta[3]! / hh);
  const r11 = f(theta[4]! / hh);
  const r21 = f(theta[5]! / hh);
  const halfW = f(w / 2);
  const halfH = f(h / 2);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < h; i++) {
    const by = f(-h * 0.5 + 0.5 + i);
    for (let j = 0; j < w; j++) {
      const bx = f(-w * 0.5 + 0.5 + j);
      const gx = f(f(f(bx * r00) + f(by * r10)) + r20);
      const gy = f(f(f(bx * r01) + f(by * r11)) + r21);
      const ix = roundHalfEven(f(f(f(gx + 1) * halfW) - 0.5));
      const iy = roundHalfEven(f(f(f(gy + 1) * halfH) - 0.5));
      if (ix < 0 || ix >= w || iy < 0 || iy >= h) continue;
      const src = (iy * w + ix) * c;
      const dst = (i * w + j) * c;
      for (let k = 0; k < c; k++) out[dst + k] = data[src + k]!;
    }
  }
  return { ...image, data: out };
}
