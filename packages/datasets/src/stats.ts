import type { Dataset } from './dataset';
import { DatasetArgumentError } from './errors';
import { hashWords, permutation, STREAM } from './rng';

export interface MeanStdOptions {
  /** Use a seeded sample of at most this many examples (default: all). */
  maxExamples?: number;
  seed?: number;
  /** Examples read per call (default 256). */
  batchSize?: number;
}

/**
 * Per-channel mean and (population) standard deviation of pixel values scaled to [0, 1], over
 * all pixels of the dataset or of a seeded sample of it.
 */
export async function computeMeanStd(
  dataset: Dataset,
  options: MeanStdOptions = {},
): Promise<{ mean: number[]; std: number[] }> {
  const n = dataset.size;
  if (n === 0) throw new DatasetArgumentError('dataset', 'is empty');
  const count = Math.min(n, options.maxExamples ?? n);
  const chosen =
    count === n
      ? Int32Array.from({ length: n }, (_, i) => i)
      : permutation(n, hashWords(options.seed ?? 0, STREAM.sample))
          .slice(0, count)
          .sort();
  const batchSize = options.batchSize ?? 256;
  let sums: Float64Array | undefined;
  let squares: Float64Array | undefined;
  let pixels = 0;
  for (let start = 0; start < count; start += batchSize) {
    const batch = await dataset.read(chosen.subarray(start, Math.min(count, start + batchSize)));
    const c = batch.imageShape[2];
    sums ??= new Float64Array(c);
    squares ??= new Float64Array(c);
    // Integer histograms keep the sums exact and the loop cheap.
    const histogram = new Float64Array(256 * c);
    for (let i = 0; i < batch.images.length; i++) histogram[(i % c) * 256 + batch.images[i]!]! += 1;
    for (let k = 0; k < c; k++) {
      for (let v = 0; v < 256; v++) {
        const h = histogram[k * 256 + v]!;
        sums[k]! += h * v;
        squares[k]! += h * v * v;
      }
    }
    pixels += batch.images.length / c;
  }
  const mean = Array.from(sums!, (s) => s / pixels / 255);
  const std = Array.from(squares!, (s, k) => Math.sqrt(Math.max(0, s / pixels / (255 * 255) - mean[k]! * mean[k]!)));
  return { mean, std };
}
