/**
 * Named configurations: every model of specification §6 and §7 (docs/specification.md) and every checkpoint the official
 * repositories publish (the loader files under `Saved_weights/` of pranavphoenix/WaveMix give
 * architecture and URL). `trainableParams` is what the built model has (PyTorch's count: trainable
 * weights only); tests build each entry and check it, and check the §6 numbers against the
 * spec. `published` is the paper/README/checkpoint result the configuration is known for;
 * `preprocessing` is what the checkpoint's official training script feeds it (registry.test.ts
 * holds the table of scripts). `notes` are user-facing: they cite the paper or the official file.
 */
import { WaveMixArgumentError } from '@wavemix/core';
import type { WaveMixConfig, WaveMixTask } from './config';
import type { Preprocessing } from './metadata';
import {
  CIFAR10_CLASSES,
  CITYSCAPES_CLASSES,
  EMNIST_BALANCED_CLASSES,
  EMNIST_LETTERS_CLASSES,
  FASHION_MNIST_CLASSES,
  GALAXY10_DECALS_CLASSES,
  MNIST_CLASSES,
} from './class_names';

export interface PublishedResult {
  dataset: string;
  metric: string;
  value: number;
  /** Where it comes from, and any other figure reported for the same configuration. */
  source: string;
}

export interface ModelInfo {
  name: string;
  task: WaveMixTask;
  description: string;
  config: WaveMixConfig;
  /** [height, width] the model was trained at; null where any size works (super-resolution). */
  inputSize: [number, number] | null;
  trainableParams: number;
  published: PublishedResult | null;
  preprocessing: Preprocessing;
  classNames?: string[];
  /** Official PyTorch state_dict (torch.save .pth), loadable with `loadPyTorchWeights`. */
  weightsUrl?: string;
  /** Size in bytes and SHA-256 (hex) of the file at `weightsUrl`, where known: `load()` checks them. */
  weightsBytes?: number;
  weightsSha256?: string;
  /** What is assumed rather than taken from an official source. */
  notes?: string;
}

const IMAGENET: Preprocessing = { colorSpace: 'rgb', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
/** `Image_Classification/example_cifar10.py` (training transform). */
const CIFAR10: Preprocessing = { colorSpace: 'rgb', mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
/** CIFAR-100 training-set statistics (no official CIFAR-100 script is published). */
const CIFAR100: Preprocessing = { colorSpace: 'rgb', mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] };
/** `Image_Classification/tinyimagenet.py` (training transforms). */
const TINY_IMAGENET: Preprocessing = {
  colorSpace: 'rgb',
  mean: [0.4803, 0.4481, 0.3975],
  std: [0.2764, 0.2689, 0.2816],
};
const PLAIN_RGB: Preprocessing = { colorSpace: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] };
const PLAIN_GRAY: Preprocessing = { colorSpace: 'grayscale', mean: [0], std: [1] };
const YCBCR: Preprocessing = { colorSpace: 'ycbcr', mean: [0, 0, 0], std: [1, 1, 1] };
const WEIGHTS = 'https://huggingface.co/cloudwalker/wavemix/resolve/main/Saved_Models_Weights';
const numbered = (n: number) => Array.from({ length: n }, (_, i) => `class ${i}`);

