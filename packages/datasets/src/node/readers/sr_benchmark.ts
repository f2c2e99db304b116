// The super-resolution benchmark sets (Set5, Set14, BSD100, Urban100): whole (LR, HR) images for evaluation.
//
// Three layouts are found on their own (or chosen with `layout`), per scale s in 2, 3, 4:
// - 'gtmod12' (BasicSR / KAIR zips):         <set>/GTmod12/<name>.png       + <set>/LRbicx<s>/<name>.png
// - 'srf'     (SelfExSR, Huang et al. 2015): <set>/image_SRF_<s>/img_001_SRF_<s>_HR.png + ..._LR.png
// - 'edsr'    (EDSR's benchmark.tar):        <set>/HR/<name>.png            + <set>/LR_bicubic/X<s>/<name>x<s>.png
// Benchmark figures need the published LR images, so a missing LR file is an error (no bicubic fallback).
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { DatasetArgumentError, DatasetNotFoundError, type LazyDataset } from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { isDirectory } from '../files';
import { byCodePoint, checkSplit, listImages, requireDataDir } from '../reader_helpers';
import { checkScale, pairedImageDataset, type ImagePair } from '../sr_pairs';
import { DIV2K } from './div2k';

export const SR_BENCHMARK_LAYOUTS = ['gtmod12', 'srf', 'edsr'] as const;
export type SrBenchmarkLayout = (typeof SR_BENCHMARK_LAYOUTS)[number];

/** Folder names each set is distributed under (the first is the usual one). */
const SET_FOLDERS: Record<string, readonly string[]> = {
  set5: ['Set5', 'set5'],
  set14: ['Set14', 'set14'],
  bsd100: ['BSD100', 'B100', 'BSDS100', 'bsd100', 'b100'],
  urban100: ['Urban100', 'urban100'],
};

export interface SrBenchmarkOptions {
  /** The set's folder (e.g. `.../Set5`), or a folder containing it (`.../benchmark`). */
  dataDir: string;
  /** 'set5', 'set14', 'bsd100' or 'urban100' (set by the dataset name). */
  benchmark?: string;
  /** Only 'test': the sets are evaluation data. */
  split?: 'test';
  /** 2 (default), 3 or 4. */
  scale?: number;
  /** Default: the first of 'gtmod12', 'srf', 'edsr' whose HR folder exists. */
  layout?: SrBenchmarkLayout;
  concurrency?: number;
}

function setFolder(benchmark: string, dataDir: string): string {
  for (const name of SET_FOLDERS[benchmark]!) if (isDirectory(join(dataDir, name))) return join(dataDir, name);
  return dataDir;
}

function hrFolder(layout: SrBenchmarkLayout, setDir: string, scale: number): string {
  if (layout === 'gtmod12') return join(setDir, 'GTmod12');
  if (layout === 'srf') return join(setDir, `image_SRF_${scale}`);
  return join(setDir, 'HR');
}

function pairsOf(layout: SrBenchmarkLayout, setDir: string, scale: number): ImagePair[] {
  const hrDir = hrFolder(layout, setDir, scale);
  if (layout === 'srf') {
    const suffix = `_SRF_${scale}_HR.png`;
    return readdirSync(hrDir)
      .filter((f) => f.endsWith(suffix))
      .sort(byCodePoint)
      .map((f) => ({ hr: join(hrDir, f), lr: [join(hrDir, `${f.slice(0, -'HR.png'.length)}LR.png`)] }));
  }
  const lrDir = layout === 'gtmod12' ? join(setDir, `LRbicx${scale}`) : join(setDir, 'LR_bicubic', `X${scale}`);
  return listImages(hrDir).map((hr) => {
    const stem = basename(hr, extname(hr));
    return { hr, lr: layout === 'gtmod12' ? [join(lrDir, basename(hr))] : [join(lrDir, `${stem}x${scale}.png`)] };
  });
}

/** Whole (LR, HR) images of a benchmark set at one scale, for evaluation (batch size 1). */
export function loadSrBenchmark(options: SrBenchmarkOptions): LazyDataset {
  const benchmark = options?.benchmark ?? 'set5';
  if (!(benchmark in SET_FOLDERS))
    throw new DatasetArgumentError(
      'benchmark',
      `expected one of ${Object.keys(SET_FOLDERS).join(', ')}, got ${benchmark}`,
    );
  requireDataDir(benchmark, options.dataDir, `the ${SET_FOLDERS[benchmark]![0]} folder`);
  const split = checkSplit(benchmark, options.split, ['test'] as const);
  const scale = options.scale ?? 2;
  checkScale(scale);
  if (options.layout !== undefined && !SR_BENCHMARK_LAYOUTS.includes(options.layout)) {
    throw new DatasetArgumentError(
      'layout',
      `expected one of ${SR_BENCHMARK_LAYOUTS.join(', ')}, got ${String(options.layout)}`,
    );
  }
  const setDir = setFolder(benchmark, options.dataDir);
  const layouts = options.layout ? [options.layout] : SR_BENCHMARK_LAYOUTS;
  const layout = layouts.find((l) => isDirectory(hrFolder(l, setDir, scale)));
  if (!layout)
    throw new DatasetNotFoundError(
      benchmark,
      layouts.map((l) => hrFolder(l, setDir, scale)),
      'Set5/Set14/BSD100/Urban100 come as GTmod12 + LRbicx<s>, image_SRF_<s> or HR + LR_bicubic/X<s>.',
    );
  const pairs = pairsOf(layout, setDir, scale);
  if (pairs.length === 0)
    throw new DatasetNotFoundError(benchmark, [
      join(hrFolder(layout, setDir, scale), layout === 'srf' ? `*_SRF_${scale}_HR.png` : '*.png'),
    ]);
  return pairedImageDataset({
    name: benchmark,
    split,
    pairs,
    scale,
    normalization: DIV2K.normalization!,
    concurrency: options.concurrency,
    loadSpec: { name: benchmark, options: { ...options, benchmark } },
  });
}

const benchmarkFacts = {
  task: 'super-resolution',
  inputShape: null,
  splits: ['test'],
  heldOutSplit: 'test',
  // Models trained on DIV2K see these statistics; the pipeline does not normalise super-resolution data.
  normalization: DIV2K.normalization,
  classNames: [],
} as const;

const benchmark = (name: string) => (options: SrBenchmarkOptions) => loadSrBenchmark({ ...options, benchmark: name });

export const SET5 = defineDataset({ ...benchmarkFacts, name: 'set5', aliases: {}, load: benchmark('set5') });
export const SET14 = defineDataset({ ...benchmarkFacts, name: 'set14', aliases: {}, load: benchmark('set14') });
export const BSD100 = defineDataset({
  ...benchmarkFacts,
  name: 'bsd100',
  aliases: { b100: {} },
  load: benchmark('bsd100'),
});
export const URBAN100 = defineDataset({
  ...benchmarkFacts,
  name: 'urban100',
  aliases: {},
  load: benchmark('urban100'),
});
