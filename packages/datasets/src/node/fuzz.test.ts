// Mutated and truncated files of every format, fed to every reader: each result must be a
// consistent parse or a DatasetFormatError, never a crash, a hang or a huge allocation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CITYSCAPES_LABEL_TO_TRAIN_ID,
  crc32,
  DatasetFormatError,
  encodeCifarBatch,
  encodeIdx,
  encodePng,
  encodeStl10Images,
  encodeStl10Labels,
  parseCifarBatch,
  parseEmnistMapping,
  parseIdx,
  parseLabelNames,
  parseStl10Images,
  parseStl10Labels,
  Rng,
} from '@wavemix/datasets';
import {
  decodeImage,
  loadCityscapes,
  loadDataset,
  loadGalaxy10,
  loadTinyImagenet,
  nodeGunzip,
  sharedHdf5Worker,
} from '@wavemix/datasets/node';
import { loadSharp } from './image_codec';
import * as fx from './testing/fixtures';

const CASES = 1000;
const MAX_CASE_MS = 5000;

/** Seeded mutations: truncation, byte flips, forged 32-bit fields, insertions and deletions. */
function mutate(source: Uint8Array, rng: Rng, headerBytes = 64): Uint8Array {
  const kind = rng.int(5);
  if (kind === 0) return source.slice(0, rng.int(source.length));
  const bytes = source.slice();
  if (kind === 1) {
    for (let i = 1 + rng.int(8); i > 0; i--) bytes[rng.int(bytes.length)] = rng.int(256);
    return bytes;
  }
  if (kind === 2) {
    const at = rng.int(Math.max(1, Math.min(headerBytes, bytes.length - 4)));
    const forged = [0xffffffff, 0x7fffffff, 0x10000000, 0, 1, rng.nextUint32()][rng.int(6)]!;
    for (let k = 0; k < 4 && at + k < bytes.length; k++)
      bytes[at + k] = (forged >>> (8 * (rng.int(2) ? k : 3 - k))) & 0xff;
    return bytes;
  }
  if (kind === 3) {
    for (let i = 1 + rng.int(3); i > 0; i--) bytes[rng.int(Math.min(headerBytes, bytes.length))] = rng.int(256);
    return bytes;
  }
  const at = rng.int(bytes.length);
  const count = 1 + rng.int(16);
  return rng.int(2)
    ? Uint8Array.from([...bytes.subarray(0, at), ...fx.bytes(count, rng.nextUint32()), ...bytes.subarray(at)])
    : Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + count)]);
}

/** Recomputes the CRC of every complete PNG chunk, so mutations reach the decoder itself. */
function repairPngCrcs(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let offset = 8; offset + 12 <= out.length; ) {
    const length = view.getUint32(offset);
    if (length > out.length - offset - 12) break;
    view.setUint32(offset + 8 + length, crc32(out.subarray(offset + 4, offset + 8 + length)));
    offset += 12 + length;
  }
  return out;
}

interface Tally {
  parsed: number;
  rejected: number;
  maxMs: number;
  maxArrayBuffersMB: number;
}

async function fuzz(
  name: string,
  source: Uint8Array,
  read: (bytes: Uint8Array, k: number) => Promise<void> | void,
  seed: number,
  headerBytes?: number,
): Promise<Tally> {
  const rng = new Rng(seed);
  const tally: Tally = { parsed: 0, rejected: 0, maxMs: 0, maxArrayBuffersMB: 0 };
  const base = process.memoryUsage().arrayBuffers;
  for (let k = 0; k < CASES; k++) {
    const bytes = mutate(source, rng, headerBytes);
    const start = performance.now();
    try {
      await read(bytes, k);
      tally.parsed++;
    } catch (error) {
      if (!(error instanceof DatasetFormatError)) {
        throw new Error(`${name} case ${k}: ${(error as Error).name}: ${(error as Error).message}`);
      }
      tally.rejected++;
    }
    const ms = performance.now() - start;
    tally.maxMs = Math.max(tally.maxMs, ms);
    if (k % 50 === 0)
      tally.maxArrayBuffersMB = Math.max(
        tally.maxArrayBuffersMB,
        (process.memoryUsage().arrayBuffers - base) / 2 ** 20,
      );
  }
  expect(tally.parsed + tally.rejected).toBe(CASES);
  expect(tally.rejected).toBeGreaterThan(0);
  expect(tally.maxMs).toBeLessThan(MAX_CASE_MS);
  expect(tally.maxArrayBuffersMB).toBeLessThan(256);
  console.log(
    `${name}: ${tally.parsed} consistent parses, ${tally.rejected} DatasetFormatErrors, slowest case ${tally.maxMs.toFixed(1)} ms`,
  );
  return tally;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wavemix-fuzz-'));
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await sharedHdf5Worker().terminate();
});

