// The dataset table: every dataset `loadDataset` opens, with the facts the trainer and the registry
// read. Adding a dataset: a reader in readers/ exporting its descriptor, one line here, a test.
import { DatasetArgumentError } from '@wavemix/datasets';
import type { AnyDatasetDescriptor } from './descriptor';
import { CIFAR10, CIFAR100 } from './readers/cifar';
import { CITYSCAPES } from './readers/cityscapes';
import { DIV2K } from './readers/div2k';
import { EMNIST } from './readers/emnist';
import { GALAXY10 } from './readers/galaxy10';
import { IMAGE_FOLDER, IMAGENET, INATURALIST } from './readers/image_folder';
import { FASHION_MNIST, MNIST } from './readers/mnist';
import { PLACES365 } from './readers/places365';
import { BSD100, SET5, SET14, URBAN100 } from './readers/sr_benchmark';
import { STL10 } from './readers/stl10';
import { TINY_IMAGENET } from './readers/tiny_imagenet';

export const DATASETS = [
  MNIST,
  FASHION_MNIST,
  EMNIST,
  CIFAR10,
  CIFAR100,
  STL10,
  GALAXY10,
  CITYSCAPES,
  IMAGE_FOLDER,
  IMAGENET,
  INATURALIST,
  PLACES365,
  TINY_IMAGENET,
  DIV2K,
  SET5,
  SET14,
  BSD100,
  URBAN100,
] as const;

export type DatasetDescriptors = (typeof DATASETS)[number];
/** Every name `loadDataset` takes as a literal type (aliases such as 'emnist-letters' aside). */
export type DatasetName = DatasetDescriptors['name'];
/** The reader options of a dataset, by name. */
export type DatasetOptions<N extends DatasetName> = Parameters<Extract<DatasetDescriptors, { name: N }>['load']>[0];

/** The descriptor a name or alias refers to, with the reader options the alias implies. */
export function findDataset(
  name: string,
): { descriptor: AnyDatasetDescriptor; aliasOptions: Record<string, unknown> } | undefined {
  // A name known only at run time cannot pick a reader's option type: each reader checks its options.
  for (const descriptor of DATASETS as readonly unknown[] as readonly AnyDatasetDescriptor[]) {
    if (descriptor.name === name) return { descriptor, aliasOptions: {} };
    const implied = Object.hasOwn(descriptor.aliases, name) ? descriptor.aliases[name] : undefined;
    if (implied) return { descriptor, aliasOptions: { ...implied } };
  }
  return undefined;
}

/** The descriptor of a name or alias, or a {@link DatasetArgumentError} listing the known names. */
export function datasetDescriptor(name: string): AnyDatasetDescriptor {
  const found = findDataset(name);
  if (!found) throw new DatasetArgumentError('name', `unknown dataset '${name}'; known: ${datasetNames().join(', ')}`);
  return found.descriptor;
}

/** Every name and alias, in table order. */
export function datasetNames(): string[] {
  return DATASETS.flatMap((d) => [d.name, ...Object.keys(d.aliases)]);
}
