// The shape of one row of the dataset table (`datasets.ts`): everything the loader, the trainer and
// the registry need to know about a dataset besides what its files say.
import type { Dataset, ImageShape, Task } from '@wavemix/datasets';

/** Options every reader takes: the folder of the original files and the split. */
export interface ReaderOptions {
  dataDir?: string;
  split?: string;
}

/** Per-channel mean and std of pixel values scaled to [0, 1]. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface DatasetDescriptor<Name extends string = string, Options extends object = ReaderOptions> {
  /** The name `loadDataset` and `wavemix-train --dataset` take. */
  readonly name: Name;
  /** Other names of the dataset and the reader options each one implies ('emnist-letters' -> { variant: 'letters' }). */
  readonly aliases: Readonly<Record<string, Partial<NoInfer<Options>>>>;
  readonly task: Task;
  /** `[H, W, C]` of the inputs with the default options; null where whole images vary in size. */
  readonly inputShape: ImageShape | null;
  /** Splits the reader accepts; the first is the default. */
  readonly splits: readonly string[];
  /** The split a trainer reports its final figures on ('test', or 'val' / 'valid' where that is its name). */
  readonly heldOutSplit: string;
  /** The statistics the reference training scripts use; null where the reader computes them from the images. */
  readonly normalization: Normalization | null;
  /** Class names in label order; null where the reader takes them from the dataset's files (or they vary). */
  readonly classNames: readonly string[] | null;
  /** The reader. It validates its own options (folder present, split known) with a typed error. */
  load(options: Options): Dataset | Promise<Dataset>;
}

/** A descriptor whose reader takes any options (what a lookup by a run-time name gives). */
export type AnyDatasetDescriptor = DatasetDescriptor<string, ReaderOptions & Record<string, unknown>>;

/** Declares one dataset; the name stays a literal type so `loadDataset` can type each dataset's options. */
export function defineDataset<const Name extends string, Options extends object>(
  descriptor: DatasetDescriptor<Name, Options>,
): DatasetDescriptor<Name, Options> {
  return descriptor;
}
