/**
 * The WaveMixSR-V2 wave block (arXiv 2409.10582; `WaveMixSRV2Block` in WaveMixSRV2.py of
 * pranavphoenix/WaveMixSR): the level-1 block with the ConvTranspose upsampling of its
 * feed-forward replaced by a 1x1 conv to 4c channels, PixelShuffle(2) and a 3x3 conv.
 */
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError } from '@wavemix/core';
import { DWT2D } from './dwt2d_layer';
import { PixelShuffle } from './pixel_shuffle_layer';
import { batchNorm, conv2d } from './wave_block';
import { WaveMixDropout } from './dropout_layer';

export interface WaveBlockV2Options {
  /** Channel width c; divisible by 4. */
  finalDim: number;
  /** Expansion of the first 1x1 conv. */
  mult: number;
  dropout: number;
  /** PyTorch module path of the block, e.g. `SR_blocks.0.layers.1`. */
  name: string;
}

/**
 *   r = Conv1x1(c -> c/4)(x)                            `reduction`
 *   X = one Haar level of r (WaveMix channel layout)     c channels at H/2
 *   out = Conv1x1(c -> c*mult) `.0`, GELU `.1`, Dropout `.2`, Conv1x1(-> 4c) `.3`,
 *         PixelShuffle(2) `.4`, Conv3x3(c -> c, pad 1) `.5`, BatchNorm `.6`   (`feedforward`)
 * No residual (the model adds it). H and W must be even.
 */
export function waveBlockV2(x: SymbolicTensor, options: WaveBlockV2Options): SymbolicTensor {
  const { finalDim: c, mult, dropout, name } = options;
  if (!Number.isInteger(c) || c < 4 || c % 4 !== 0) {
    throw new WaveMixArgumentError('finalDim', `must be a positive multiple of 4, got ${String(c)}`);
  }
  if (x.shape[3] !== c) {
    throw new WaveMixArgumentError(
      name,
      `input has ${String(x.shape[3])} channels; the block is built for finalDim ${c}`,
    );
  }
  const ff = `${name}.feedforward`;
  const reduced = conv2d(`${name}.reduction`, c, c / 4, 1).apply(x) as SymbolicTensor;
  let y = new DWT2D({ name: `${name}.dwt`, levels: 1 }).apply(reduced) as SymbolicTensor;
  y = conv2d(`${ff}.0`, c, c * mult, 1).apply(y) as SymbolicTensor;
  y = layers.activation({ name: `${ff}.1`, activation: 'gelu' }).apply(y) as SymbolicTensor;
  y = new WaveMixDropout({ name: `${ff}.2`, rate: dropout }).apply(y) as SymbolicTensor;
  y = conv2d(`${ff}.3`, c * mult, 4 * c, 1).apply(y) as SymbolicTensor;
  y = new PixelShuffle({ name: `${ff}.4`, upscaleFactor: 2 }).apply(y) as SymbolicTensor;
  y = conv2d(`${ff}.5`, c, c, 3, { padding: 'same' }).apply(y) as SymbolicTensor;
  return batchNorm(`${ff}.6`).apply(y) as SymbolicTensor;
}

/** `block(x) + x`. */
export function residualWaveBlockV2(x: SymbolicTensor, options: WaveBlockV2Options): SymbolicTensor {
  const block = waveBlockV2(x, options);
  return layers.add({ name: `${options.name}.residual` }).apply([block, x]) as SymbolicTensor;
}
