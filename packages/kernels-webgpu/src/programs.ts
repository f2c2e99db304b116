/**
 * WGSL programs for the Haar transforms, run through tfjs-backend-webgpu's runWebGPUProgram.
 *
 * One invocation handles one 2x2 block of one channel (or of four channels in the vec4 layout):
 * it reads the block once and writes all four bands, so every input value is read exactly once
 * and no neighbour ever needs another invocation's data. Workgroup memory would only add a copy
 * and a barrier here, so none is used (see the package README).
 *
 * Every size is a uniform and the shader key holds only the layout (`scalar`, or `vec4` when the
 * channel count is a multiple of 4), so one compiled pipeline per layout serves every shape. To
 * keep tfjs's own additions to the key constant too, tensors are bound with fixed ranks (input
 * `[size, 1]`, output `[size]`) and the dispatch is always two-dimensional.
 */
import { WaveMixArgumentError } from '@wavemix/core';

export type HaarLayout = 'scalar' | 'vec4';

export const WORKGROUP_SIZE = 64;

export type ProgramUniforms = Array<{ type: 'int32' | 'float32'; data: number[] }>;

/** The subset of tfjs-backend-webgpu's WebGPUProgram our programs fill in. */
export interface WaveMixWebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  outputComponent: number;
  uniforms: string;
  /** Values of `uniforms`, in order. */
  uniformData: ProgramUniforms;
  /** Logical NHWC shape of the output (the bound buffer is flat). */
  logicalOutputShape: number[];
  getUserCode: () => string;
}

const UNIFORMS =
  'threads : i32, channels : i32, inChannels : i32, inHeight : i32, inWidth : i32, outHeight : i32, outWidth : i32,';

/** Always two-dimensional (y >= 2), so tfjs never switches the index formula, and its key, by size. */
export function dispatchFor(threads: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(threads / WORKGROUP_SIZE));
  const y = Math.max(2, Math.ceil(groups / 65535));
  return [Math.ceil(groups / y), y, 1];
}

export function layoutFor(channels: number): HaarLayout {
  return channels % 4 === 0 ? 'vec4' : 'scalar';
}

function uniformData(values: number[]): ProgramUniforms {
  return values.map((v) => ({ type: 'int32', data: [v] }));
}

/** Decodes `index` into (batch, i, j, k) over [batch, outHeight, outWidth, lanes]. */
function blockCoords(lanes: string, height: string, width: string): string {
  return `
    let k = index % ${lanes};
    let pixel = index / ${lanes};
    let j = pixel % ${width};
    let rowIndex = pixel / ${width};
    let i = rowIndex % ${height};
    let batch = rowIndex / ${height};
    let row = 2 * i;
    let col = 2 * j;`;
}

const FORWARD_SCALAR = `
  fn main(index : i32) {
    if (index >= uniforms.threads) { return; }
    let c = uniforms.channels;
    ${blockCoords('c', 'uniforms.outHeight', 'uniforms.outWidth')}
    let columnStride = uniforms.inChannels;
    let rowStride = uniforms.inWidth * columnStride;
    let base = ((batch * uniforms.inHeight + row) * uniforms.inWidth + col) * columnStride + k;
    let hasRight = col + 1 < uniforms.inWidth;
    let hasBottom = row + 1 < uniforms.inHeight;
    let a = x[base];
    var b = 0.0;
    var c2 = 0.0;
    var d = 0.0;
    if (hasRight) { b = x[base + columnStride]; }
    if (hasBottom) {
      c2 = x[base + rowStride];
      if (hasRight) { d = x[base + rowStride + columnStride]; }
    }
    let s0 = a + b;
    let d0 = a - b;
    let s1 = c2 + d;
    let d1 = c2 - d;
    let out = pixel * 4 * c;
    result[out + k] = (s0 + s1) * 0.5;
    let high = out + c + 3 * k;
    result[high] = (s0 - s1) * 0.5;
    result[high + 1] = (d0 + d1) * 0.5;
    result[high + 2] = (d0 - d1) * 0.5;
  }`;

