// DIV2K-style super-resolution folders: HR images and, optionally, LR images at x2, x3 or x4.
import { basename, extname, join } from 'node:path';
import { DatasetNotFoundError, type LazyDataset } from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { isDirectory } from '../files';
import { listImages, requireDataDir } from '../reader_helpers';
import { checkScale, pairedImageDataset } from '../sr_pairs';

export interface SuperResolutionOptions {
  /**
   * DIV2K layout: `dataDir/DIV2K_<split>_HR` and `dataDir/DIV2K_<split>_LR_bicubic/X<scale>`
   * (or, as the zip files unpack, `dataDir/DIV2K_<split>_LR_bicubic_X<scale>/DIV2K_<split>_LR_bicubic/X<scale>`).
   */
  dataDir?: string;
  split?: 'train' | 'valid';
  /** Or explicit folders: HR images, and optionally LR images named `<stem>x<scale>.png` (or `<stem>.png`). */
  hrDir?: string;
  lrDir?: string;
  /** 2 (default), 3 or 4 (any integer >= 2 works when LR is made from HR). */
  scale?: number;
  /**
   * HR patch size for training (a multiple of scale); the patch position is drawn from the
   * pipeline's per-example seed. Without it, whole images (batch size 1).
   */
  patchSize?: number;
  concurrency?: number;
  name?: string;
}

/** (LR, HR) pairs: LR from the LR folder, or made by bicubic downscaling of HR when there is none. */
export function loadSuperResolution(options: SuperResolutionOptions): LazyDataset {
  const scale = options.scale ?? 2;
  checkScale(scale);
  const split = options.split ?? 'train';
  const name = options.name ?? 'div2k';
  let hrDir = options.hrDir;
  let lrDir = options.lrDir;
  if (!hrDir) {
    requireDataDir(name, options.dataDir, 'the DIV2K folder, or hrDir');
    hrDir = join(options.dataDir!, `DIV2K_${split}_HR`);
    const lrFolders = [
      join(options.dataDir!, `DIV2K_${split}_LR_bicubic`, `X${scale}`),
      join(options.dataDir!, `DIV2K_${split}_LR_bicubic_X${scale}`, `DIV2K_${split}_LR_bicubic`, `X${scale}`),
    ];
    if (!lrDir) lrDir = lrFolders.find(isDirectory);
  }
  if (!isDirectory(hrDir)) throw new DatasetNotFoundError(name, [hrDir]);
  if (lrDir && !isDirectory(lrDir)) throw new DatasetNotFoundError(name, [lrDir]);
  const files = listImages(hrDir);
  if (files.length === 0) throw new DatasetNotFoundError(name, [join(hrDir, '*.png')]);
  const pairs = files.map((hr) => {
    const stem = basename(hr, extname(hr));
    return { hr, lr: lrDir ? [join(lrDir, `${stem}x${scale}.png`), join(lrDir, `${stem}.png`)] : null };
  });
  return pairedImageDataset({
    name,
    split,
    pairs,
    scale,
    patchSize: options.patchSize,
    normalization: DIV2K.normalization!,
    concurrency: options.concurrency,
    loadSpec: { name: 'div2k', options: { ...options } },
  });
}

export const DIV2K = defineDataset({
  name: 'div2k',
  aliases: { 'super-resolution': {} },
  task: 'super-resolution',
  // Whole images vary in size; with `patchSize` p the inputs are [p / scale, p / scale, 3].
  inputShape: null,
  splits: ['train', 'valid'] as const,
  heldOutSplit: 'valid',
  // DIV2K's RGB mean (EDSR's MeanShift); the pipeline does not normalise super-resolution data.
  normalization: { mean: [0.4488, 0.4371, 0.404], std: [1, 1, 1] },
  classNames: [],
  load: loadSuperResolution,
});
