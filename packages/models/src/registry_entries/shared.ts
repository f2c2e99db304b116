/** Preprocessing of the official scripts, the checkpoint host and config helpers the registry entries share. */
import type { WaveMixConfig } from '../config';
import type { Preprocessing } from '../metadata';

export const IMAGENET: Preprocessing = { colorSpace: 'rgb', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
/** `Image_Classification/example_cifar10.py` (training transform). */
export const CIFAR10: Preprocessing = {
  colorSpace: 'rgb',
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
};
/** CIFAR-100 training-set statistics (no official CIFAR-100 script is published). */
export const CIFAR100: Preprocessing = {
  colorSpace: 'rgb',
  mean: [0.5071, 0.4865, 0.4409],
  std: [0.2673, 0.2564, 0.2762],
};
/** `Image_Classification/tinyimagenet.py` (training transforms). */
export const TINY_IMAGENET: Preprocessing = {
  colorSpace: 'rgb',
  mean: [0.4803, 0.4481, 0.3975],
  std: [0.2764, 0.2689, 0.2816],
};
export const PLAIN_RGB: Preprocessing = { colorSpace: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] };
export const PLAIN_GRAY: Preprocessing = { colorSpace: 'grayscale', mean: [0], std: [1] };
export const YCBCR: Preprocessing = { colorSpace: 'ycbcr', mean: [0, 0, 0], std: [1, 1, 1] };
export const WEIGHTS = 'https://huggingface.co/cloudwalker/wavemix/resolve/main/Saved_Models_Weights';
export const numbered = (n: number) => Array.from({ length: n }, (_, i) => `class ${i}`);

/** 192/16, level 3, pachify P4: the ImageNet network and its relatives. */
export const WAVEMIX_192_16_L3 = {
  task: 'classification',
  depth: 16,
  mult: 2,
  ffChannel: 192,
  finalDim: 192,
  dropout: 0.5,
  level: 3,
  initialConv: 'pachify',
  patchSize: 4,
} as const;

/**
 * The published WaveMixSRV2.py does not run as written; we follow the paper: (1) its SR_Block
 * builds `Level1Waveblock` (never imported) where the V2 block (`WaveMixSRV2Block`, PixelShuffle
 * feed-forward with ff_channel = 4 * final_dim) is meant; (2) it stacks int(sr / 2) 2x stages,
 * which is log2(sr) only for sr 2 and 4 (sr 8 would give 16x); we stack log2(scale).
 */
export const V2_NOTES =
  'WaveMixSR-V2 (arXiv 2409.10582; WaveMixSRV2.py of pranavphoenix/WaveMixSR) with two corrections of the published file: its SR_Block names Level1Waveblock (never imported) where the V2 block with PixelShuffle is meant, and it builds int(sr/2) 2x stages (16x for sr=8) where log2(sr) are meant; state_dict keys are the official ones (SR_blocks.{s}.layers.{i}.feedforward.{0,3,5,6}, path1.1, final.0, ...)';

export const lite = (
  finalDim: number,
  depth: number,
  numClasses: number,
  extra: Partial<WaveMixConfig> = {},
): WaveMixConfig => ({
  task: 'classification',
  numClasses,
  depth,
  mult: 2,
  ffChannel: finalDim,
  finalDim,
  dropout: 0.5,
  level: 1,
  initialConv: 'strided',
  stride: 1,
  ...extra,
});
