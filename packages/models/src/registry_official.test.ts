/**
 * Registry entries against the official scripts of their checkpoints (pranavphoenix/WaveMix at
 * ba3d1b4, pranavphoenix/WaveMixSR at 5cbb91a), written down here by hand: the preprocessing each
 * training script applies, and the architecture and URL of each loader file under `Saved_weights/`.
 * A registry change that drifts from the official code fails here.
 */
import { getModelInfo, listModels } from './registry';
import type { Preprocessing } from './metadata';

const NONE_RGB: Preprocessing = { colorSpace: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] };
const IMAGENET: Preprocessing = { colorSpace: 'rgb', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const YCBCR: Preprocessing = { colorSpace: 'ycbcr', mean: [0, 0, 0], std: [1, 1, 1] };

/** registry name -> [official script, the Normalize() it applies (or ToTensor() only)]. */
const OFFICIAL_PREPROCESSING: Record<string, [string, Preprocessing]> = {
  'cifar10-wavemix-lite-144-7': [
    'Image_Classification/example_cifar10.py',
    { colorSpace: 'rgb', mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  ],
  'cifar10-wavemix-320-8': [
    'Image_Classification/example_cifar10.py',
    { colorSpace: 'rgb', mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  ],
  'cifar10-wavemix-lite-64-6': [
    'Image_Classification/example_cifar10.py',
    { colorSpace: 'rgb', mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  ],
  'galaxy10-wavemix-192-16': ['Image_Classification/galaxy10.py (ToTensor() only)', NONE_RGB],
  'galaxy10-wavemix-lite-192-16': ['Image_Classification/galaxy10.py (ToTensor() only)', NONE_RGB],
  'tinyimagenet-wavemix-lite-256-12': [
    'Image_Classification/tinyimagenet.py',
    { colorSpace: 'rgb', mean: [0.4803, 0.4481, 0.3975], std: [0.2764, 0.2689, 0.2816] },
  ],
  'tinyimagenet-wavemix-192-16': [
    'Image_Classification/tinyimagenet.py',
    { colorSpace: 'rgb', mean: [0.4803, 0.4481, 0.3975], std: [0.2764, 0.2689, 0.2816] },
  ],
  'tinyimagenet-wavemix-192-16-64px': [
    'Image_Classification/tinyimagenet.py',
    { colorSpace: 'rgb', mean: [0.4803, 0.4481, 0.3975], std: [0.2764, 0.2689, 0.2816] },
  ],
  'imagenet-wavemix-192-16': ['Image_Classification/timm.py (timm IMAGENET_DEFAULT_MEAN/STD)', IMAGENET],
  'imagenet-wavemix-lite-192-16': ['Image_Classification/timm.py (timm IMAGENET_DEFAULT_MEAN/STD)', IMAGENET],
  'wavemixsr-144-4': ['wavemixsr/bsd100_div2k.py (ToTensor(), kornia rgb_to_ycbcr)', YCBCR],
  'wavemixsr-144-4-df2k': ['wavemixsr/bsd100_df2k.py (ToTensor(), kornia rgb_to_ycbcr)', YCBCR],
  'wavemixsr-144-4-x3': ['wavemixsr/train_div2k.py -x 3 (ToTensor(), kornia rgb_to_ycbcr)', YCBCR],
  'wavemixsr-144-4-x4': ['wavemixsr/train_div2k.py -x 4 (ToTensor(), kornia rgb_to_ycbcr)', YCBCR],
  'wavemixsr-v2-144-2-x2': ['WaveMixSRV2.py with the WaveMixSR data pipeline (YCbCr in [0, 1])', YCBCR],
  'wavemixsr-v2-144-2-x4': ['WaveMixSRV2.py with the WaveMixSR data pipeline (YCbCr in [0, 1])', YCBCR],
};

const WEIGHTS = 'https://huggingface.co/cloudwalker/wavemix/resolve/main/Saved_Models_Weights';
/** registry name -> [loader file, its WaveMix(...) arguments (camelCase), its URL]. */
const OFFICIAL_LOADERS: Record<string, [string, Record<string, unknown>, string]> = {
  'cifar100-wavemix-lite-256-8': [
    'Saved_weights/cifar100/wavemix_cifar100_77.82.py',
    {
      numClasses: 100,
      depth: 8,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0.5,
      level: 1,
      initialConv: 'strided',
      stride: 1,
    },
    `${WEIGHTS}/cifar100/cifar100_77.82.pth`,
  ],
  'cifar100-wavemix-lite-256-10': [
    'Saved_weights/cifar100/wavemix_cifar100_78.81.py',
    {
      numClasses: 100,
      depth: 10,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0.5,
      level: 1,
      initialConv: 'strided',
      stride: 1,
    },
    `${WEIGHTS}/cifar100/cifar100_78.81.pth`,
  ],
  'galaxy10-wavemix-lite-192-16': [
    'Saved_weights/Galaxy10/wavemix_90.23.py',
    {
      numClasses: 10,
      depth: 16,
      mult: 2,
      ffChannel: 192,
      finalDim: 192,
      dropout: 0.5,
      level: 1,
      initialConv: 'pachify',
      patchSize: 4,
    },
    `${WEIGHTS}/galaxy10/galaxy_90.23.pth`,
  ],
  'galaxy10-wavemix-192-16': [
    'Saved_weights/Galaxy10/wavemix_95.42.py',
    {
      numClasses: 10,
      depth: 16,
      mult: 2,
      ffChannel: 192,
      finalDim: 192,
      dropout: 0.5,
      level: 3,
      initialConv: 'pachify',
      patchSize: 4,
    },
    `${WEIGHTS}/galaxy10/galaxy_95.42.pth`,
  ],
  'tinyimagenet-wavemix-lite-256-12': [
    'Saved_weights/tinyimagenet/tinyimagenet_62.51.py',
    {
      numClasses: 200,
      depth: 12,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0.5,
      level: 1,
      initialConv: 'strided',
      stride: 1,
    },
    `${WEIGHTS}/tinyimagenet/tinyimagenet_62.51.pth`,
  ],
  'tinyimagenet-wavemix-192-16': [
    'Saved_weights/tinyimagenet/wavemix_28M_79.py',
    {
      numClasses: 200,
      depth: 16,
      mult: 2,
      ffChannel: 192,
      finalDim: 192,
      dropout: 0.5,
      level: 3,
      initialConv: 'pachify',
      patchSize: 4,
    },
    `${WEIGHTS}/tinyimagenet/tiny_78.76.pth`,
  ],
  'tinyimagenet-wavemix-192-16-64px': [
    'Image_Classification/tinyimagenet.py',
    {
      numClasses: 200,
      depth: 16,
      mult: 2,
      ffChannel: 192,
      finalDim: 192,
      dropout: 0.5,
      level: 3,
      initialConv: 'pachify',
      patchSize: 4,
    },
    `${WEIGHTS}/tinyimagenet/tiny_71.69.pth`,
  ],
  'imagenet-wavemix-256-16-level4': [
    'Saved_weights/ImageNet/wavemix_level4_imagenet_70.42.py',
    {
      numClasses: 1000,
      depth: 16,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0.5,
      level: 4,
      initialConv: 'strided',
      stride: 2,
    },
    `${WEIGHTS}/ImageNet/imagenet4level_70.42.pth`,
  ],
  'imagenet-wavemix-192-16': [
    'Image_Classification/timm.py default_cfgs["wavemix"]',
    {
      numClasses: 1000,
      depth: 16,
      mult: 2,
      ffChannel: 192,
      finalDim: 192,
      dropout: 0.5,
      level: 3,
      initialConv: 'pachify',
      patchSize: 4,
    },
    `${WEIGHTS}/ImageNet/wavemix_192_16_75.06.pth`,
  ],
};

describe('registry against the official scripts', () => {
  it.each(Object.entries(OFFICIAL_PREPROCESSING))(
    '%s preprocesses as its official script does',
    (name, [script, expected]) => {
      const { preprocessing } = getModelInfo(name);
      expect({ script, ...preprocessing }).toEqual({ script, ...expected });
    },
  );

  it.each(Object.entries(OFFICIAL_LOADERS))(
    '%s has the architecture and URL of its loader file',
    (name, [file, args, url]) => {
      const info = getModelInfo(name);
      expect({ file, ...info.config }).toMatchObject({ file, task: 'classification', ...args });
      expect(info.weightsUrl).toBe(url);
    },
  );

  it('has an entry for every checkpoint the official repositories publish, and the two WaveMixSR-V2 sizes', () => {
    const names = listModels().map((m) => m.name);
    for (const name of [
      ...Object.keys(OFFICIAL_LOADERS),
      'cityscapes-wavemix-192-16-decoder',
      'wavemixsr-144-4',
      'wavemixsr-144-4-df2k',
      'wavemixsr-v2-144-2-x2',
      'wavemixsr-v2-144-2-x4',
    ]) {
      expect(names).toContain(name);
    }
    const published = listModels().flatMap((m) => (m.published ? [`${m.published.dataset} ${m.published.value}`] : []));
    for (const result of [
      'CIFAR-100 77.82',
      'Galaxy10 DECals 90.23',
      'Tiny ImageNet 62.51',
      'Tiny ImageNet 71.69',
      'Tiny ImageNet 78.76',
      'ImageNet-1k 70.42',
      'BSD100 x2 33.2',
    ]) {
      expect(published).toContain(result);
    }
  });

  it('documents both defects of the published WaveMixSRV2.py in the V2 entries', () => {
    for (const name of ['wavemixsr-v2-144-2-x2', 'wavemixsr-v2-144-2-x4']) {
      const { notes } = getModelInfo(name);
      expect(notes).toMatch(/Level1Waveblock \(never imported\)/);
      expect(notes).toMatch(/int\(sr\/2\) 2x stages \(16x for sr=8\)/);
    }
  });

  it('user-facing notes cite the paper or the official files, never sections of our spec', () => {
    for (const m of listModels())
      expect([m.name, m.notes ?? '']).not.toEqual([m.name, expect.stringMatching(/spec section/i)]);
  });
});