// vec4: four channels per invocation. The 12 high values of channels 4k..4k+3 (LH, HL, HH per
// channel) are three consecutive vec4s, so the interleave is a register shuffle.
const FORWARD_VEC4 = `
  fn main(index : i32) {
    if (index >= uniforms.threads) { return; }
    let c4 = uniforms.channels / 4;
    ${blockCoords('c4', 'uniforms.outHeight', 'uniforms.outWidth')}
    let columnStride = uniforms.inChannels / 4;
    let rowStride = uniforms.inWidth * columnStride;
    let base = ((batch * uniforms.inHeight + row) * uniforms.inWidth + col) * columnStride + k;
    let hasRight = col + 1 < uniforms.inWidth;
    let hasBottom = row + 1 < uniforms.inHeight;
    let a = x[base];
    var b = vec4<f32>(0.0);
    var c2 = vec4<f32>(0.0);
    var d = vec4<f32>(0.0);
    if (hasRight) { b = x[base + columnStride]; }
    if (hasBottom) {
      c2 = x[base + rowStride];
      if (hasRight) { d = x[base + rowStride + columnStride]; }
    }
    let s0 = a + b;
    let d0 = a - b;
    let s1 = c2 + d;
    let d1 = c2 - d;
    let lh = (s0 - s1) * 0.5;
    let hl = (d0 + d1) * 0.5;
    let hh = (d0 - d1) * 0.5;
    let out = pixel * 4 * c4;
    result[out + k] = (s0 + s1) * 0.5;
    let high = out + c4 + 3 * k;
    result[high] = vec4<f32>(lh.x, hl.x, hh.x, lh.y);
    result[high + 1] = vec4<f32>(hl.y, hh.y, lh.z, hl.z);
    result[high + 2] = vec4<f32>(hh.z, lh.w, hl.w, hh.w);
  }`;

const INVERSE_SCALAR = `
  fn main(index : i32) {
    if (index >= uniforms.threads) { return; }
    let c = uniforms.channels;
    ${blockCoords('c', 'uniforms.inHeight', 'uniforms.inWidth')}
    let inBase = pixel * 4 * c;
    let ll = y[inBase + k];
    let high = inBase + c + 3 * k;
    let lh = y[high];
    let hl = y[high + 1];
    let hh = y[high + 2];
    let sTop = ll + lh;
    let sBottom = ll - lh;
    let dTop = hl + hh;
    let dBottom = hl - hh;
    let hasRight = col + 1 < uniforms.outWidth;
    let hasBottom = row + 1 < uniforms.outHeight;
    let outBase = ((batch * uniforms.outHeight + row) * uniforms.outWidth + col) * c + k;
    result[outBase] = (sTop + dTop) * 0.5;
    if (hasRight) { result[outBase + c] = (sTop - dTop) * 0.5; }
    if (hasBottom) {
      let below = outBase + uniforms.outWidth * c;
      result[below] = (sBottom + dBottom) * 0.5;
      if (hasRight) { result[below + c] = (sBottom - dBottom) * 0.5; }
    }
  }`;

const INVERSE_VEC4 = `
  fn main(index : i32) {
    if (index >= uniforms.threads) { return; }
    let c4 = uniforms.channels / 4;
    ${blockCoords('c4', 'uniforms.inHeight', 'uniforms.inWidth')}
    let inBase = pixel * 4 * c4;
    let ll = y[inBase + k];
    let high = inBase + c4 + 3 * k;
    let v0 = y[high];
    let v1 = y[high + 1];
    let v2 = y[high + 2];
    let lh = vec4<f32>(v0.x, v0.w, v1.z, v2.y);
    let hl = vec4<f32>(v0.y, v1.x, v1.w, v2.z);
    let hh = vec4<f32>(v0.z, v1.y, v2.x, v2.w);
    let sTop = ll + lh;
    let sBottom = ll - lh;
    let dTop = hl + hh;
    let dBottom = hl - hh;
    let hasRight = col + 1 < uniforms.outWidth;
    let hasBottom = row + 1 < uniforms.outHeight;
    let outBase = ((batch * uniforms.outHeight + row) * uniforms.outWidth + col) * c4 + k;
    result[outBase] = (sTop + dTop) * 0.5;
    if (hasRight) { result[outBase + c4] = (sTop - dTop) * 0.5; }
    if (hasBottom) {
      let below = outBase + uniforms.outWidth * c4;
      result[below] = (sBottom + dBottom) * 0.5;
      if (hasRight) { result[below + c4] = (sBottom - dBottom) * 0.5; }
    }
  }`;

