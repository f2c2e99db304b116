/**
 * Model configuration: the official constructor arguments in camelCase, the task, and the few
 * extras we support (any input channel count, a fixed input size, the Cityscapes 83.04 decoder).
 * `resolveConfig` fills the official defaults of the task and validates everything, so every
 * later step works on a complete, consistent configuration.
 */
import { WaveMixArgumentError } from '@wavemix/core';
import { UPSAMPLE_MODES, type UpsampleMode } from '@wavemix/layers';
import { validateDims, validateLevel, validateUpsample, type WaveMixUpsample } from '@wavemix/layers';

export type WaveMixTask = 'classification' | 'segmentation' | 'sisr' | 'wavemix-sr' | 'wavemix-sr-v2';
export const TASKS: readonly WaveMixTask[] = ['classification', 'segmentation', 'sisr', 'wavemix-sr', 'wavemix-sr-v2'];
/** The super-resolution tasks on YCbCr (Y through the network, CbCr interpolated). */
export const YCBCR_TASKS: readonly WaveMixTask[] = ['wavemix-sr', 'wavemix-sr-v2'];
/** The scales each YCbCr super-resolution task supports. */
export const SR_SCALES: Readonly<Record<'wavemix-sr' | 'wavemix-sr-v2', readonly number[]>> = {
  'wavemix-sr': [2, 3, 4],
  'wavemix-sr-v2': [2, 4, 8],
};
/** How WaveMixSR's input paths upsample (PyTorch `nn.Upsample` mode, align_corners=False). */
export type SrInterpolation = UpsampleMode;
export type InitialConv = 'strided' | 'pachify';
/**
 * `semsegment`: `wavemix.SemSegment.WaveMix` (strided stem, `expand` decoder).
 * `classification-backbone`: the Cityscapes 83.04 model, the classification network whose
 * `pool` head is replaced by ConvT -> ConvT -> Conv1x1 (keys `pool.0`, `pool.1`, `pool.2`).
 */
export type SegmentationArchitecture = 'semsegment' | 'classification-backbone';

export interface WaveMixConfig {
  task: WaveMixTask;
  numClasses?: number;
  depth?: number;
  mult?: number;
  ffChannel?: number;
  finalDim?: number;
  dropout?: number;
  level?: number;
  initialConv?: InitialConv;
  patchSize?: number;
  stride?: number;
  /** Input channels (default 3; 1 for MNIST-like data). WaveMixSR takes exactly 3 (YCbCr). */
  inChannels?: number;
  /** Fixed input [height, width]; without it the model accepts any size the architecture divides. */
  inputSize?: readonly [number, number] | null;
  /** Segmentation only (default `semsegment`). */
  architecture?: SegmentationArchitecture;
  /** Segmentation `classification-backbone` only: the two ConvTranspose widths (default [128, 64]). */
  decoderChannels?: readonly [number, number];
  /**
   * How the wave blocks' feed-forward units upsample x2: `convtranspose` (official, default) or the
   * parameter-free `nearest` / `bilinear` nn.Upsample (the README's 3,566-parameter Lite-8/10);
   * those need level 1 and ffChannel = finalDim.
   */
  upsample?: WaveMixUpsample;
  /**
   * Super-resolution factor. WaveMixSR: 2, 3 or 4 (default 2). WaveMixSR-V2: 2, 4 or 8, built as
   * log2(scale) stacked 2x stages (default 2).
   */
  scale?: number;
  /**
   * WaveMixSR only: the `nn.Upsample` mode of both input paths. Defaults follow the official code:
   * 'bicubic' at 2x (`wavemixsr/model.py`, the published 2x checkpoints), 'bilinear' at 3x and 4x
   * (`wavemixsr/train_div2k.py -x 3|4`).
   */
  interpolation?: SrInterpolation;
  /** WaveMixSR-V2 only: V2 blocks per 2x stage (official `blocks`, default 2); resolves to `depth`. */
  blocks?: number;
}

