// (LR, HR) image pairs as a super-resolution dataset: the part the DIV2K and benchmark readers share.
import {
  DatasetArgumentError,
  DatasetFormatError,
  LazyDataset,
  Rng,
  type Example,
  type ImageShape,
  type LoadSpec,
} from '@wavemix/datasets';
import type { Normalization } from './descriptor';
import { findFirst, readBytes } from './files';
import { type DecodedImage, decodeImage, downscaleBicubic } from './image_codec';
import { cropImage } from './reader_helpers';

export interface ImagePair {
  hr: string;
  /**
   * Where the LR file may be (the first that exists at read time is used), or null to make LR by
   * bicubic downscaling of HR (sharp's cubic kernel, not MATLAB's imresize).
   */
  lr: readonly string[] | null;
}

export interface PairedImagesInit {
  name: string;
  split: string;
  pairs: readonly ImagePair[];
  scale: number;
  /** HR patch size (a multiple of scale) placed by the pipeline's per-example seed; undefined: whole images. */
  patchSize?: number;
  normalization: Normalization;
  concurrency?: number;
  loadSpec: LoadSpec;
}

export function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 2)
    throw new DatasetArgumentError('scale', `expected an integer >= 2, got ${scale}`);
}

/**
 * HR is cropped at the bottom and right to a multiple of the scale so LR and HR align exactly; an
 * LR file must then be HR / scale in both dimensions.
 */
export function pairedImageDataset(init: PairedImagesInit): LazyDataset {
  const { name, scale, pairs } = init;
  checkScale(scale);
  const patch = init.patchSize;
  if (patch !== undefined && (!Number.isInteger(patch) || patch < scale || patch % scale !== 0)) {
    throw new DatasetArgumentError('patchSize', `expected a positive multiple of the scale ${scale}, got ${patch}`);
  }
  const lrPatch = patch === undefined ? 0 : patch / scale;
  const imageShape: ImageShape | null = patch === undefined ? null : [lrPatch, lrPatch, 3];
  return new LazyDataset({
    name,
    split: init.split,
    task: 'super-resolution',
    size: pairs.length,
    imageShape,
    targetShape: patch === undefined ? null : [patch, patch, 3],
    numClasses: 0,
    classNames: [],
    mean: init.normalization.mean,
    std: init.normalization.std,
    scale,
    concurrency: init.concurrency ?? 2,
    loadSpec: init.loadSpec,
    async readExample(index, seed): Promise<Example> {
      const { hr: hrFile, lr: lrCandidates } = pairs[index]!;
      let hr = await decodeImage(readBytes(hrFile, name), hrFile, { channels: 3 });
      hr = cropImage(hr, 0, 0, hr.height - (hr.height % scale), hr.width - (hr.width % scale));
      if (hr.height === 0 || hr.width === 0)
        throw new DatasetFormatError(
          hrFile,
          16,
          `an image of at least ${scale} x ${scale}`,
          `${hr.width} x ${hr.height}`,
        );
      let lr: DecodedImage;
      if (lrCandidates) {
        const lrFile = findFirst(name, [...lrCandidates]);
        lr = await decodeImage(readBytes(lrFile, name), lrFile, { channels: 3 });
        if (lr.height !== hr.height / scale || lr.width !== hr.width / scale) {
          throw new DatasetFormatError(
            lrFile,
            16,
            `an LR image of ${hr.width / scale} x ${hr.height / scale} (HR / ${scale})`,
            `${lr.width} x ${lr.height}`,
          );
        }
      } else {
        lr = await downscaleBicubic(hr, scale);
      }
      if (patch !== undefined) {
        if (lr.height < lrPatch || lr.width < lrPatch)
          throw new DatasetFormatError(
            hrFile,
            16,
            `an image of at least ${patch} x ${patch}`,
            `${hr.width} x ${hr.height}`,
          );
        const rng = new Rng(seed);
        const y = rng.int(lr.height - lrPatch + 1);
        const x = rng.int(lr.width - lrPatch + 1);
        lr = cropImage(lr, y, x, lrPatch, lrPatch);
        hr = cropImage(hr, y * scale, x * scale, patch, patch);
      }
      return {
        image: lr.data,
        imageShape: [lr.height, lr.width, 3],
        target: hr.data,
        targetShape: [hr.height, hr.width, 3],
      };
    },
  });
}
