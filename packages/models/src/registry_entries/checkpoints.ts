/** Further checkpoints the official repositories publish (the Saved_weights/ loader files). */
import { GALAXY10_DECALS_CLASSES } from '../class_names';
import type { ModelInfo } from '../registry';
import { IMAGENET, CIFAR100, TINY_IMAGENET, PLAIN_RGB, WEIGHTS, numbered, WAVEMIX_192_16_L3, lite } from './shared';

export const PUBLISHED_CHECKPOINT_ENTRIES: ModelInfo[] = [
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