export interface ResolvedConfig {
  task: WaveMixTask;
  numClasses: number | null;
  depth: number;
  mult: number;
  ffChannel: number;
  finalDim: number;
  dropout: number;
  level: 1 | 2 | 3 | 4;
  initialConv: InitialConv | null;
  patchSize: number | null;
  stride: number | null;
  inChannels: number;
  inputSize: [number, number] | null;
  architecture: SegmentationArchitecture | null;
  decoderChannels: [number, number] | null;
  upsample: WaveMixUpsample;
  /** Super-resolution tasks: output size / input size; null otherwise. */
  scale: number | null;
  /** WaveMixSR and WaveMixSR-V2 (always 'bicubic'): how the input paths upsample; null otherwise. */
  interpolation: SrInterpolation | null;
}

type Field = Exclude<keyof WaveMixConfig, 'task'>;

const CLASSIFICATION_DEFAULTS = {
  numClasses: 1000,
  depth: 16,
  mult: 2,
  ffChannel: 192,
  finalDim: 192,
  dropout: 0.5,
  level: 3,
  initialConv: 'pachify',
  patchSize: 4,
  stride: 2,
} as const;

const SEMSEGMENT_DEFAULTS = {
  numClasses: 20,
  depth: 16,
  mult: 2,
  ffChannel: 256,
  finalDim: 256,
  dropout: 0,
  level: 4,
  stride: 2,
} as const;

/** The official constructor defaults of each task (and which fields the task takes at all). */
const DEFAULTS: Record<string, Partial<Record<Field, unknown>>> = {
  classification: { ...CLASSIFICATION_DEFAULTS, inChannels: 3 },
  'segmentation/semsegment': {
    ...SEMSEGMENT_DEFAULTS,
    inChannels: 3,
    architecture: 'semsegment',
    initialConv: 'strided',
  },
  'segmentation/classification-backbone': {
    ...CLASSIFICATION_DEFAULTS,
    numClasses: 20,
    inChannels: 3,
    architecture: 'classification-backbone',
    decoderChannels: [128, 64],
  },
  sisr: { depth: 4, mult: 2, ffChannel: 144, finalDim: 144, dropout: 0, level: 1, inChannels: 3 },
  'wavemix-sr': {
    depth: 4,
    mult: 1,
    ffChannel: 144,
    finalDim: 144,
    dropout: 0.3,
    level: 1,
    inChannels: 3,
    scale: 2,
    interpolation: undefined,
  },
  // WaveMixSRV2.py's constructor defaults, but finalDim 144 as in the paper and the file's own instance (its default is 16).
  'wavemix-sr-v2': { blocks: 2, mult: 1, finalDim: 144, dropout: 0.3, inChannels: 3, scale: 2 },
};

const ALL_FIELDS: readonly Field[] = [
  'numClasses',
  'depth',
  'mult',
  'ffChannel',
  'finalDim',
  'dropout',
  'level',
  'initialConv',
  'patchSize',
  'stride',
  'inChannels',
  'inputSize',
  'architecture',
  'decoderChannels',
  'scale',
  'interpolation',
  'blocks',
  'upsample',
];

const SNAKE_CASE: Record<string, Field> = {
  num_classes: 'numClasses',
  ff_channel: 'ffChannel',
  final_dim: 'finalDim',
  initial_conv: 'initialConv',
  patch_size: 'patchSize',
  in_channels: 'inChannels',
  input_size: 'inputSize',
  sr: 'scale',
};

function positiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new WaveMixArgumentError(argument, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills the task's official defaults and validates; throws `WaveMixArgumentError` naming the field and value. */
export function resolveConfig(config: WaveMixConfig): ResolvedConfig {
  if (config == null || typeof config !== 'object') {
    throw new WaveMixArgumentError('config', `expected an object with a task, got ${String(config)}`);
  }
  const { task } = config;
  if (!TASKS.includes(task)) {
    throw new WaveMixArgumentError('task', `must be one of ${TASKS.join(', ')}, got ${JSON.stringify(task)}`);
  }
  const architecture = config.architecture ?? (task === 'segmentation' ? 'semsegment' : undefined);
  if (task === 'segmentation' && architecture !== 'semsegment' && architecture !== 'classification-backbone') {
    throw new WaveMixArgumentError(
      'architecture',
      `must be 'semsegment' or 'classification-backbone', got ${JSON.stringify(architecture)}`,
    );
  }
  const defaults = DEFAULTS[task === 'segmentation' ? `segmentation/${architecture}` : task]!;
  for (const key of Object.keys(config)) {
    if (key === 'task' || config[key as Field] === undefined) continue;
    if (!ALL_FIELDS.includes(key as Field)) {
      const hint = SNAKE_CASE[key] ? ` (did you mean ${SNAKE_CASE[key]}? fields are camelCase)` : '';
      throw new WaveMixArgumentError(key, `is not a WaveMix config field${hint}`);
    }
    if (!(key in defaults) && key !== 'inputSize' && key !== 'upsample') {
      throw new WaveMixArgumentError(
        key,
        `does not apply to task '${task}'${architecture ? ` (${architecture})` : ''}`,
      );
    }
  }
  const pick = <T>(field: Field): T => (config[field] ?? defaults[field]) as T;

  const v2 = task === 'wavemix-sr-v2';
  const dims = {
    finalDim: pick<number>('finalDim'),
    mult: pick<number>('mult'),
    // The V2 feed-forward's second 1x1 conv feeds PixelShuffle(2), which needs 4c channels.
    ffChannel: v2 ? 4 * pick<number>('finalDim') : pick<number>('ffChannel'),
    dropout: pick<number>('dropout'),
  };
  const upsample = config.upsample ?? 'convtranspose';
  validateDims({ ...dims, upsample });
  const level = v2 ? 1 : pick<number>('level');
  validateLevel(level);
  validateUpsample({ ...dims, upsample }, level);
  const depth = v2 ? positiveInteger(pick('blocks'), 'blocks') : positiveInteger(pick('depth'), 'depth');
  const inChannels = positiveInteger(pick('inChannels'), 'inChannels');
  const srName = v2 ? 'WaveMixSR-V2' : 'WaveMixSR';
  if (YCBCR_TASKS.includes(task) && inChannels !== 3) {
    throw new WaveMixArgumentError(
      'inChannels',
      `${srName} takes YCbCr input, so exactly 3 channels, got ${inChannels}`,
    );
  }
  let scale: number | null = null;
  let interpolation: SrInterpolation | null = null;
  if (task === 'wavemix-sr' || v2) {
    scale = pick<number>('scale');
    if (!SR_SCALES[task].includes(scale)) {
      throw new WaveMixArgumentError(
        'scale',
        `${srName} supports ${SR_SCALES[task].join(', ')}, got ${JSON.stringify(scale)}`,
      );
    }
    interpolation = v2 ? 'bicubic' : (config.interpolation ?? (scale === 2 ? 'bicubic' : 'bilinear'));
    if (!UPSAMPLE_MODES.includes(interpolation)) {
      throw new WaveMixArgumentError(
        'interpolation',
        `must be 'bicubic' or 'bilinear', got ${JSON.stringify(interpolation)}`,
      );
    }
  }
  if (task === 'wavemix-sr' && level !== 1) {
    throw new WaveMixArgumentError('level', `WaveMixSR uses level-1 blocks only, got ${level}`);
  }
  const numClasses = 'numClasses' in defaults ? positiveInteger(pick('numClasses'), 'numClasses') : null;

  let initialConv: InitialConv | null = null;
  if ('initialConv' in defaults) {
    initialConv = pick<InitialConv>('initialConv');
    if (initialConv !== 'strided' && initialConv !== 'pachify') {
      throw new WaveMixArgumentError(
        'initialConv',
        `must be 'strided' or 'pachify' (the official spelling; its code silently treats anything else as 'pachify'), got ${JSON.stringify(initialConv)}`,
      );
    }
    if (architecture === 'semsegment' && initialConv !== 'strided') {
      throw new WaveMixArgumentError(
        'initialConv',
        `the SemSegment model has only the strided stem, got ${JSON.stringify(initialConv)}`,
      );
    }
  }
  const patchSize = 'patchSize' in defaults ? positiveInteger(pick('patchSize'), 'patchSize') : null;
  const stride = 'stride' in defaults ? positiveInteger(pick('stride'), 'stride') : null;

  let decoderChannels: [number, number] | null = null;
  if ('decoderChannels' in defaults) {
    const value = pick<readonly number[]>('decoderChannels');
    if (!Array.isArray(value) || value.length !== 2) {
      throw new WaveMixArgumentError(
        'decoderChannels',
        `expected [first, second] ConvTranspose widths, got ${JSON.stringify(value)}`,
      );
    }
    decoderChannels = [
      positiveInteger(value[0], 'decoderChannels[0]'),
      positiveInteger(value[1], 'decoderChannels[1]'),
    ];
  }

  const resolved: ResolvedConfig = {
    task,
    numClasses,
    depth,
    ...dims,
    level,
    initialConv,
    patchSize,
    stride,
    inChannels,
    inputSize: null,
    architecture: task === 'segmentation' ? architecture! : null,
    decoderChannels,
    scale,
    interpolation,
    upsample,
  };
  if (config.inputSize != null) {
    const size = config.inputSize;
    if (!Array.isArray(size) || size.length !== 2) {
      throw new WaveMixArgumentError('inputSize', `expected [height, width], got ${JSON.stringify(size)}`);
    }
    resolved.inputSize = [
      positiveInteger(size[0], 'inputSize[0] (height)'),
      positiveInteger(size[1], 'inputSize[1] (width)'),
    ];
    assertInputSize(resolved, resolved.inputSize);
  }
  return resolved;
}

/**
 * What an input side must be divisible by, and why: the stem's reduction times 2^level (each
 * wave block halves the size `level` times and its feed-forward units double it back).
 */
export function inputDivisor(config: ResolvedConfig): { divisor: number; reason: string } {
  const blocks = `2^${config.level} for level-${config.level} wave blocks`;
  const pyramid = 2 ** config.level;
  switch (config.task) {
    case 'wavemix-sr':
      if ((config.scale ?? 2) % 2 === 1) {
        // The official test scripts trim low-resolution images to even sizes for the same reason.
        return {
          divisor: 2,
          reason: `the level-1 blocks halve the ${config.scale}x upsampled size, which is even only for even inputs`,
        };
      }
      return {
        divisor: 1,
        reason: 'the input paths upsample by an even factor first, so the wave blocks always see even sizes',
      };
    case 'wavemix-sr-v2':
      return { divisor: 1, reason: 'every stage upsamples 2x first, so the wave blocks always see even sizes' };
    case 'sisr':
      return { divisor: pyramid, reason: blocks };
    default:
      if (config.initialConv === 'pachify') {
        const p = config.patchSize!;
        return { divisor: p * pyramid, reason: `patch size ${p} of the pachify stem x ${blocks}` };
      }
      {
        const s = config.stride!;
        return { divisor: s * s * pyramid, reason: `stride ${s} x stride ${s} of the strided stem x ${blocks}` };
      }
  }
}

/** Throws unless the stem and the wave blocks divide [height, width] exactly. */
export function assertInputSize(config: ResolvedConfig, [height, width]: readonly [number, number]): void {
  const { divisor, reason } = inputDivisor(config);
  for (const [axis, size] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(size) || size < 1 || size % divisor !== 0) {
      throw new WaveMixArgumentError(
        'inputSize',
        `${axis} ${size} is not divisible by ${divisor} (${reason}); the ${config.task} model cannot divide it`,
      );
    }
  }
}
