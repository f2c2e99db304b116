/**
 * Builders for the WaveMix feed-forward unit and the level-1 to level-4 wave blocks out of
 * standard Keras layers plus `DWT2D`. Every layer is named after the PyTorch module it stands for
 * (`layers.3.feedforward2.0`, ...), so a state_dict key maps to a layer by name alone.
 */
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError } from '@wavemix/core';
import { DWT2D, type DWT2DLayout } from './dwt2d_layer';
import { UPSAMPLE_2X_MODES, Upsample2x } from './upsample2x_layer';
import { torchBiasInitializer, torchKernelInitializer } from './initializers';
import { WaveMixDropout } from './dropout_layer';
import { waveMixBatchNormalization } from './batch_norm_layer';

/** PyTorch BatchNorm2d defaults in Keras terms (Keras momentum = 1 - PyTorch momentum). */
export const BATCH_NORM_EPSILON = 1e-5;
export const BATCH_NORM_MOMENTUM = 0.9;

export interface WaveMixDims {
  /** Channel width c of the body (`final_dim`); divisible by 4. */
  finalDim: number;
  /** Expansion of the first 1x1 conv of each feed-forward unit (`mult`). */
  mult: number;
  /** Width of the second 1x1 conv (`ff_channel`). */
  ffChannel: number;
  /** Dropout rate after the GELU. */
  dropout: number;
  /**
   * How each feed-forward unit doubles H and W: the official ConvTranspose2d(ffChannel, out, 4, 2, 1)
   * (default), or parameter-free `nn.Upsample(scale_factor=2)` (needs ffChannel = the unit's output width).
   */
  upsample?: WaveMixUpsample;
}

export type WaveMixUpsample = 'convtranspose' | 'nearest' | 'bilinear';
export const WAVEMIX_UPSAMPLES: readonly WaveMixUpsample[] = ['convtranspose', ...UPSAMPLE_2X_MODES];

export interface FeedForwardOptions extends WaveMixDims {
  outChannels: number;
  /** PyTorch module path, e.g. `layers.0.feedforward1`; sub-layers get `.0` ... `.5`. */
  name: string;
}

export interface WaveBlockOptions extends WaveMixDims {
  /** 1 to 4. */
  level: number;
  /** PyTorch module path of the block, e.g. `layers.0`. */
  name: string;
  /** DWT channel layout; only `wavemix` is compatible with official weights. */
  layout?: DWT2DLayout;
}

function positiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new WaveMixArgumentError(argument, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function validateDims({ finalDim, mult, ffChannel, dropout, upsample = 'convtranspose' }: WaveMixDims): void {
  positiveInteger(finalDim, 'finalDim');
  if (finalDim % 4 !== 0) {
    throw new WaveMixArgumentError(
      'finalDim',
      `must be divisible by 4 (the wave block reduces c to c/4 channels, and the DWT makes 4 bands of them), got ${finalDim}`,
    );
  }
  positiveInteger(mult, 'mult');
  positiveInteger(ffChannel, 'ffChannel');
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new WaveMixArgumentError('dropout', `must be a rate in [0, 1), got ${String(dropout)}`);
  }
  if (!WAVEMIX_UPSAMPLES.includes(upsample)) {
    throw new WaveMixArgumentError(
      'upsample',
      `must be one of ${WAVEMIX_UPSAMPLES.join(', ')}, got ${JSON.stringify(upsample)}`,
    );
  }
}

/**
 * Parameter-free upsampling keeps the ffChannel width, so it only fits where ffChannel equals the
 * unit's output width: level-1 blocks with ffChannel = finalDim (deeper blocks have c/2-wide units).
 */
