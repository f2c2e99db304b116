// Turning raw examples into model-ready arrays: augmentation and normalisation. Pure functions of
// (dataset, config, request), with no tfjs, so a worker thread can run them.
import { cropWithPadding, drawCropOffsets, horizontalFlip, normalizeInto } from '../augment/basic';
import type { ImageU8 } from '../augment/image';
import { trivialAugmentWide } from '../augment/trivial_augment';
import type { Dataset, DatasetInfo, ExampleBatch } from '../dataset';
import { DatasetArgumentError } from '../errors';
import { Rng } from '../rng';

export interface AugmentOptions {
  /**
   * Random crop after zero padding (torchvision `RandomCrop(size, padding)`): `padding` pixels on
   * every side, then a `size` crop (default: the image size) at a uniform random position.
   * Segmentation targets are cropped with the image and padded with the ignore index.
   */
  randomCrop?: { padding?: number; size?: readonly [number, number] };
  /** Mirror left to right with this probability (`true` = 0.5). Applied to targets too. */
  horizontalFlip?: boolean | number;
  /** TrivialAugmentWide (classification only), after crop and flip. */
  trivialAugment?: boolean | { numMagnitudeBins?: number };
}

/** Augmentation with defaults filled in; plain data so it can be posted to a worker. */
export interface ResolvedAugment {
  crop: { padding: number; height: number; width: number } | null;
  flipProbability: number;
  trivialAugment: { numMagnitudeBins: number } | null;
}

export interface PrepareConfig {
  task: DatasetInfo['task'];
  augment: ResolvedAugment | null;
  /** Per-channel statistics; null leaves values as `pixel / 255`. */
  normalize: { mean: number[]; std: number[] } | null;
  ignoreIndex: number;
  numClasses: number;
  name: string;
}

export interface BatchRequest {
  id: number;
  /** Dataset indices, in batch order. */
  indices: Int32Array;
  /** Per-example seeds of the augmentation. */
  augmentSeeds: Uint32Array;
  /** Per-example seeds passed to the reader (SR patch positions). */
  readSeeds: Uint32Array;
}

export interface PreparedBatch {
  id: number;
  indices: Int32Array;
  /** `[n, H, W, C]` float32. */
  x: Float32Array;
  xShape: [number, number, number, number];
  /** Class ids `[n]`, class-id maps `[n, H, W]` (int32) or HR images `[n, H', W', C]` (float32). */
  y: Int32Array | Float32Array;
  yShape: number[];
}

export function resolveAugment(augment: AugmentOptions | false | undefined, info: DatasetInfo): ResolvedAugment | null {
  if (!augment) return null;
  let crop: ResolvedAugment['crop'] = null;
  if (augment.randomCrop) {
    const padding = augment.randomCrop.padding ?? 0;
    const size = augment.randomCrop.size ?? (info.imageShape ? [info.imageShape[0], info.imageShape[1]] : undefined);
    if (!size)
      throw new DatasetArgumentError('augment.randomCrop.size', `${info.name} images vary in size; give a crop size`);
    if (!Number.isInteger(padding) || padding < 0)
      throw new DatasetArgumentError('augment.randomCrop.padding', `expected a non-negative integer, got ${padding}`);
    if (info.task === 'super-resolution')
      throw new DatasetArgumentError(
        'augment.randomCrop',
        'super-resolution patches are cropped by the reader (patchSize)',
      );
    crop = { padding, height: size[0], width: size[1] };
  }
  const flip =
    augment.horizontalFlip === true
      ? 0.5
      : augment.horizontalFlip === false || augment.horizontalFlip === undefined
        ? 0
        : augment.horizontalFlip;
  if (!(flip >= 0 && flip <= 1))
    throw new DatasetArgumentError('augment.horizontalFlip', `expected a probability, got ${flip}`);
  let trivialAugment: ResolvedAugment['trivialAugment'] = null;
  if (augment.trivialAugment) {
    if (info.task !== 'classification') {
      throw new DatasetArgumentError(
        'augment.trivialAugment',
        `TrivialAugmentWide moves pixels without its target; it is for classification, not ${info.task}`,
      );
    }
    const bins = typeof augment.trivialAugment === 'object' ? (augment.trivialAugment.numMagnitudeBins ?? 31) : 31;
    if (!Number.isInteger(bins) || bins < 2)
      throw new DatasetArgumentError(
        'augment.trivialAugment.numMagnitudeBins',
        `expected an integer >= 2, got ${bins}`,
      );
    trivialAugment = { numMagnitudeBins: bins };
  }
  return { crop, flipProbability: flip, trivialAugment };
}

