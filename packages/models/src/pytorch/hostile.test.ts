// Crafted hostile `.pth` files, each built by a small writer here: every one is refused with a
// named WaveMix error, quickly and without allocating what it claims.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { WaveMixBudgetError, WaveMixError } from '@wavemix/core';
import { createModel } from '../create_model';
import {
  WaveMixFormatError,
  WaveMixPickleError,
  WaveMixStateDictError,
  WaveMixTensorRecordError,
  WaveMixZipError,
} from '../errors';
import {
  centralEntry,
  finishZip,
  measure,
  tensorPickle,
  unicode,
  writePth,
  writeZip,
  type TensorSpec,
} from '../testing/pth_writer';
import { exportPyTorchWeights, loadPyTorchWeights } from './bridge';
import { readStateDict } from './state_dict';
import { crc32 } from './zip';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const MAX_MS = 1000;
const MAX_MB = 32;
const oneFloat = new Uint8Array(new Float32Array([1.5]).buffer);
const smallConfig = {
  task: 'classification',
  numClasses: 10,
  depth: 1,
  mult: 1,
  ffChannel: 8,
  finalDim: 8,
  level: 1,
  initialConv: 'strided',
  stride: 1,
} as const;

/** Runs `fn`, expecting `errorClass` (and `message`), within the time and memory bounds. */
function expectRefused(
  fn: () => unknown,
  errorClass: abstract new (...args: never[]) => Error,
  message?: RegExp,
  maxMs = MAX_MS,
): Error {
  const { error, ms, maxRssMB, arrayBuffersMB } = measure(fn);
  expect(error).toBeInstanceOf(errorClass);
  expect(WaveMixError.isInstance(error)).toBe(true);
  if (message) expect((error as Error).message).toMatch(message);
  expect(ms).toBeLessThan(maxMs);
  expect(maxRssMB).toBeLessThan(MAX_MB);
  expect(arrayBuffersMB).toBeLessThan(MAX_MB);
  return error as Error;
}

const expanded = (key: string, elements: number): TensorSpec => ({
  key,
  storage: '0',
  numel: 1,
  shape: [elements],
  stride: [0],
});