const idx = encodeIdx({ dtype: 'uint8', shape: [6, 5, 4], data: fx.bytes(120, 1) });

function checkIdx(bytes: Uint8Array, gunzip?: typeof nodeGunzip) {
  const parsed = parseIdx(bytes, gunzip ? { gunzip } : {});
  expect(parsed.data.length).toBe(parsed.shape.reduce((a, b) => a * b, 1));
}

test('IDX', () => fuzz('IDX', idx, (b) => checkIdx(b), 1, 24));
test('IDX, gzipped (fflate and zlib)', async () => {
  const gz = encodeIdx({ dtype: 'int16', shape: [30, 7], data: Int16Array.from(fx.bytes(210, 2)) }, { gzip: true });
  await fuzz('IDX.gz (fflate)', gz, (b) => checkIdx(b), 2);
  await fuzz('IDX.gz (zlib)', gz, (b) => checkIdx(b, nodeGunzip), 3);
});

test('CIFAR-10 and CIFAR-100 binary', async () => {
  const images = fx.bytes(3 * 3072, 4);
  for (const variant of [10, 100] as const) {
    const source = encodeCifarBatch(
      { images, labels: Int32Array.of(1, 2, 9), coarseLabels: Int32Array.of(0, 5, 19) },
      variant,
    );
    await fuzz(
      `CIFAR-${variant}`,
      source,
      (b) => {
        const batch = parseCifarBatch(b, { variant });
        expect(batch.images.length).toBe(batch.count * 3072);
        for (const l of batch.labels) expect(l).toBeLessThan(variant);
      },
      5 + variant,
    );
  }
});

test('STL-10 images and labels', async () => {
  await fuzz(
    'STL-10 X',
    encodeStl10Images(fx.bytes(2 * 27648, 6)),
    (b) => {
      const { images, count } = parseStl10Images(b);
      expect(images.length).toBe(count * 27648);
    },
    7,
  );
  await fuzz(
    'STL-10 y',
    encodeStl10Labels([0, 3, 9, 4, 1, 2, 7]),
    (b) => {
      for (const l of parseStl10Labels(b)) expect(l >= 0 && l <= 9).toBe(true);
    },
    8,
    7,
  );
});