/** Reads, augments and normalises one batch. */
export async function prepareBatch(
  dataset: Dataset,
  config: PrepareConfig,
  request: BatchRequest,
): Promise<PreparedBatch> {
  const raw = await dataset.read(request.indices, request.readSeeds);
  return prepareExamples(raw, config, request);
}

export function prepareExamples(raw: ExampleBatch, config: PrepareConfig, request: BatchRequest): PreparedBatch {
  const n = request.indices.length;
  const [h, w, c] = raw.imageShape;
  const augment = config.augment;
  const outH = augment?.crop?.height ?? h;
  const outW = augment?.crop?.width ?? w;
  const perIn = h * w * c;
  const perOut = outH * outW * c;
  const x = new Float32Array(n * perOut);
  const task = config.task;
  const targetShape = raw.targetShape ?? [];
  const perTarget = targetShape.reduce((a, b) => a * b, 1);
  let y: Int32Array | Float32Array;
  let yShape: number[];
  if (task === 'classification') {
    if (!raw.labels) throw new DatasetArgumentError('dataset', `${config.name} returned no labels`);
    y = Int32Array.from(raw.labels);
    yShape = [n];
  } else if (task === 'segmentation') {
    y = new Int32Array(n * outH * outW);
    yShape = [n, outH, outW];
  } else {
    y = new Float32Array(n * perTarget);
    yShape = [n, ...targetShape];
  }
  for (let i = 0; i < n; i++) {
    let image: ImageU8 = { data: raw.images.subarray(i * perIn, (i + 1) * perIn), height: h, width: w, channels: c };
    let target: ImageU8 | null = null;
    if (task !== 'classification') {
      if (!raw.targets) throw new DatasetArgumentError('dataset', `${config.name} returned no targets`);
      const [th, tw, tc] =
        task === 'segmentation'
          ? [targetShape[0]!, targetShape[1]!, 1]
          : [targetShape[0]!, targetShape[1]!, targetShape[2]!];
      target = { data: raw.targets.subarray(i * perTarget, (i + 1) * perTarget), height: th, width: tw, channels: tc };
    }
    if (augment) {
      const rng = new Rng(request.augmentSeeds[i]!);
      if (augment.crop) {
        const { padding, height, width } = augment.crop;
        const [top, left] = drawCropOffsets(rng, h, w, height, width, padding);
        image = cropWithPadding(image, top, left, height, width, padding, 0);
        if (target && task === 'segmentation')
          target = cropWithPadding(target, top, left, height, width, padding, config.ignoreIndex);
      }
      if (augment.flipProbability > 0 && rng.uniform() < augment.flipProbability) {
        image = horizontalFlip(image);
        if (target) target = horizontalFlip(target);
      }
      if (augment.trivialAugment) image = trivialAugmentWide(image, rng, augment.trivialAugment);
    }
    normalizeInto(image, x, i * perOut, config.normalize?.mean, config.normalize?.std);
    if (target && task === 'segmentation') {
      const out = y as Int32Array;
      const base = i * outH * outW;
      for (let p = 0; p < target.data.length; p++) out[base + p] = target.data[p]!;
    } else if (target) {
      normalizeInto(target, y as Float32Array, i * perTarget, config.normalize?.mean, config.normalize?.std);
    }
  }
  if (task !== 'super-resolution') {
    // A caller's own dataset may hand us class ids nobody range-checked.
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (!(v >= 0 && v < config.numClasses) && !(task === 'segmentation' && v === config.ignoreIndex)) {
        const example = request.indices[task === 'classification' ? i : Math.floor(i / (outH * outW))]!;
        throw new DatasetArgumentError(
          'labels',
          `${config.name} example ${example} has class id ${v}, outside 0..${config.numClasses - 1}`,
        );
      }
    }
  }
  return { id: request.id, indices: request.indices, x, xShape: [n, outH, outW, c], y, yShape };
}
