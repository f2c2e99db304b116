import { gzipSync } from 'fflate';
import {
  cityscapesTrainIds,
  crc32,
  DatasetFormatError,
  encodeCifarBatch,
  encodeIdx,
  encodeStl10Images,
  encodeStl10Labels,
  gunzip,
  idxClassification,
  parseCifarBatch,
  parseEmnistMapping,
  parseIdx,
  parseLabelNames,
  parseStl10Images,
  parseStl10Labels,
  transposeImages,
} from '../index';

function formatError(fn: () => unknown): DatasetFormatError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatasetFormatError) return error;
    throw error;
  }
  throw new Error('expected a DatasetFormatError');
}

describe('IDX', () => {
  test('hand-made MNIST-style header and big-endian data', () => {
    // 00 00 08 03 | 2 | 2 | 3 | 12 bytes
    const bytes = Uint8Array.from([
      0,
      0,
      8,
      3,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      3,
      ...Array.from({ length: 12 }, (_, i) => i * 20),
    ]);
    const parsed = parseIdx(bytes);
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.shape).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
    // int16 and float32 are big-endian on disk.
    const int16 = parseIdx(Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]));
    expect(Array.from(int16.data)).toEqual([258, -2]);
    const f32 = parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]));
    expect(Array.from(f32.data)).toEqual([1.5]);
  });

  test('round trip for every dtype, plain and gzipped', () => {
    const cases = [
      { dtype: 'uint8', data: Uint8Array.from([0, 1, 255, 7, 8, 9]) },
      { dtype: 'int8', data: Int8Array.from([-128, 127, 0, 1, -1, 5]) },
      { dtype: 'int16', data: Int16Array.from([-32768, 32767, 0, 1, -1, 300]) },
      { dtype: 'int32', data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, 1, -1, 70000]) },
      { dtype: 'float32', data: Float32Array.from([0.5, -1.25, 3e38, 0, 1e-30, 7]) },
      { dtype: 'float64', data: Float64Array.from([Math.PI, -1e300, 0, 1, 2, 3]) },
    ] as const;
    for (const c of cases) {
      for (const gz of [false, true]) {
        const bytes = encodeIdx({ dtype: c.dtype, shape: [2, 3], data: c.data }, { gzip: gz });
        const back = parseIdx(bytes);
        expect(back.dtype).toBe(c.dtype);
        expect(back.shape).toEqual([2, 3]);
        expect(Array.from(back.data)).toEqual(Array.from(c.data));
      }
    }
  });

  test('errors name the file, the offset and what was expected', () => {
    const good = encodeIdx({ dtype: 'uint8', shape: [4, 2], data: new Uint8Array(8) });
    let e = formatError(() => parseIdx(good.subarray(0, 13), { file: 'x-idx' }));
    expect(e.file).toBe('x-idx');
    expect(e.offset).toBe(4); // the first dimension already needs more than the 1 data byte left
    expect(e.message).toMatch(/x-idx: at byte 4: expected dimensions that fit/);
    e = formatError(() => parseIdx(Uint8Array.from([0, 1, 8, 1, 0, 0, 0, 0])));
    expect([e.offset, e.expected]).toEqual([0, 'IDX magic starting 00 00']);
    e = formatError(() => parseIdx(Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 0])));
    expect(e.offset).toBe(2);
    e = formatError(() => parseIdx(Uint8Array.from([0, 0, 8, 0])));
    expect(e.offset).toBe(3);
    e = formatError(() => parseIdx(Uint8Array.from([...good, 1])));
    expect(e.offset).toBe(good.length);
    expect(e.found).toMatch(/1 trailing bytes/);
    // A forged dimension of 2^32 - 1 on a tiny file is refused before any allocation.
    e = formatError(() => parseIdx(Uint8Array.from([0, 0, 0x0e, 2, 255, 255, 255, 255, 255, 255, 255, 255, 1, 2, 3])));
    expect(e.offset).toBe(4);
  });

  test('gzip: corrupt data, wrong CRC, wrong length and truncation are format errors', () => {
    const raw = encodeIdx({ dtype: 'uint8', shape: [100], data: Uint8Array.from({ length: 100 }, (_, i) => i) });
    const gz = gzipSync(raw);
    const badCrc = gz.slice();
    badCrc[gz.length - 8]! ^= 1;
    let e = formatError(() => parseIdx(badCrc, { file: 'a.gz' }));
    expect([e.file, e.offset]).toEqual(['a.gz', gz.length - 8]);
    expect(e.expected).toMatch(/CRC-32/);
    const badSize = gz.slice();
    badSize[gz.length - 1]! ^= 1;
    e = formatError(() => parseIdx(badSize, { file: 'a.gz' }));
    expect(e.offset).toBe(gz.length - 4);
    e = formatError(() => parseIdx(gz.subarray(0, gz.length - 20), { file: 'a.gz' }));
    expect(e.file).toBe('a.gz');
    const badMethod = gz.slice();
    badMethod[2] = 7;
    expect(formatError(() => parseIdx(badMethod)).offset).toBe(2);
    const garbage = gz.slice();
    for (let i = 10; i < 20; i++) garbage[i] = 0xff;
    expect(formatError(() => parseIdx(garbage)).expected).toMatch(/deflate|CRC|size/);
    // A decompression cap stops output beyond it without trusting the trailer.
    e = formatError(() => gunzip(gz, 'capped.gz', 50));
    expect(e.expected).toMatch(/at most 50/);
    // Offsets inside the decompressed stream say so.
    const wrongType = gzipSync(Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 0]));
    expect(formatError(() => parseIdx(wrongType, { file: 'b.gz' })).file).toBe('b.gz (decompressed)');
  });

  test('crc32 of "123456789" is cbf43926', () => {
    expect(crc32(new TextEncoder().encode('123456789')).toString(16)).toBe('cbf43926');
  });

  test('idxClassification checks counts, dtypes and label range at the label byte', () => {
    const images = { dtype: 'uint8' as const, shape: [3, 2, 2], data: new Uint8Array(12) };
    const labels = { dtype: 'uint8' as const, shape: [3], data: Uint8Array.from([0, 9, 10]) };
    const e = formatError(() =>
      idxClassification(images, labels, { imagesFile: 'i', labelsFile: 'l', numClasses: 10 }),
    );
    expect([e.file, e.offset, e.found]).toEqual(['l', 10, '10']);
    expect(
      formatError(() =>
        idxClassification(
          images,
          { ...labels, shape: [2], data: labels.data.subarray(0, 2) },
          { imagesFile: 'i', labelsFile: 'l' },
        ),
      ).offset,
    ).toBe(4);
    const mapped = idxClassification(
      images,
      { ...labels, data: Uint8Array.from([1, 26, 3]) },
      { imagesFile: 'i', labelsFile: 'l', labelValues: Array.from({ length: 26 }, (_, i) => i + 1) },
    );
    expect(Array.from(mapped.labels)).toEqual([0, 25, 2]);
  });
});

