import { SubsetDataset, type Dataset } from './dataset';
import { DatasetArgumentError } from './errors';
import { hashWords, permutation, STREAM } from './rng';

export interface SplitOptions {
  /** Fraction of examples that go to validation (0 < f < 1). */
  validationFraction: number;
  seed?: number;
}

/**
 * A seeded split of `0..n-1`: `round(n * validationFraction)` indices, drawn by a seeded
 * permutation, go to validation, the rest to train. Each part is sorted ascending (reading in
 * file order is faster; shuffling is the pipeline's job). The same (n, fraction, seed) always
 * gives the same split.
 */
export function splitIndices(n: number, options: SplitOptions): { train: Int32Array; validation: Int32Array } {
  const f = options.validationFraction;
  if (!(f > 0 && f < 1)) throw new DatasetArgumentError('validationFraction', `expected a number in (0, 1), got ${f}`);
  const order = permutation(n, hashWords(options.seed ?? 0, STREAM.split, n));
  const validationCount = Math.round(n * f);
  const validation = order.slice(0, validationCount).sort();
  const train = order.slice(validationCount).sort();
  return { train, validation };
}

/** Splits a dataset into seeded train and validation views (see {@link splitIndices}). */
export function splitDataset(
  dataset: Dataset,
  options: SplitOptions,
): { train: SubsetDataset; validation: SubsetDataset } {
  const { train, validation } = splitIndices(dataset.size, options);
  return {
    train: new SubsetDataset(dataset, train, 'train'),
    validation: new SubsetDataset(dataset, validation, 'validation'),
  };
}

/** The first `limit` examples of a dataset (or the dataset itself when it is not larger). */
export function limitDataset(dataset: Dataset, limit: number): Dataset {
  if (!Number.isInteger(limit) || limit < 1)
    throw new DatasetArgumentError('limit', `expected a positive integer, got ${limit}`);
  if (limit >= dataset.size) return dataset;
  return new SubsetDataset(
    dataset,
    Int32Array.from({ length: limit }, (_, i) => i),
  );
}