type Shape4 = [number, number, number, number];

abstract class HaarProgram implements WaveMixWebGPUProgram {
  abstract variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  readonly dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  outputComponent: number;
  readonly uniforms = UNIFORMS;
  uniformData: ProgramUniforms;

  protected constructor(
    readonly direction: 'forward' | 'inverse',
    readonly layout: HaarLayout,
    readonly logicalOutputShape: Shape4,
    threads: number,
    sizes: [
      channels: number,
      inChannels: number,
      inHeight: number,
      inWidth: number,
      outHeight: number,
      outWidth: number,
    ],
  ) {
    this.outputShape = [logicalOutputShape.reduce((p, d) => p * d, 1)];
    this.shaderKey = `wavemix_haar_${direction}_${layout}`;
    this.outputComponent = layout === 'vec4' ? 4 : 1;
    this.dispatch = dispatchFor(threads);
    this.uniformData = uniformData([threads, ...sizes]);
  }

  abstract getUserCode(): string;
}

/**
 * One Haar level over the first `channels` channels of `x` (all of them for dwt2d, the LL
 * quarter of the previous level for the pyramid): `[b, h, w, inChannels] -> [b, ceil(h/2),
 * ceil(w/2), 4 * channels]`. Odd edges pair with zeros.
 */
export class HaarForwardProgram extends HaarProgram {
  readonly variableNames = ['x'];

  constructor(inputShape: Shape4, channels: number, layout: HaarLayout = layoutFor(channels)) {
    const [batch, inHeight, inWidth, inChannels] = inputShape;
    if (layout === 'vec4' && (channels % 4 !== 0 || inChannels % 4 !== 0)) {
      throw new WaveMixArgumentError(
        'layout',
        `vec4 needs channel counts divisible by 4, got ${channels} of ${inChannels}`,
      );
    }
    const outHeight = Math.ceil(inHeight / 2);
    const outWidth = Math.ceil(inWidth / 2);
    const lanes = layout === 'vec4' ? channels / 4 : channels;
    super('forward', layout, [batch, outHeight, outWidth, 4 * channels], batch * outHeight * outWidth * lanes, [
      channels,
      inChannels,
      inHeight,
      inWidth,
      outHeight,
      outWidth,
    ]);
  }

  getUserCode(): string {
    return this.layout === 'vec4' ? FORWARD_VEC4 : FORWARD_SCALAR;
  }
}

/** Inverse of one level: `[b, h2, w2, 4c] -> [b, outputHeight, outputWidth, c]` (crops odd sizes). */
export class HaarInverseProgram extends HaarProgram {
  readonly variableNames = ['y'];

  constructor(bandShape: Shape4, outputHeight: number, outputWidth: number, layout?: HaarLayout) {
    const [batch, inHeight, inWidth, channels4] = bandShape;
    const channels = channels4 / 4;
    const chosen = layout ?? layoutFor(channels);
    if (chosen === 'vec4' && channels % 4 !== 0) {
      throw new WaveMixArgumentError('layout', `vec4 needs a channel count divisible by 4, got ${channels}`);
    }
    const lanes = chosen === 'vec4' ? channels / 4 : channels;
    super('inverse', chosen, [batch, outputHeight, outputWidth, channels], batch * inHeight * inWidth * lanes, [
      channels,
      channels4,
      inHeight,
      inWidth,
      outputHeight,
      outputWidth,
    ]);
  }

  getUserCode(): string {
    return this.layout === 'vec4' ? INVERSE_VEC4 : INVERSE_SCALAR;
  }
}