describe('hostile .pth files', () => {
  it('a ~400-byte .pth whose stride-0 tensor claims 2^26 elements: strict mode names the key before any data is read', () => {
    const pth = writePth([expanded('evil', 2 ** 26)], { 0: oneFloat });
    expect(pth.length).toBeLessThan(450);
    const error = expectRefused(
      () => loadPyTorchWeights(createModel(smallConfig), pth),
      WaveMixStateDictError,
    ) as WaveMixStateDictError;
    expect(error.unexpected).toEqual(['evil']);
    expectRefused(
      () => readStateDict(pth, { maxBytes: 2 ** 20 }),
      WaveMixBudgetError,
      /'evil' \[67108864\].*268435456 bytes needed, the budget is 1048576/,
    );
    // strict: false loads nothing from it and allocates nothing for it either.
    const { error: none, maxRssMB } = measure(() =>
      loadPyTorchWeights(createModel(smallConfig), pth, { strict: false }),
    );
    expect(none).toBeUndefined();
    expect(maxRssMB).toBeLessThan(MAX_MB);
  });

  it('sixteen such keys: refused within readStateDict’s default 1 GiB budget, before allocating', () => {
    const pth = writePth(
      Array.from({ length: 16 }, (_, i) => expanded(`evil.${i}`, 2 ** 26)),
      { 0: oneFloat },
    );
    expectRefused(
      () => readStateDict(pth),
      WaveMixBudgetError,
      /materialising 16 tensors.*4294967296 bytes needed, the budget is 1073741824/,
    );
    expectRefused(
      () => loadPyTorchWeights(createModel(smallConfig), pth),
      WaveMixStateDictError,
      /unexpected keys \(16\)/,
    );
  });

  it('a genuinely expanded (stride 0) tensor within budget reads as copies of its one element', () => {
    const { tensors } = readStateDict(writePth([expanded('w', 4)], { 0: oneFloat }));
    expect(Array.from(tensors.get('w')!.data)).toEqual([1.5, 1.5, 1.5, 1.5]);
  });

  it('64 central-directory entries over one deflated 4 MiB entry are refused as overlapping, nothing inflated', () => {
    const data = new Uint8Array(4 * 2 ** 20);
    const single = writeZip([{ name: 'm/data/0', data, deflate: true }]);
    const localAndData = single.subarray(0, single.length - 22 - (46 + 'm/data/0'.length));
    const compressedSize = localAndData.length - 30 - 'm/data/0'.length;
    const pickle = tensorPickle(
      Array.from({ length: 64 }, (_, i) => ({
        key: `k${i}`,
        storage: `${i}`,
        numel: 2 ** 20,
        shape: [2 ** 20],
        stride: [1],
      })),
    );
    const pickleLocal = writeZip([{ name: 'm/data.pkl', data: pickle }]);
    const pickleRecord = pickleLocal.subarray(0, pickleLocal.length - 22 - (46 + 'm/data.pkl'.length));
    const central = [centralEntry('m/data.pkl', 0, crc32(pickle), pickle.length, pickle.length, localAndData.length)];
    const crc = crc32(data);
    for (let i = 0; i < 64; i++) central.push(centralEntry(`m/data/${i}`, 8, crc, compressedSize, data.length, 0));
    const bomb = finishZip([localAndData, pickleRecord], central, localAndData.length + pickleRecord.length);
    expect(bomb.length).toBeLessThan(32 * 1024);
    expectRefused(() => readStateDict(bomb), WaveMixZipError, /entry 'm\/data\/\d+': overlaps entry 'm\/data\/\d+'/);
  });

  it('caps the bytes inflated from distinct deflated entries', () => {
    const zeros = new Uint8Array(4 * 2 ** 20);
    const pth = writePth(
      [
        { key: 'a', storage: 'a', numel: 2 ** 20, shape: [1], stride: [1] },
        { key: 'b', storage: 'b', numel: 2 ** 20, shape: [1], stride: [1] },
      ],
      { a: zeros, b: zeros },
      true,
    );
    expect(pth.length).toBeLessThan(32 * 1024);
    expectRefused(
      () => readStateDict(pth, { maxBytes: 6 * 2 ** 20 }),
      WaveMixBudgetError,
      /zip entry 'm\/data\/b': inflating 4194304 more bytes after 4194304/,
    );
    expect(readStateDict(pth, { maxBytes: 8 * 2 ** 20 }).tensors.get('b')!.data).toEqual(new Float32Array([0]));
  });

  it('a negative stride is refused (it would read before its storage)', () => {
    const pth = writePth([{ key: 'w', storage: '0', numel: 4, shape: [2, 2], stride: [-2, 1], offset: 2 }], {
      0: new Uint8Array(16),
    });
    const error = expectRefused(() => readStateDict(pth), WaveMixTensorRecordError) as WaveMixTensorRecordError;
    expect(error).toBeInstanceOf(WaveMixPickleError);
    expect(error.message).toMatch(
      /tensor 'w' \(size \[2, 2\], stride \[-2, 1\], storage offset 2, storage of 4 elements\): a stride is negative/,
    );
    expect([error.key, error.shape, error.stride, error.storageSize]).toEqual(['w', [2, 2], [-2, 1], 4]);
  });

  it('a negative size is refused', () => {
    const pth = writePth([{ key: 'w', storage: '0', numel: 4, shape: [-4], stride: [1] }], { 0: new Uint8Array(16) });
    expectRefused(
      () => readStateDict(pth),
      WaveMixTensorRecordError,
      /tensor 'w' \(size \[-4\], stride \[1\].*a size is negative/,
    );
  });

  it('refuses records that reach past their storage or hold more elements than it without a zero stride', () => {
    const storage = { 0: new Uint8Array(20) };
    expectRefused(
      () => readStateDict(writePth([{ key: 'w', storage: '0', numel: 5, shape: [3], stride: [3] }], storage)),
      WaveMixTensorRecordError,
      /reaches element 6, outside the storage/,
    );
    expectRefused(
      () => readStateDict(writePth([{ key: 'w', storage: '0', numel: 5, shape: [2, 3], stride: [3, 1] }], storage)),
      WaveMixTensorRecordError,
      /reaches element 5, outside the storage/,
    );
    expectRefused(
      () => readStateDict(writePth([{ key: 'w', storage: '0', numel: 5, shape: [3, 3], stride: [1, 1] }], storage)),
      WaveMixTensorRecordError,
      /9 elements cannot come from the 5 storage elements it spans/,
    );
    // The storage file must hold what numel claims (checked in the directory, before inflating).
    expectRefused(
      () => readStateDict(writePth([{ key: 'w', storage: '0', numel: 1000, shape: [4], stride: [1] }], storage)),
      WaveMixZipError,
      /storage holds 20 bytes, 1000 F32 elements need 4000/,
    );
  });

  it('a pickled dict that contains itself as its state_dict wrapper is refused, not a stack overflow', () => {
    // d = {}; d['state_dict'] = d
    const pickle = new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0, ...unicode('state_dict'), 0x68, 0, 0x73, 0x2e]);
    expectRefused(
      () => readStateDict(writeZip([{ name: 'm/data.pkl', data: pickle }])),
      WaveMixFormatError,
      /wrapper contains itself/,
    );
  });

  it('a 1 MiB LONG4 integer is refused at once, not decoded in quadratic time', () => {
    const pickle = new Uint8Array(2 + 5 + 2 ** 20 + 1);
    pickle.set([0x80, 0x02, 0x8b, 0x00, 0x00, 0x10, 0x00]);
    pickle.fill(0x7f, 7);
    pickle[pickle.length - 1] = 0x2e;
    expectRefused(
      () => readStateDict(writeZip([{ name: 'm/data.pkl', data: pickle }])),
      WaveMixPickleError,
      /a 1048576-byte LONG integer; a state_dict needs at most 8 bytes/,
    );
  });

  it('bounds the pickle stack and the containers it builds; a huge APPENDS batch is no RangeError', () => {
    const marks = new Uint8Array(2 + 200_000 + 1).fill(0x28);
    marks.set([0x80, 0x02]);
    marks[marks.length - 1] = 0x2e;
    expectRefused(
      () => readStateDict(writeZip([{ name: 'm/data.pkl', data: marks }])),
      WaveMixPickleError,
      /stack holds more than 100000 items/,
    );
    const lists = new Uint8Array(2 + 1 + 300_000 * 2 + 1);
    lists.set([0x80, 0x02, 0x5d]);
    for (let i = 0; i < 300_000; i++) lists.set([0x5d, 0x61], 3 + 2 * i);
    lists[lists.length - 1] = 0x2e;
    // 400,000 opcodes before the limit: linear work, ~100 ms on a quiet core.
    expectRefused(
      () => readStateDict(writeZip([{ name: 'm/data.pkl', data: lists }])),
      WaveMixPickleError,
      /builds more than 200000 containers/,
      3000,
    );
    // [] MARK None x 90,000 APPENDS STOP: a batch larger than push(...) can spread.
    const appends = new Uint8Array(4 + 90_000 + 2).fill(0x4e);
    appends.set([0x80, 0x02, 0x5d, 0x28]);
    appends.set([0x65, 0x2e], appends.length - 2);
    expectRefused(
      () => readStateDict(writeZip([{ name: 'm/data.pkl', data: appends }])),
      WaveMixFormatError,
      /the pickle holds a list, not a dict/,
    );
  });

  it('loadPyTorchWeights reads only within its budget (default twice the parameter bytes; maxBytes overrides)', () => {
    const model = createModel(smallConfig);
    const expectedBytes = model.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a! * b!, 1)!, 0);
    const exported = exportPyTorchWeights(model);
    expect(loadPyTorchWeights(createModel(smallConfig), exported).loaded.length).toBeGreaterThan(0);
    expectRefused(
      () => loadPyTorchWeights(createModel(smallConfig), exported, { maxBytes: expectedBytes - 4 }),
      WaveMixBudgetError,
      new RegExp(`${expectedBytes} bytes needed, the budget is ${expectedBytes - 4}`),
    );
  });
});
