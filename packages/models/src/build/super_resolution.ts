/**
 * The YCbCr super-resolution networks. Layer names are the official PyTorch module paths, so the
 * bridge maps official state_dicts onto them by name alone:
 *
 * - WaveMixSR (WACV 2024; `wavemixsr/model.py`, `wavemixsr/train_div2k.py`): keys `path1.1`,
 *   `path1.2`, `layers.{i}.reduction|feedforward.{0,3,4,5}`, `final.0`, `final.1`.
 * - WaveMixSR-V2 (arXiv 2409.10582; `WaveMixSRV2.py`): log2(scale) stacked 2x stages, keys
 *   `SR_blocks.{s}.` + `path1.1`, `path1.2`, `layers.{i}.reduction|feedforward.{0,3,5,6}`, `final.0`, `final.1`.
 */
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import {
  BicubicUpsample2x,
  ChannelSlice,
  Upsample,
  conv2d,
  residualWaveBlock,
  residualWaveBlockV2,
  type UpsampleMode,
} from '@wavemix/layers';
import type { ResolvedConfig } from '../config';

interface StageOptions {
  /** Module path prefix: '' (WaveMixSR) or `SR_blocks.{s}.` (V2). */
  prefix: string;
  scale: number;
  interpolation: UpsampleMode;
  /** Adds the residual wave blocks to the Y path, named under `prefix + 'layers.'`. */
  blocks: (y: SymbolicTensor) => SymbolicTensor;
}

/**
 * One stage: Y -> Upsample -> Conv3x3(1 -> c/2) -> Conv3x3(-> c) -> blocks -> Conv3x3(c -> c/2)
 * -> Conv1x1(-> 1); CbCr -> Upsample; output concat(Y, CbCr). 3x3 convs are PyTorch padding 1
 * at stride 1, which is tfjs 'same'.
 */
/** Bicubic 2x keeps the `BicubicUpsample2x` layer the ONNX exporter and older saved models know. */
function upsampleLayer(name: string, scale: number, mode: UpsampleMode) {
  return scale === 2 && mode === 'bicubic' ? new BicubicUpsample2x({ name }) : new Upsample({ name, scale, mode });
}

function srStage(input: SymbolicTensor, config: ResolvedConfig, options: StageOptions): SymbolicTensor {
  const c = config.finalDim;
  const { prefix, scale, interpolation } = options;
  const luma = new ChannelSlice({ name: `${prefix}y`, begin: 0, size: 1 }).apply(input) as SymbolicTensor;
  const chroma = new ChannelSlice({ name: `${prefix}cbcr`, begin: 1, size: 2 }).apply(input) as SymbolicTensor;
  let y = upsampleLayer(`${prefix}path1.0`, scale, interpolation).apply(luma) as SymbolicTensor;
  y = conv2d(`${prefix}path1.1`, 1, c / 2, 3, { padding: 'same' }).apply(y) as SymbolicTensor;
  y = conv2d(`${prefix}path1.2`, c / 2, c, 3, { padding: 'same' }).apply(y) as SymbolicTensor;
  y = options.blocks(y);
  y = conv2d(`${prefix}final.0`, c, c / 2, 3, { padding: 'same' }).apply(y) as SymbolicTensor;
  y = conv2d(`${prefix}final.1`, c / 2, 1, 1).apply(y) as SymbolicTensor;
  const cbcr = upsampleLayer(`${prefix}path2.0`, scale, interpolation).apply(chroma) as SymbolicTensor;
  return layers.concatenate({ name: `${prefix}output`, axis: -1 }).apply([y, cbcr]) as SymbolicTensor;
}

/** WaveMixSR at `config.scale` (2, 3, 4) with `config.interpolation` in both paths; level-1 blocks. */
export function buildWaveMixSR(input: SymbolicTensor, config: ResolvedConfig): SymbolicTensor {
  const { finalDim, mult, ffChannel, dropout } = config;
  return srStage(input, config, {
    prefix: '',
    scale: config.scale ?? 2,
    interpolation: config.interpolation ?? 'bicubic',
    blocks: (y) => {
      for (let i = 0; i < config.depth; i++) {
        y = residualWaveBlock(y, { level: 1, finalDim, mult, ffChannel, dropout, name: `layers.${i}` });
      }
      return y;
    },
  });
}

/**
 * WaveMixSR-V2: log2(scale) bicubic 2x stages (`SR_blocks.{s}`), each with `config.depth` V2
 * blocks. The published file builds int(scale/2) stages (16x for scale 8) and names the level-1
 * block class in its stage; we follow the paper (see the registry notes).
 */
export function buildWaveMixSRV2(input: SymbolicTensor, config: ResolvedConfig): SymbolicTensor {
  const { finalDim, mult, dropout } = config;
  const stages = Math.round(Math.log2(config.scale ?? 2));
  let x = input;
  for (let s = 0; s < stages; s++) {
    const prefix = `SR_blocks.${s}.`;
    x = srStage(x, config, {
      prefix,
      scale: 2,
      interpolation: 'bicubic',
      blocks: (y) => {
        for (let i = 0; i < config.depth; i++) {
          y = residualWaveBlockV2(y, { finalDim, mult, dropout, name: `${prefix}layers.${i}` });
        }
        return y;
      },
    });
  }
  return x;
}
