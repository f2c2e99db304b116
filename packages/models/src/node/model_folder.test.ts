// Hostile model folders, each built here from a saved model: every one is refused with a named
// error, quickly and without reading what it points at.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WaveMixError } from '@wavemix/core';
import { createModel } from '../create_model';
import { WaveMixMetadataError, WaveMixModelFolderError } from '../errors';
import { getWaveMixMetadata } from '../metadata';
import { fileSystem } from './file_system';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = {
  task: 'classification',
  numClasses: 3,
  depth: 1,
  mult: 1,
  ffChannel: 8,
  finalDim: 8,
  level: 1,
  initialConv: 'strided',
  stride: 1,
} as const;
let scratch: string;
let folder: string;
beforeEach(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wavemix-folder-'));
  folder = path.join(scratch, 'model');
  await createModel(config, { classNames: ['a', 'b', 'c'] }).save(fileSystem(folder));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface StoredMetadata {
  config: Record<string, unknown>;
  preprocessing: Record<string, unknown>;
  classNames?: unknown;
}
const modelJson = () => JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8'));
const writeModelJson = (json: unknown) => fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));

/** Loads the folder, expecting `errorClass` (and `message`) within 1 s and 32 MB. */
async function expectRefused(errorClass: abstract new (...args: never[]) => Error, message: RegExp): Promise<void> {
  const rss = process.resourceUsage().maxRSS;
  const buffers = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  const error = await tf.loadLayersModel(fileSystem(folder)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(performance.now() - start).toBeLessThan(1000);
  expect(error).toBeInstanceOf(errorClass);
  expect(WaveMixError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
  expect((process.resourceUsage().maxRSS - rss) / 1024).toBeLessThan(32);
  expect((process.memoryUsage().arrayBuffers - buffers) / 2 ** 20).toBeLessThan(32);
}

it('loads the folder it saved, metadata included', async () => {
  const model = await tf.loadLayersModel(fileSystem(folder));
  expect(getWaveMixMetadata(model)!.classNames).toEqual(['a', 'b', 'c']);
  expect(model.countParams()).toBe(createModel(config).countParams());
});

it.each([
  ['../../../../etc/hostname', /contains '\.\.'/],
  ['sub/../../model/weights.bin', /contains '\.\.'/],
  ['/etc/hostname', /is absolute/],
  ['C:\\Windows\\win.ini', /is absolute/],
])('refuses the weight path %s', async (weightPath, message) => {
  const json = modelJson();
  json.weightsManifest[0].paths = [weightPath];
  writeModelJson(json);
  await expectRefused(WaveMixModelFolderError, message);
});

it('refuses a weight file that is a symlink leading out of the folder', async () => {
  const outside = path.join(scratch, 'secret.bin');
  fs.renameSync(path.join(folder, 'weights.bin'), outside);
  fs.symlinkSync(outside, path.join(folder, 'weights.bin'));
  await expectRefused(WaveMixModelFolderError, /resolves to .*secret\.bin, outside the model folder/);
});

it('refuses weights.bin -> /dev/zero at once instead of reading forever', async () => {
  fs.rmSync(path.join(folder, 'weights.bin'));
  fs.symlinkSync('/dev/zero', path.join(folder, 'weights.bin'));
  await expectRefused(WaveMixModelFolderError, /outside the model folder/);
});

it('reads only regular files: a FIFO inside the folder is refused without blocking', async () => {
  fs.rmSync(path.join(folder, 'weights.bin'));
  execFileSync('mkfifo', [path.join(folder, 'weights.bin')]);
  await expectRefused(WaveMixModelFolderError, /is not a regular file/);
});

it('reads at most the bytes the manifest declares', async () => {
  const declared = fs.statSync(path.join(folder, 'weights.bin')).size;
  fs.appendFileSync(path.join(folder, 'weights.bin'), new Uint8Array(4096));
  await expectRefused(
    WaveMixModelFolderError,
    new RegExp(`holds ${declared + 4096} bytes, the manifest declares ${declared}`),
  );
});

it('follows a symlink that stays inside the folder', async () => {
  fs.mkdirSync(path.join(folder, 'shards'));
  fs.renameSync(path.join(folder, 'weights.bin'), path.join(folder, 'shards', 'real.bin'));
  fs.symlinkSync(path.join('shards', 'real.bin'), path.join(folder, 'weights.bin'));
  expect((await tf.loadLayersModel(fileSystem(folder))).countParams()).toBe(createModel(config).countParams());
});

it('refuses a model.json that is a device', async () => {
  fs.rmSync(path.join(folder, 'model.json'));
  fs.symlinkSync('/dev/zero', path.join(folder, 'model.json'));
  await expectRefused(WaveMixModelFolderError, /outside the model folder/);
});

it.each([
  [
    'numClasses',
    (m: StoredMetadata) => {
      m.config.numClasses = 1e9;
    },
    /config\.numClasses: must be an integer from 1 to 100000, got 1000000000/,
  ],
  [
    'classNames',
    (m: StoredMetadata) => {
      m.classNames = ['a', 2, 'c'];
    },
    /classNames: must be strings/,
  ],
  [
    'classNames count',
    (m: StoredMetadata) => {
      m.classNames = ['a'];
    },
    /classNames: has 1 names for 3 classes/,
  ],
  [
    'inputSize',
    (m: StoredMetadata) => {
      m.config.inputSize = [64, -1];
    },
    /config\.inputSize\[1\]: must be an integer from 1 to 65536/,
  ],
  [
    'preprocessing.std',
    (m: StoredMetadata) => {
      m.preprocessing.std = [1, 0, 1];
    },
    /preprocessing\.std: must be positive/,
  ],
  [
    'preprocessing.mean',
    (m: StoredMetadata) => {
      m.preprocessing.mean = [0];
    },
    /preprocessing\.mean: must be 3 finite numbers/,
  ],
])('validates loaded WaveMix metadata: %s', async (_, corrupt, message) => {
  const json = modelJson();
  corrupt(json.userDefinedMetadata.wavemix);
  writeModelJson(json);
  await expectRefused(WaveMixMetadataError, message);
});