export function validateUpsample(
  { upsample = 'convtranspose', ffChannel, finalDim }: WaveMixDims,
  level: number,
): void {
  if (upsample === 'convtranspose') return;
  const widths = level === 1 ? [finalDim] : [finalDim / 2, finalDim];
  const misfit = widths.find((width) => width !== ffChannel);
  if (misfit !== undefined) {
    throw new WaveMixArgumentError(
      'upsample',
      `'${upsample}' replaces the ConvTranspose2d(ffChannel, out) of each feed-forward unit, so it needs ffChannel equal to the unit's output channels; got ffChannel ${ffChannel} and a unit with ${misfit} output channels (level ${level}, finalDim ${finalDim}); use upsample 'convtranspose'${level === 1 ? ` or ffChannel ${finalDim}` : ' or level 1'}`,
    );
  }
}

export function validateLevel(level: unknown): asserts level is 1 | 2 | 3 | 4 {
  if (level !== 1 && level !== 2 && level !== 3 && level !== 4) {
    throw new WaveMixArgumentError(
      'level',
      `must be 1, 2, 3 or 4 (the official code silently builds level-1 blocks for anything else; we refuse), got ${String(level)}`,
    );
  }
}

function channelsOf(x: SymbolicTensor, what: string): number {
  const channels = x.shape[3];
  if (x.shape.length !== 4 || channels == null) {
    throw new WaveMixArgumentError(
      what,
      `needs an NHWC input with a known channel count, got shape [${x.shape.map(String).join(', ')}]`,
    );
  }
  return channels;
}

/** Conv2D with PyTorch's initialisation. */
export function conv2d(
  name: string,
  inChannels: number,
  filters: number,
  kernelSize: number,
  options: { strides?: number; padding?: 'same' | 'valid' } = {},
) {
  const fanIn = inChannels * kernelSize * kernelSize;
  return layers.conv2d({
    name,
    filters,
    kernelSize,
    strides: options.strides ?? 1,
    padding: options.padding ?? 'valid',
    kernelInitializer: torchKernelInitializer(),
    biasInitializer: torchBiasInitializer(fanIn),
  });
}

/** PyTorch `ConvTranspose2d(in, out, 4, stride=2, padding=1)`: exactly 2H x 2W. */
export function convTranspose4x4(name: string, filters: number) {
  return layers.conv2dTranspose({
    name,
    filters,
    kernelSize: 4,
    strides: 2,
    padding: 'same',
    kernelInitializer: torchKernelInitializer(),
    // PyTorch takes fan_in of a transposed conv from weight.size(1) = out_channels.
    biasInitializer: torchBiasInitializer(filters * 16),
  });
}

/**
 * PyTorch `BatchNorm2d` (eps 1e-5, momentum 0.1) over the channel axis: a BatchNormalization whose
 * training pass is the fused `batchNormTraining` op (saved and loaded as a stock one).
 */
export function batchNorm(name: string) {
  return waveMixBatchNormalization({ name, axis: -1, epsilon: BATCH_NORM_EPSILON, momentum: BATCH_NORM_MOMENTUM });
}

/**
 * FF(cin -> cout): Conv1x1(cin -> c*m) `.0`, GELU (erf) `.1`, Dropout `.2`, Conv1x1(c*m -> f)
 * `.3`, ConvTranspose 4x4 stride 2 (f -> cout) or Upsample x2 (f = cout) `.4`, BatchNorm `.5`. Doubles H and W.
 * With nearest upsampling the graph runs `.5` before `.4` (the same function, see below).
 */