describe('CIFAR binary', () => {
  const images = Uint8Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => (i * 7) % 256);

  test('planes R, G, B become HWC; labels and coarse labels', () => {
    const bytes10 = encodeCifarBatch({ images, labels: Int32Array.from([3, 9]) }, 10);
    expect(bytes10.length).toBe(2 * 3073);
    // Record 0: label byte, then the red plane: pixel (0, 1) red = images[3].
    expect(bytes10[0]).toBe(3);
    expect(bytes10[1 + 1]).toBe(images[3]);
    expect(bytes10[1 + 1024 + 1]).toBe(images[4]); // green plane
    const back = parseCifarBatch(bytes10, { variant: 10 });
    expect(back.count).toBe(2);
    expect(Array.from(back.labels)).toEqual([3, 9]);
    expect(back.images).toEqual(images);
    const bytes100 = encodeCifarBatch(
      { images, labels: Int32Array.from([99, 0]), coarseLabels: Int32Array.from([19, 4]) },
      100,
    );
    expect(bytes100.length).toBe(2 * 3074);
    const back100 = parseCifarBatch(bytes100, { variant: 100 });
    expect(Array.from(back100.labels)).toEqual([99, 0]);
    expect(Array.from(back100.coarseLabels!)).toEqual([19, 4]);
    expect(back100.images).toEqual(images);
  });

  test('errors: partial record, label out of range', () => {
    const bytes = encodeCifarBatch({ images, labels: Int32Array.from([3, 9]) }, 10);
    let e = formatError(() => parseCifarBatch(bytes.subarray(0, 5000), { variant: 10, file: 'data_batch_1.bin' }));
    expect([e.file, e.offset]).toEqual(['data_batch_1.bin', 3073]);
    const bad = bytes.slice();
    bad[3073] = 10;
    e = formatError(() => parseCifarBatch(bad, { variant: 10 }));
    expect([e.offset, e.found]).toEqual([3073, '10']);
    // A CIFAR-10 file read as CIFAR-100 does not divide into 3074-byte records.
    expect(formatError(() => parseCifarBatch(bytes, { variant: 100 })).expected).toMatch(/3074-byte/);
    expect(formatError(() => parseCifarBatch(new Uint8Array(0), { variant: 10 })).offset).toBe(0);
  });

  test('label names: one per line, count checked', () => {
    expect(parseLabelNames('airplane\nautomobile\n\n')).toEqual(['airplane', 'automobile']);
    expect(formatError(() => parseLabelNames('a\nb\n', { expected: 3, file: 'batches.meta.txt' })).file).toBe(
      'batches.meta.txt',
    );
    expect(formatError(() => parseLabelNames(Uint8Array.from([0x61, 0xff, 0x0a]))).offset).toBe(1);
  });
});

