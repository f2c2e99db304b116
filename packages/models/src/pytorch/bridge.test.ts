import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as path from 'node:path';
import { readSafetensors, toFloat32, writeSafetensors, type SafetensorsInput } from '@wavemix/core';
import { createModel } from '../create_model';
import { WaveMixFormatError, WaveMixPickleError, WaveMixStateDictError, WaveMixZipError } from '../errors';
import { modelFixtures, readBytes } from '../testing/fixtures';
import { exportPyTorchWeights, exportPyTorchWeightsAsync, loadPyTorchWeights, transposeData } from './bridge';
import { readStateDict } from './state_dict';
import { crc32 } from './zip';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixtures = modelFixtures();
const segment = fixtures.find((f) => f.name === 'segment_l2_s2')!;
const lite = fixtures.find((f) => f.name === 'wavemix_lite_l1_strided_s1')!;
const testFixture = (name: string) => path.resolve(__dirname, '../../test-fixtures', name);

/** name -> values of every weight (trainable and BatchNorm statistics). */
function weightsOf(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

function expectSameWeights(a: tf.LayersModel, b: tf.LayersModel) {
  const wa = weightsOf(a);
  const wb = weightsOf(b);
  expect([...wb.keys()]).toEqual([...wa.keys()]);
  for (const [name, values] of wa) {
    const other = wb.get(name)!;
    // Bitwise: compare the raw bytes.
    expect([
      name,
      Buffer.from(other.buffer, other.byteOffset, other.byteLength).equals(
        Buffer.from(values.buffer, values.byteOffset, values.byteLength),
      ),
    ]).toEqual([name, true]);
  }
}

describe('transposeData', () => {
  it('moves axes like numpy.transpose', () => {
    // [[0, 1, 2], [3, 4, 5]] transposed.
    expect(Array.from(transposeData([0, 1, 2, 3, 4, 5], [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
    // (1, 2, 1, 2) with axes [3, 2, 0, 1] -> shape (2, 1, 1, 2): out[l][k][i][j] = in[i][j][k][l]
    expect(Array.from(transposeData([0, 1, 2, 3], [1, 2, 1, 2], [3, 2, 0, 1]))).toEqual([0, 2, 1, 3]);
  });
});

describe('loadPyTorchWeights', () => {
  it.each(fixtures.filter((f) => f.hasPth).map((f) => [f.name, f]))(
    '%s: model.pth loads exactly like model.safetensors',
    (_, fixture) => {
      const fromSafetensors = createModel(fixture.config);
      const fromPth = createModel(fixture.config);
      expect(loadPyTorchWeights(fromSafetensors, readBytes(path.join(fixture.dir, 'model.safetensors'))).format).toBe(
        'safetensors',
      );
      const report = loadPyTorchWeights(fromPth, readBytes(path.join(fixture.dir, 'model.pth')));
      expect(report.format).toBe('torch-zip');
      expect(report.ignored.every((k) => k.endsWith('.num_batches_tracked'))).toBe(true);
      expect(report.ignored.length).toBeGreaterThan(0);
      expectSameWeights(fromSafetensors, fromPth);
    },
  );

  it.each([
    ['deflate-compressed entries', 'segment_deflate.pth'],
    ["{state_dict: ...} wrapper with 'module.' keys", 'segment_wrapped.pth'],
    ['{model: ...} wrapper', 'segment_model_wrapper.pth'],
  ])('reads %s', (_, file) => {
    const reference = createModel(segment.config);
    loadPyTorchWeights(reference, readBytes(path.join(segment.dir, 'model.safetensors')));
    const model = createModel(segment.config);
    loadPyTorchWeights(model, readBytes(testFixture(file)));
    expectSameWeights(reference, model);
  });

  it('refuses a pickle that names any other global, executing nothing', () => {
    expect(() => loadPyTorchWeights(createModel(segment.config), readBytes(testFixture('evil.pth')))).toThrow(
      WaveMixPickleError,
    );
    expect(() => readStateDict(readBytes(testFixture('evil.pth')))).toThrow(/refusing global 'os\.system'/);
  });

  it('is strict by default: one error lists every missing key, unexpected key and shape mismatch', () => {
    const file = readSafetensors(readBytes(path.join(lite.dir, 'model.safetensors')));
    const entries: Array<[string, SafetensorsInput]> = [];
    for (const [name, tensor] of file.tensors) {
      if (name !== 'conv.0.bias') entries.push([name, { shape: tensor.shape, data: toFloat32(tensor) }]);
    }
    const bytes = writeSafetensors(entries);
    // depth 2 (the file has 3 blocks) and 11 classes (the file has 10).
    const model = createModel({ ...lite.config, depth: 2, numClasses: 11 });
    let error: WaveMixStateDictError | undefined;
    try {
      loadPyTorchWeights(model, bytes, { source: 'lite.safetensors' });
    } catch (e) {
      error = e as WaveMixStateDictError;
    }
    expect(error).toBeInstanceOf(WaveMixStateDictError);
    expect(error!.missing).toEqual(['conv.0.bias']);
    expect(error!.unexpected).toHaveLength(12);
    expect(error!.unexpected.every((k) => k.startsWith('layers.2.'))).toBe(true);
    expect(error!.mismatched).toEqual([
      { key: 'pool.2.weight', expected: [11, 16], got: [10, 16] },
      { key: 'pool.2.bias', expected: [11], got: [10] },
    ]);
    expect(error!.message).toMatch(
      /^lite\.safetensors: state_dict does not fit the model: missing keys \(1\): conv\.0\.bias\. unexpected keys \(12\): layers\.2\./,
    );
    expect(error!.message).toContain('pool.2.weight expected [11, 16] got [10, 16]');

    const report = loadPyTorchWeights(model, bytes, { strict: false });
    expect(report.missing).toEqual(['conv.0.bias']);
    expect(report.loaded).toContain('conv.0.weight');
    expect(report.loaded).not.toContain('pool.2.weight');
  });

  it('names the problem with bytes that are no state_dict', () => {
    const model = createModel(segment.config);
    expect(() => loadPyTorchWeights(model, new Uint8Array(64).fill(7))).toThrow(WaveMixFormatError);
    expect(() => loadPyTorchWeights(model, new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0, 0, 0, 0, 0, 0]))).toThrow(
      /legacy pre-1\.6 torch\.save/,
    );
    const pth = readBytes(path.join(segment.dir, 'model.pth'));
    expect(() => loadPyTorchWeights(model, pth.subarray(0, pth.length - 30))).toThrow(WaveMixZipError);
    const corrupt = pth.slice();
    corrupt[23000] = corrupt[23000]! ^ 0xff; // inside storage data/4 (4096 bytes from byte 22480)
    expect(() => loadPyTorchWeights(model, corrupt)).toThrow(/CRC-32 .* does not match/);
  });
});

/** A minimal stored zip with the given entries (test helper; torch.save writes the same structure). */
function storedZip(files: Array<[string, Uint8Array]>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = new TextEncoder().encode(name);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(14, crc32(data), true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const entry = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(16, crc32(data), true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    entry.set(nameBytes, 46);
    chunks.push(local, data);
    central.push(entry);
    offset += local.length + data.length;
  }
  const centralSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const ascii = (s: string) => Array.from(new TextEncoder().encode(s));
const unicode = (s: string) => [0x58, s.length, 0, 0, 0, ...ascii(s)];

describe('readStateDict (hand-made pickles)', () => {
  // {'w': tensor over storage '0' (6 floats 0..5) with size (2, 3), stride (1, 2), offset 0}
  const pickle = (sizeStride: number[], extra: number[] = []) =>
    new Uint8Array([
      0x80,
      0x02,
      0x7d,
      ...extra,
      ...unicode('w'),
      0x63,
      ...ascii('torch._utils\n_rebuild_tensor_v2\n'),
      0x28,
      0x28,
      ...unicode('storage'),
      0x63,
      ...ascii('torch\nFloatStorage\n'),
      ...unicode('0'),
      ...unicode('cpu'),
      0x4b,
      6,
      0x74,
      0x51,
      0x4b,
      0,
      ...sizeStride,
      0x89,
      0x63,
      ...ascii('collections\nOrderedDict\n'),
      0x29,
      0x52,
      0x74,
      0x52,
      0x73,
      0x2e,
    ]);
  const storage = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);

  it('gathers non-contiguous (strided) tensors', () => {
    // size (2, 3) stride (1, 2): w[i][j] = storage[i + 2j]
    const bytes = storedZip([
      ['m/data.pkl', pickle([0x4b, 2, 0x4b, 3, 0x86, 0x4b, 1, 0x4b, 2, 0x86])],
      ['m/data/0', storage],
    ]);
    const { tensors } = readStateDict(bytes);
    expect(tensors.get('w')!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.get('w')!.data)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it('refuses STACK_GLOBAL of a foreign callable too', () => {
    const evil = new Uint8Array([
      0x80,
      0x04,
      ...[0x8c, 8, ...ascii('builtins')],
      ...[0x8c, 4, ...ascii('eval')],
      0x93,
      0x2e,
    ]);
    const bytes = storedZip([['m/data.pkl', evil]]);
    expect(() => readStateDict(bytes)).toThrow(/refusing global 'builtins\.eval'/);
  });

  it('refuses an entry whose recorded size is forged, before allocating it', () => {
    const bytes = storedZip([['m/data.pkl', new Uint8Array([0x80, 0x02, 0x7d, 0x2e])]]);
    const central = bytes.length - 22 - (46 + 'm/data.pkl'.length);
    new DataView(bytes.buffer).setUint32(central + 24, 2_000_000_000, true); // uncompressed size
    expect(() => readStateDict(bytes)).toThrow(/claims 2000000000 bytes from 4 compressed/);
  });

  it('reports a storage the archive lacks', () => {
    const bytes = storedZip([['m/data.pkl', pickle([0x4b, 2, 0x4b, 3, 0x86, 0x4b, 3, 0x4b, 1, 0x86])]]);
    expect(() => readStateDict(bytes)).toThrow(/storage '0' is referenced but not in the archive/);
  });
});

describe('exportPyTorchWeights', () => {
  it.each(fixtures.map((f) => [f.name, f]))(
    '%s: export reproduces the official state_dict and re-imports exactly',
    (_, fixture) => {
      const model = createModel(fixture.config);
      const official = readBytes(path.join(fixture.dir, 'model.safetensors'));
      loadPyTorchWeights(model, official);
      const exported = readSafetensors(exportPyTorchWeights(model));
      const reference = readSafetensors(official);
      const exportedKeys = [...exported.tensors.keys()];
      expect(exportedKeys.filter((k) => !k.endsWith('.num_batches_tracked')).sort()).toEqual(
        [...reference.tensors.keys()].sort(),
      );
      for (const [key, tensor] of reference.tensors) {
        const mine = exported.tensors.get(key)!;
        expect([key, mine.dtype, mine.shape]).toEqual([key, tensor.dtype, tensor.shape]);
        expect([key, Buffer.from(mine.bytes).equals(Buffer.from(tensor.bytes))]).toEqual([key, true]);
      }
      for (const key of exportedKeys.filter((k) => k.endsWith('.num_batches_tracked'))) {
        const tensor = exported.tensors.get(key)!;
        expect([tensor.dtype, tensor.shape, Array.from(toFloat32(tensor))]).toEqual(['I64', [], [0]]);
        expect(exported.tensors.has(key.replace('num_batches_tracked', 'running_var'))).toBe(true);
      }
      expect(exported.metadata).toEqual({ format: 'pt' });

      if (fixture.hasPth) {
        // Exactly the keys, shapes and dtypes of the official model.state_dict() (what strict=True checks).
        const stateDict = readStateDict(readBytes(path.join(fixture.dir, 'model.pth'))).tensors;
        expect(exportedKeys.sort()).toEqual([...stateDict.keys()].sort());
        for (const [key, tensor] of stateDict) {
          const mine = exported.tensors.get(key)!;
          expect([key, mine.dtype, mine.shape]).toEqual([key, tensor.dtype, tensor.shape]);
        }
      }

      const again = createModel(fixture.config);
      loadPyTorchWeights(again, exportPyTorchWeights(model));
      expectSameWeights(model, again);
    },
  );

  it.each(fixtures.map((f) => [f.name, f]))(
    '%s: exportPyTorchWeightsAsync writes the same bytes as the official state_dict file',
    async (_, fixture) => {
      const model = createModel(fixture.config);
      const official = readBytes(path.join(fixture.dir, 'model.safetensors'));
      loadPyTorchWeights(model, official);
      const before = tf.memory().numTensors;
      const exported = await exportPyTorchWeightsAsync(model);
      expect(tf.memory().numTensors).toBe(before);
      expect(Buffer.from(exported).equals(Buffer.from(exportPyTorchWeights(model)))).toBe(true);
      const mine = readSafetensors(exported).tensors;
      for (const [key, tensor] of readSafetensors(official).tensors) {
        expect([key, Buffer.from(mine.get(key)!.bytes).equals(Buffer.from(tensor.bytes))]).toEqual([key, true]);
      }
    },
  );
});