export function feedForward(x: SymbolicTensor, options: FeedForwardOptions): SymbolicTensor {
  validateDims(options);
  const { finalDim, mult, ffChannel, dropout, outChannels, name, upsample = 'convtranspose' } = options;
  positiveInteger(outChannels, 'outChannels');
  if (upsample !== 'convtranspose' && ffChannel !== outChannels) {
    throw new WaveMixArgumentError(
      'upsample',
      `'${upsample}' keeps the ffChannel width, so ${name} needs ffChannel equal to its ${outChannels} output channels, got ffChannel ${ffChannel}`,
    );
  }
  const inChannels = channelsOf(x, name);
  let y = conv2d(`${name}.0`, inChannels, finalDim * mult, 1).apply(x) as SymbolicTensor;
  y = layers.activation({ name: `${name}.1`, activation: 'gelu' }).apply(y) as SymbolicTensor;
  y = new WaveMixDropout({ name: `${name}.2`, rate: dropout }).apply(y) as SymbolicTensor;
  y = conv2d(`${name}.3`, finalDim * mult, ffChannel, 1).apply(y) as SymbolicTensor;
  // `.4` is the ConvTranspose2d or the parameter-free nn.Upsample in its place (same module index).
  if (upsample === 'nearest') {
    // BatchNorm commutes with nearest x2: the 2x2 copies have the same per-channel mean and
    // (biased) variance as the input, so normalising first is the same function, batch statistics
    // and moving averages included, at a quarter of the pixels (and folds into `.3` at inference).
    y = batchNorm(`${name}.5`).apply(y) as SymbolicTensor;
    return new Upsample2x({ name: `${name}.4`, mode: upsample }).apply(y) as SymbolicTensor;
  }
  const up =
    upsample === 'convtranspose'
      ? convTranspose4x4(`${name}.4`, outChannels)
      : new Upsample2x({ name: `${name}.4`, mode: upsample });
  y = up.apply(y) as SymbolicTensor;
  return batchNorm(`${name}.5`).apply(y) as SymbolicTensor;
}

/**
 * One wave block (without the residual, which the model adds: `x = block(x) + x`):
 *
 *   r   = Conv1x1(c -> c/4)(x)                         `reduction`
 *   X_k = level k of the DWT pyramid of r              c channels at H/2^k
 *   L=1: out = FF(c -> c)(X_1)                          `feedforward`
 *   L>1: y = FF_L(c -> c/2)(X_L); y = FF_k(3c/2 -> c/2)(concat[X_k, y]) for k = L-1..2;
 *        out = FF_1(3c/2 -> c)(concat[X_1, y])          `feedforward{k}`
 *
 * Input H and W must be divisible by 2^level (each level halves, each FF doubles).
 */
export function waveBlock(x: SymbolicTensor, options: WaveBlockOptions): SymbolicTensor {
  validateDims(options);
  validateLevel(options.level);
  validateUpsample(options, options.level);
  const { level, finalDim, name, layout = 'wavemix' } = options;
  const channels = channelsOf(x, name);
  if (channels !== finalDim) {
    throw new WaveMixArgumentError(name, `input has ${channels} channels; the block is built for finalDim ${finalDim}`);
  }
  for (const [axis, size] of [
    ['height', x.shape[1]],
    ['width', x.shape[2]],
  ] as const) {
    if (size != null && size % 2 ** level !== 0) {
      throw new WaveMixArgumentError(
        name,
        `a level-${level} wave block needs ${axis} divisible by ${2 ** level}, got ${axis} ${size}`,
      );
    }
  }
  const dims: WaveMixDims = options;
  const half = finalDim / 2;
  const reduced = conv2d(`${name}.reduction`, finalDim, finalDim / 4, 1).apply(x) as SymbolicTensor;
  const dwt = new DWT2D({ name: `${name}.dwt`, levels: level, layout }).apply(reduced);
  const pyramid = (Array.isArray(dwt) ? dwt : [dwt]) as SymbolicTensor[];
  if (level === 1) {
    return feedForward(pyramid[0]!, { ...dims, outChannels: finalDim, name: `${name}.feedforward` });
  }
  let y = feedForward(pyramid[level - 1]!, { ...dims, outChannels: half, name: `${name}.feedforward${level}` });
  for (let k = level - 1; k >= 1; k--) {
    const joined = layers
      .concatenate({ name: `${name}.concat${k}`, axis: -1 })
      .apply([pyramid[k - 1]!, y]) as SymbolicTensor;
    y = feedForward(joined, { ...dims, outChannels: k === 1 ? finalDim : half, name: `${name}.feedforward${k}` });
  }
  return y;
}

/** `block(x) + x` with the block's layers under `name`. */
export function residualWaveBlock(x: SymbolicTensor, options: WaveBlockOptions): SymbolicTensor {
  const block = waveBlock(x, options);
  return layers.add({ name: `${options.name}.residual` }).apply([block, x]) as SymbolicTensor;
}