describe('STL-10 binary', () => {
  test('column-major planes; labels 1..10 become 0..9', () => {
    const images = Uint8Array.from({ length: 96 * 96 * 3 }, (_, i) => (i * 13) % 251);
    const bytes = encodeStl10Images(images);
    // Column-major: the second stored byte of the red plane is pixel (row 1, column 0).
    expect(bytes[1]).toBe(images[96 * 3]);
    expect(parseStl10Images(bytes).images).toEqual(images);
    expect(Array.from(parseStl10Labels(encodeStl10Labels([0, 9, 4])))).toEqual([0, 9, 4]);
    const e = formatError(() => parseStl10Labels(Uint8Array.from([1, 0, 3]), { file: 'train_y.bin' }));
    expect([e.file, e.offset, e.found]).toEqual(['train_y.bin', 1, '0']);
    expect(formatError(() => parseStl10Labels(Uint8Array.from([1, 2]), { count: 3 })).offset).toBe(2);
    expect(formatError(() => parseStl10Images(bytes.subarray(1))).offset).toBe(0);
  });
});

describe('EMNIST', () => {
  test('mapping files give label values and names', () => {
    const letters = parseEmnistMapping('1 65 97\n2 66 98\n26 90 122\n');
    expect(letters.labels).toEqual([1, 2, 26]);
    expect(letters.names).toEqual(['A/a', 'B/b', 'Z/z']);
    const balanced = parseEmnistMapping('0 48\n1 49\n10 65\n');
    expect(balanced.names).toEqual(['0', '1', 'A']);
    const e = formatError(() => parseEmnistMapping('0 48\nx y\n', { file: 'emnist-digits-mapping.txt' }));
    expect([e.file, e.offset]).toEqual(['emnist-digits-mapping.txt', 5]);
    expect(formatError(() => parseEmnistMapping('0 48\n0 49\n')).found).toBe('a duplicate');
  });

  test('transpose', () => {
    expect(Array.from(transposeImages(Uint8Array.from([1, 2, 3, 4, 5, 6]), 1, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

test('Cityscapes labelIds map to the 19 train ids, everything else 255', () => {
  const ids = Uint8Array.from([0, 6, 7, 8, 9, 11, 26, 33, 34, 255]);
  expect(Array.from(cityscapesTrainIds(ids))).toEqual([255, 255, 0, 1, 255, 2, 13, 18, 255, 255]);
});