test('text files: EMNIST mapping and label names', async () => {
  const mapping = new TextEncoder().encode(
    Array.from({ length: 12 }, (_, i) => `${i + 1} ${65 + i} ${97 + i}`).join('\n'),
  );
  await fuzz(
    'EMNIST mapping',
    mapping,
    (b) => {
      const m = parseEmnistMapping(b);
      expect(m.names).toHaveLength(m.labels.length);
      expect([...m.labels].sort((x, y) => x - y)).toEqual(m.labels);
    },
    9,
  );
  const names = new TextEncoder().encode('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
  await fuzz('label names', names, (b) => expect(parseLabelNames(b, { expected: 10 })).toHaveLength(10), 10);
});

test('PNG and JPEG (sharp)', async () => {
  const pixels = fx.bytes(9 * 7 * 3, 11);
  const png = encodePng(pixels, { width: 7, height: 9, channels: 3 });
  await fuzz(
    'PNG',
    png,
    async (b, k) => {
      // Half the cases keep valid chunk CRCs so the damage reaches zlib and sharp.
      const image = await decodeImage(k % 2 ? repairPngCrcs(b) : b, 'x.png');
      expect(image.data.length).toBe(image.width * image.height * 3);
    },
    12,
  );
  const jpeg = new Uint8Array(
    await loadSharp()(pixels, { raw: { width: 7, height: 9, channels: 3 } })
      .jpeg()
      .toBuffer(),
  );
  await fuzz(
    'JPEG',
    jpeg,
    async (b) => {
      const image = await decodeImage(b, 'x.jpg');
      expect(image.data.length).toBe(image.width * image.height * 3);
    },
    13,
    200,
  );
});

test('Galaxy10 HDF5 (h5wasm)', async () => {
  const path = join(root, 'g.h5');
  await fx.writeGalaxy(path, 5, 4, 'gzip', ['earliest', 'latest']);
  const source = new Uint8Array(readFileSync(path));
  await fuzz(
    'Galaxy10 .h5',
    source,
    async (b, k) => {
      const file = join(root, `g${k}.h5`);
      writeFileSync(file, b);
      try {
        const ds = await loadGalaxy10({ path: file, split: 'all', mean: [0, 0, 0], std: [1, 1, 1] });
        const batch = await ds.read(Array.from({ length: ds.size }, (_, i) => i));
        expect(batch.images.length).toBe(ds.size * 4 * 4 * 3);
        for (const l of batch.labels!) expect(l >= 0 && l <= 9).toBe(true);
        await ds.close();
      } finally {
        rmSync(file, { force: true });
      }
    },
    14,
    source.length,
  );
}, 120_000);

test('Cityscapes label maps and Tiny ImageNet annotations (through their readers)', async () => {
  const dir = join(root, 'cityscapes');
  fx.writeCityscapes(dir, 'val', 6, 8);
  const labelFile = join(dir, 'gtFine', 'val', 'aachen', 'aachen_000000_000019_gtFine_labelIds.png');
  const cityscapes = loadCityscapes({ dataDir: dir, split: 'val', imageSize: [6, 8] });
  const trainIds = new Set(CITYSCAPES_LABEL_TO_TRAIN_ID);
  await fuzz(
    'Cityscapes labelIds PNG',
    new Uint8Array(readFileSync(labelFile)),
    async (b, k) => {
      writeFileSync(labelFile, k % 2 ? repairPngCrcs(b) : b);
      const batch = await cityscapes.read([0]);
      for (const v of batch.targets!) expect(trainIds.has(v)).toBe(true);
    },
    15,
  );
  const tiny = join(root, 'tiny');
  fx.writeTinyImagenet(tiny);
  const annotations = join(tiny, 'val', 'val_annotations.txt');
  await fuzz(
    'Tiny ImageNet val_annotations.txt',
    new Uint8Array(readFileSync(annotations)),
    (b) => {
      writeFileSync(annotations, b);
      const ds = loadTinyImagenet({ dataDir: tiny, split: 'val' });
      expect(ds.size).toBeGreaterThan(0);
      expect(ds.size).toBeLessThanOrEqual(3);
    },
    16,
  );
}, 120_000);

test('super-resolution pairs: a Set5 LR image (SRF layout, x3) and a DIV2K x4 LR image (through their readers)', async () => {
  // A mutated LR file must decode to exactly HR / scale or be refused; the HR side stays intact.
  const set5 = join(root, 'Set5');
  fx.writeSrBenchmark(set5, 'srf', 3);
  const benchmark = await loadDataset('set5', { dataDir: set5, scale: 3 });
  const lrFile = join(set5, 'image_SRF_3', 'img_001_SRF_3_LR.png');
  await fuzz(
    'Set5 x3 LR PNG',
    new Uint8Array(readFileSync(lrFile)),
    async (b, k) => {
      writeFileSync(lrFile, k % 2 ? repairPngCrcs(b) : b);
      const pair = await benchmark.read([0]);
      expect([pair.imageShape, pair.targetShape]).toEqual([
        [8, 12, 3],
        [24, 36, 3],
      ]);
    },
    17,
  );
  const div2k = join(root, 'div2k');
  fx.writeDiv2k(div2k, true, 4);
  const patches = await loadDataset('div2k', { dataDir: div2k, scale: 4, patchSize: 8 });
  const div2kLr = join(div2k, 'DIV2K_train_LR_bicubic', 'X4', '0002x4.png');
  await fuzz(
    'DIV2K x4 LR PNG',
    new Uint8Array(readFileSync(div2kLr)),
    async (b, k) => {
      writeFileSync(div2kLr, k % 2 ? repairPngCrcs(b) : b);
      const batch = await patches.read([1], Uint32Array.of(k));
      expect([batch.images.length, batch.targets!.length]).toEqual([2 * 2 * 3, 8 * 8 * 3]);
    },
    18,
  );
}, 120_000);

test('a forged PNG size is refused before decoding', async () => {
  const png = encodePng(fx.bytes(16 * 3, 1), { width: 4, height: 4, channels: 3 });
  const view = new DataView(png.buffer);
  view.setUint32(16, 60000);
  view.setUint32(20, 2000);
  view.setUint32(29, crc32(png.subarray(12, 29)));
  const error = await decodeImage(png, 'forged.png').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatasetFormatError);
  expect(error).toMatchObject({ file: 'forged.png', offset: 16 });
  expect((error as Error).message).toMatch(/IDAT data can hold, found 60000 x 2000/);
});