/** 192/16, level 3, pachify P4: the ImageNet network and its relatives. */
const WAVEMIX_192_16_L3 = {
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
const V2_NOTES =
  'WaveMixSR-V2 (arXiv 2409.10582; WaveMixSRV2.py of pranavphoenix/WaveMixSR) with two corrections of the published file: its SR_Block names Level1Waveblock (never imported) where the V2 block with PixelShuffle is meant, and it builds int(sr/2) 2x stages (16x for sr=8) where log2(sr) are meant; state_dict keys are the official ones (SR_blocks.{s}.layers.{i}.feedforward.{0,3,5,6}, path1.1, final.0, ...)';

const lite = (
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

const ENTRIES: ModelInfo[] = [
  {
    name: 'imagenet-wavemix-192-16',
    task: 'classification',
    description: 'WaveMix-192/16, level 3, pachify P4 (the classification defaults), ImageNet-1k',
    config: { ...WAVEMIX_192_16_L3, numClasses: 1000, inputSize: [224, 224] },
    inputSize: [224, 224],
    trainableParams: 27_857_608,
    published: {
      dataset: 'ImageNet-1k',
      metric: 'top-1 %',
      value: 75.32,
      source: 'README; the released checkpoint scores 75.06',
    },
    preprocessing: IMAGENET,
    classNames: numbered(1000),
    weightsUrl: `${WEIGHTS}/ImageNet/wavemix_192_16_75.06.pth`,
  },
  {
    name: 'imagenet-wavemix-lite-192-16',
    task: 'classification',
    description: 'WaveMix-Lite-192/16 (level 1), pachify P4, ImageNet-1k',
    config: { ...WAVEMIX_192_16_L3, level: 1, numClasses: 1000, inputSize: [224, 224] },
    inputSize: [224, 224],
    trainableParams: 12_494_536,
    published: null,
    preprocessing: IMAGENET,
    classNames: numbered(1000),
    weightsUrl: `${WEIGHTS}/ImageNet/wavemixlite_71.18.pth`,
    notes:
      'the paper lists no result for it; the official loader Saved_weights/ImageNet/wavemix_12M_71.18.py and the checkpoint are named 71.18 (an older loader, 70.66)',
  },
  {
    name: 'places365-wavemix-256-12',
    task: 'classification',
    description: 'WaveMix-256/12, level 2, pachify P8, Places-365',
    config: {
      task: 'classification',
      numClasses: 365,
      depth: 12,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0.5,
      level: 2,
      initialConv: 'pachify',
      patchSize: 8,
      inputSize: [256, 256],
    },
    inputSize: [256, 256],
    trainableParams: 28_449_261,
    published: {
      dataset: 'Places-365',
      metric: 'top-1 %',
      value: 56.45,
      source: 'paper; the released checkpoint is named 54.94',
    },
    preprocessing: IMAGENET,
    classNames: numbered(365),
    weightsUrl: `${WEIGHTS}/Places365/places365_54.94.pth`,
    notes: 'input size 256x256 (Places-365 standard) and ImageNet normalisation are assumptions',
  },
  {
    name: 'galaxy10-wavemix-192-16',
    task: 'classification',
    description: 'WaveMix-192/16, level 3, pachify P4 at 256x256, Galaxy10 DECals',
    config: { ...WAVEMIX_192_16_L3, numClasses: 10, inputSize: [256, 256] },
    inputSize: [256, 256],
    trainableParams: 27_666_538,
    published: { dataset: 'Galaxy10 DECals', metric: 'top-1 %', value: 95.42, source: 'official checkpoint' },
    preprocessing: PLAIN_RGB,
    classNames: GALAXY10_DECALS_CLASSES,
    weightsUrl: `${WEIGHTS}/galaxy10/galaxy_95.42.pth`,
    notes: 'the official Image_Classification/galaxy10.py feeds ToTensor() only (no mean/std normalisation) at 256x256',
  },
  {
    name: 'cifar10-wavemix-lite-144-7',
    task: 'classification',
    description: 'WaveMix-Lite-144/7, level 1, strided stem stride 1, CIFAR-10',
    config: lite(144, 7, 10, { inputSize: [32, 32] }),
    inputSize: [32, 32],
    trainableParams: 3_042_550,
    published: { dataset: 'CIFAR-10', metric: 'top-1 %', value: 94.58, source: 'official checkpoint' },
    preprocessing: CIFAR10,
    classNames: CIFAR10_CLASSES,
    weightsUrl: `${WEIGHTS}/cifar10/cifar10_94.58.pth`,
    notes:
      'normalisation as in the official Image_Classification/example_cifar10.py (training transform; its test transform uses slightly different statistics)',
  },
  {
    name: 'cifar10-wavemix-320-8',
    task: 'classification',
    description: 'WaveMix-320/8, level 1, strided stem stride 1, CIFAR-10',
    config: lite(320, 8, 10, { inputSize: [32, 32] }),
    inputSize: [32, 32],
    trainableParams: 17_073_610,
    published: {
      dataset: 'CIFAR-10',
      metric: 'top-1 %',
      value: 95.37,
      source: 'official checkpoint; README reports 95.98',
    },
    preprocessing: CIFAR10,
    classNames: CIFAR10_CLASSES,
    weightsUrl: `${WEIGHTS}/cifar10/cifar10_95.37.pth`,
    notes:
      'normalisation as in the official Image_Classification/example_cifar10.py (training transform; its test transform uses slightly different statistics)',
  },
  {
    name: 'cifar10-wavemix-lite-64-6',
    task: 'classification',
    description: 'WaveMix-Lite-64/6, level 1, strided stem stride 1, ffChannel 64, CIFAR-10',
    config: lite(64, 6, 10, { inputSize: [32, 32] }),
    inputSize: [32, 32],
    trainableParams: 520_106,
    published: {
      dataset: 'CIFAR-10',
      metric: 'top-1 %',
      value: 90,
      source: 'README parameter-efficiency table (90 % with 520,106 parameters)',
    },
    preprocessing: CIFAR10,
    classNames: CIFAR10_CLASSES,
    notes: 'dropout is an assumption; normalisation as in the official Image_Classification/example_cifar10.py',
  },
  {
    name: 'cifar100-wavemix-lite-256-10',
    task: 'classification',
    description: 'WaveMix-Lite-256/10, level 1, strided stem stride 1, CIFAR-100',
    config: lite(256, 10, 100, { inputSize: [32, 32] }),
    inputSize: [32, 32],
    trainableParams: 13_611_492,
    published: { dataset: 'CIFAR-100', metric: 'top-1 %', value: 78.81, source: 'official checkpoint' },
    preprocessing: CIFAR100,
    classNames: numbered(100),
    weightsUrl: `${WEIGHTS}/cifar100/cifar100_78.81.pth`,
    notes:
      'architecture and URL from the official Saved_weights/cifar100/wavemix_cifar100_78.81.py; no official CIFAR-100 training script is published, so the normalisation (CIFAR-100 training-set statistics) is an assumption',
  },
  {
    name: 'fashion-mnist-wavemix-lite-8-5',
    task: 'classification',
    description: 'WaveMix-Lite-8/5, 1 input channel, ffChannel 8, level 1, strided stem stride 1, Fashion-MNIST',
    config: lite(8, 5, 10, { inChannels: 1, inputSize: [28, 28] }),
    inputSize: [28, 28],
    trainableParams: 7_156,
    published: {
      dataset: 'Fashion-MNIST',
      metric: 'top-1 %',
      value: 90,
      source: 'README parameter-efficiency table (90 % with 7,156 parameters)',
    },
    preprocessing: PLAIN_GRAY,
    classNames: FASHION_MNIST_CLASSES,
  },
  {
    name: 'fashion-mnist-wavemix',
    task: 'classification',
    description: 'WaveMix-128/7 (level 1, strided stride 1, 1 channel) for Fashion-MNIST',
    config: lite(128, 7, 10, { inChannels: 1, inputSize: [28, 28] }),
    inputSize: [28, 28],
    trainableParams: 2_403_818,
    published: { dataset: 'Fashion-MNIST', metric: 'top-1 %', value: 93.91, source: 'paper ("WaveMix")' },
    preprocessing: PLAIN_GRAY,
    classNames: FASHION_MNIST_CLASSES,
    notes: 'the spec names no architecture for this result; 128/7 (the MNIST network) is an assumption',
  },
  {
    name: 'mnist-wavemix-128-7',
    task: 'classification',
    description: 'WaveMix-128/7, level 1, strided stem stride 1, 1 channel, MNIST',
    config: lite(128, 7, 10, { inChannels: 1, inputSize: [28, 28] }),
    inputSize: [28, 28],
    trainableParams: 2_403_818,
    published: { dataset: 'MNIST', metric: 'top-1 %', value: 99.71, source: 'paper' },
    preprocessing: PLAIN_GRAY,
    classNames: MNIST_CLASSES,
    notes: 'level 1, strided stride 1, ffChannel = finalDim and 1 input channel are assumptions',
  },
  {
    name: 'mnist-wavemix-lite-8-10',
    task: 'classification',
    description:
      'WaveMix-Lite-8/10 with upsampling: each ConvTranspose2d replaced by nn.Upsample(x2, nearest), ffChannel 8, level 1, strided stem stride 1, 1 channel, MNIST',
    config: lite(8, 10, 10, { inChannels: 1, inputSize: [28, 28], dropout: 0, upsample: 'nearest' }),
    inputSize: [28, 28],
    trainableParams: 3_566,
    published: {
      dataset: 'MNIST',
      metric: 'top-1 %',
      value: 99,
      source: 'README parameter-efficiency table (99 % with 3,566 parameters)',
    },
    preprocessing: PLAIN_GRAY,
    classNames: MNIST_CLASSES,
    notes:
      "the README names no upsampling mode (nearest is an assumption; 'bilinear' has the same 3,566 parameters) nor dropout (0, as the official Lite script); reproduced by the trainer preset mnist-lite-3566 (docs/results.md)",
  },
  {
    name: 'mnist-wavemix-lite-8-10-convtranspose',
    task: 'classification',
    description:
      'WaveMix-Lite-8/10 as the official Lite code builds it (ConvTranspose2d upsampling), ffChannel 8, level 1, strided stem stride 1, 1 channel, MNIST',
    config: lite(8, 10, 10, { inChannels: 1, inputSize: [28, 28] }),
    inputSize: [28, 28],
    trainableParams: 13_886,
    published: null,
    preprocessing: PLAIN_GRAY,
    classNames: MNIST_CLASSES,
    notes:
      "13,886 = 3,566 + 10 x 1,032 ConvTranspose2d(8, 8, 4) parameters; the README's 99 % belongs to the upsampling variant mnist-wavemix-lite-8-10",
  },
  {
    name: 'emnist-letters-wavemix-lite-112-16',
    task: 'classification',
    description: 'WaveMix-Lite-112/16, level 1, strided stem stride 1, EMNIST Letters',
    config: lite(112, 16, 27, { inputSize: [28, 28] }),
    inputSize: [28, 28],
    trainableParams: 4_136_635,
    published: { dataset: 'EMNIST Letters', metric: 'top-1 %', value: 95.96, source: 'paper' },
    preprocessing: { colorSpace: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] },
    classNames: EMNIST_LETTERS_CLASSES,
    notes:
      '27 outputs (torchvision letters labels 1..26 plus the unused 0), 3 input channels (grey replicated, as the official code takes RGB) and ffChannel 112 are assumptions',
  },
  {
    name: 'emnist-balanced-wavemix-lite-112-16',
    task: 'classification',
    description: 'WaveMix-Lite-112/16, level 1, strided stem stride 1, EMNIST Balanced',
    config: lite(112, 16, 47, { inputSize: [28, 28] }),
    inputSize: [28, 28],
    trainableParams: 4_138_895,
    published: { dataset: 'EMNIST Balanced', metric: 'top-1 %', value: 91.06, source: 'paper ("WaveMix")' },
    preprocessing: { colorSpace: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] },
    classNames: EMNIST_BALANCED_CLASSES,
    notes: 'the spec names no architecture for this result; the EMNIST Letters network is assumed',
  },
  {
    name: 'cityscapes-wavemix-256-16',
    task: 'segmentation',
    description: 'SemSegment WaveMix-256/16, level 4, strided stem stride 2, Cityscapes (20 classes incl. void)',
    config: {
      task: 'segmentation',
      architecture: 'semsegment',
      numClasses: 20,
      depth: 16,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0,
      level: 4,
      stride: 2,
      inputSize: [1024, 2048],
    },
    inputSize: [1024, 2048],
    trainableParams: 63_164_628,
    published: {
      dataset: 'Cityscapes val',
      metric: 'mIoU %',
      value: 82.7,
      source: "paper, with the official script's non-standard mIoU",
    },
    preprocessing: IMAGENET,
    classNames: CITYSCAPES_CLASSES,
  },
  {
    name: 'cityscapes-wavemix-192-16-decoder',
    task: 'segmentation',
    description:
      'Cityscapes 83.04 model: WaveMix-192/16 level-3 pachify-P4 classification backbone with a ConvT-ConvT-Conv decoder',
    config: {
      ...WAVEMIX_192_16_L3,
      task: 'segmentation',
      architecture: 'classification-backbone',
      numClasses: 20,
      decoderChannels: [128, 64],
      inputSize: [1024, 2048],
    },
    inputSize: [1024, 2048],
    trainableParams: 28_190_388,
    published: {
      dataset: 'Cityscapes val',
      metric: 'mIoU %',
      value: 83.04,
      source: 'official script (its non-standard mIoU), 1024x2048 input',
    },
    preprocessing: IMAGENET,
    classNames: CITYSCAPES_CLASSES,
    notes:
      'architecture from the official Saved_weights/cityscapes/Wavemix_28M_83.04.py; that file downloads the ImageNet checkpoint wavemix_192_16_75.06.pth (whose pool.2 is the 1000-class Linear), so no 83.04 segmentation checkpoint URL is published; load the ImageNet weights non-strictly to fine-tune',
  },
  {
    name: 'sisr-wavemix-144-4',
    task: 'sisr',
    description: 'wavemix.sisr.WaveMix defaults: 144/4, level 1, RGB x2',
    config: { task: 'sisr', depth: 4, mult: 2, ffChannel: 144, finalDim: 144, dropout: 0, level: 1 },
    inputSize: null,
    trainableParams: 1_944_867,
    published: null,
    preprocessing: PLAIN_RGB,
    notes: 'the constructor defaults of wavemix/sisr.py; the papers report no result for it',
  },
  {
    name: 'wavemixsr-144-4',
    task: 'wavemix-sr',
    description: 'WaveMixSR (WACV 2024): 144/4, mult 1, dropout 0.3, YCbCr x2',
    config: { task: 'wavemix-sr', depth: 4, mult: 1, ffChannel: 144, finalDim: 144, dropout: 0.3 },
    inputSize: null,
    trainableParams: 1_704_385,
    published: {
      dataset: 'BSD100 x2',
      metric: 'PSNR-Y dB',
      value: 33.08,
      source: 'WaveMixSR paper (WACV 2024), DIV2K-trained',
    },
    notes:
      'bicubic 2x input paths as in the official wavemixsr/model.py; the official wavemixsr/bsd100_div2k.py trains it (AdamW then SGD, Huber loss on Y)',
    preprocessing: YCBCR,
  },
  {
    name: 'wavemixsr-144-4-df2k',
    task: 'wavemix-sr',
    description: 'WaveMixSR 144/4, mult 1, dropout 0.3, YCbCr x2, trained on DF2K (DIV2K + Flickr2K)',
    config: {
      task: 'wavemix-sr',
      depth: 4,
      mult: 1,
      ffChannel: 144,
      finalDim: 144,
      dropout: 0.3,
      scale: 2,
      interpolation: 'bicubic',
    },
    inputSize: null,
    trainableParams: 1_704_385,
    published: {
      dataset: 'BSD100 x2',
      metric: 'PSNR-Y dB',
      value: 33.2,
      source: 'the checkpoint file name bsd100_2x_y_df2k_33.2.pth of the official WaveMixSR repository',
    },
    preprocessing: YCBCR,
    notes:
      'trained by the official wavemixsr/bsd100_df2k.py (bicubic Upsample in both paths, Huber loss on Y, AdamW then SGD); the checkpoint is distributed in the WaveMixSR repository as saved_model_weights/bsd100_2x_y_df2k_33.2.pth, no download URL is published',
  },
  {
    name: 'wavemixsr-144-4-x3',
    task: 'wavemix-sr',
    description: 'WaveMixSR 144/4, mult 1, dropout 0.3, YCbCr x3 (bilinear input paths)',
    config: {
      task: 'wavemix-sr',
      depth: 4,
      mult: 1,
      ffChannel: 144,
      finalDim: 144,
      dropout: 0.3,
      scale: 3,
      interpolation: 'bilinear',
    },
    inputSize: null,
    trainableParams: 1_704_385,
    published: null,
    preprocessing: YCBCR,
    notes:
      'the official wavemixsr/train_div2k.py -x 3 (bilinear Upsample(scale_factor=3) in both paths); inputs must have even sides (the official test code trims them)',
  },
  {
    name: 'wavemixsr-144-4-x4',
    task: 'wavemix-sr',
    description: 'WaveMixSR 144/4, mult 1, dropout 0.3, YCbCr x4 (bilinear input paths)',
    config: {
      task: 'wavemix-sr',
      depth: 4,
      mult: 1,
      ffChannel: 144,
      finalDim: 144,
      dropout: 0.3,
      scale: 4,
      interpolation: 'bilinear',
    },
    inputSize: null,
    trainableParams: 1_704_385,
    published: null,
    preprocessing: YCBCR,
    notes: 'the official wavemixsr/train_div2k.py -x 4 (bilinear Upsample(scale_factor=4) in both paths)',
  },
  {
    name: 'wavemixsr-v2-144-2-x2',
    task: 'wavemix-sr-v2',
    description: 'WaveMixSR-V2 (arXiv 2409.10582): 144, 2 V2 blocks, mult 1, dropout 0.3, YCbCr x2 (one 2x stage)',
    config: { task: 'wavemix-sr-v2', scale: 2, blocks: 2, mult: 1, finalDim: 144, dropout: 0.3 },
    inputSize: null,
    trainableParams: 780_985,
    published: null,
    preprocessing: YCBCR,
    notes: V2_NOTES,
  },
  {
    name: 'wavemixsr-v2-144-2-x4',
    task: 'wavemix-sr-v2',
    description:
      'WaveMixSR-V2 (arXiv 2409.10582): 144, 2 V2 blocks per stage, mult 1, dropout 0.3, YCbCr x4 (two 2x stages)',
    config: { task: 'wavemix-sr-v2', scale: 4, blocks: 2, mult: 1, finalDim: 144, dropout: 0.3 },
    inputSize: null,
    trainableParams: 1_561_970,
    published: null,
    preprocessing: YCBCR,
    notes: V2_NOTES,
  },
  {
    name: 'cifar100-wavemix-lite-256-8',
    task: 'classification',
    description: 'WaveMix-Lite-256/8, level 1, strided stem stride 1, CIFAR-100',
    config: lite(256, 8, 100, { inputSize: [32, 32] }),
    inputSize: [32, 32],
    trainableParams: 10_954_084,
    published: { dataset: 'CIFAR-100', metric: 'top-1 %', value: 77.82, source: 'official checkpoint' },
    preprocessing: CIFAR100,
    classNames: numbered(100),
    weightsUrl: `${WEIGHTS}/cifar100/cifar100_77.82.pth`,
    notes:
      'architecture and URL from the official Saved_weights/cifar100/wavemix_cifar100_77.82.py; normalisation (CIFAR-100 training-set statistics) is an assumption',
  },
  {
    name: 'galaxy10-wavemix-lite-192-16',
    task: 'classification',
    description: 'WaveMix-Lite-192/16, level 1, pachify P4 at 256x256, Galaxy10 DECals',
    config: { ...WAVEMIX_192_16_L3, level: 1, numClasses: 10, inputSize: [256, 256] },
    inputSize: [256, 256],
    trainableParams: 12_303_466,
    published: { dataset: 'Galaxy10 DECals', metric: 'top-1 %', value: 90.23, source: 'official checkpoint' },
    preprocessing: PLAIN_RGB,
    classNames: GALAXY10_DECALS_CLASSES,
    weightsUrl: `${WEIGHTS}/galaxy10/galaxy_90.23.pth`,
    notes:
      'architecture and URL from the official Saved_weights/Galaxy10/wavemix_90.23.py; input as in Image_Classification/galaxy10.py (256x256, ToTensor() only)',
  },
  {
    name: 'tinyimagenet-wavemix-lite-256-12',
    task: 'classification',
    description: 'WaveMix-Lite-256/12, level 1, strided stem stride 1, Tiny ImageNet (64x64, 200 classes)',
    config: lite(256, 12, 200, { inputSize: [64, 64] }),
    inputSize: [64, 64],
    trainableParams: 16_294_600,
    published: { dataset: 'Tiny ImageNet', metric: 'top-1 %', value: 62.51, source: 'official checkpoint' },
    preprocessing: TINY_IMAGENET,
    classNames: numbered(200),
    weightsUrl: `${WEIGHTS}/tinyimagenet/tinyimagenet_62.51.pth`,
    notes:
      'architecture and URL from the official Saved_weights/tinyimagenet/tinyimagenet_62.51.py; normalisation from Image_Classification/tinyimagenet.py',
  },
  {
    name: 'tinyimagenet-wavemix-192-16',
    task: 'classification',
    description: 'WaveMix-192/16, level 3, pachify P4 at 128x128, Tiny ImageNet (200 classes)',
    config: { ...WAVEMIX_192_16_L3, numClasses: 200, inputSize: [128, 128] },
    inputSize: [128, 128],
    trainableParams: 27_703_208,
    published: {
      dataset: 'Tiny ImageNet',
      metric: 'top-1 %',
      value: 78.76,
      source: 'official checkpoint (loader file named 79)',
    },
    preprocessing: TINY_IMAGENET,
    classNames: numbered(200),
    weightsUrl: `${WEIGHTS}/tinyimagenet/tiny_78.76.pth`,
    notes:
      'architecture, URL and the 128x128 input size from the official Saved_weights/tinyimagenet/wavemix_28M_79.py; normalisation from Image_Classification/tinyimagenet.py',
  },
  {
    name: 'tinyimagenet-wavemix-192-16-64px',
    task: 'classification',
    description: 'WaveMix-192/16, level 3, pachify P4 at 64x64, Tiny ImageNet (200 classes)',
    config: { ...WAVEMIX_192_16_L3, numClasses: 200, inputSize: [64, 64] },
    inputSize: [64, 64],
    trainableParams: 27_703_208,
    published: { dataset: 'Tiny ImageNet', metric: 'top-1 %', value: 71.69, source: 'official checkpoint' },
    preprocessing: TINY_IMAGENET,
    classNames: numbered(200),
    weightsUrl: `${WEIGHTS}/tinyimagenet/tiny_71.69.pth`,
    notes:
      'architecture, URL and the 64x64 input from the official Image_Classification/tinyimagenet.py (which starts from this checkpoint); normalisation as its training transforms',
  },
  {
    name: 'imagenet-wavemix-256-16-level4',
    task: 'classification',
    description: 'WaveMix-256/16, level 4, strided stem stride 2, ImageNet-1k',
    config: {
      task: 'classification',
      numClasses: 1000,
      depth: 16,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0.5,
      level: 4,
      initialConv: 'strided',
      stride: 2,
      inputSize: [256, 256],
    },
    inputSize: [256, 256],
    trainableParams: 62_764_776,
    published: { dataset: 'ImageNet-1k', metric: 'top-1 %', value: 70.42, source: 'official checkpoint' },
    preprocessing: IMAGENET,
    classNames: numbered(1000),
    weightsUrl: `${WEIGHTS}/ImageNet/imagenet4level_70.42.pth`,
    notes:
      'architecture and URL from the official Saved_weights/ImageNet/wavemix_level4_imagenet_70.42.py; the input size is an assumption: 256x256 is the smallest standard size the network divides (stride 2 x stride 2 x 2^4 = 64; 224 is not a multiple)',
  },
];

const BY_NAME = new Map(ENTRIES.map((entry) => [entry.name, entry]));

/** Every named configuration, in a stable order. */
export function listModels(): ModelInfo[] {
  return ENTRIES.map(copyInfo);
}

export function getModelInfo(name: string): ModelInfo {
  const entry = BY_NAME.get(name);
  if (!entry) {
    throw new WaveMixArgumentError(
      'name',
      `unknown model ${JSON.stringify(name)}; known: ${[...BY_NAME.keys()].join(', ')}`,
    );
  }
  return copyInfo(entry);
}

function copyInfo(entry: ModelInfo): ModelInfo {
  return JSON.parse(JSON.stringify(entry)) as ModelInfo;
}
