import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixError } from '@wavemix/core';
import { load, WaveMixMetadataError } from '@wavemix/models';
import { fromPyTorch, fromTrainerFolder } from '../panels/model/sources';
import {
  MAX_CONFIG_JSON_BYTES,
  MAX_MODEL_JSON_BYTES,
  type PickedFile,
  readModelFolder,
  readPyTorchConfig,
  ViewerModelFileError,
} from './model_files';

const FOLDER = resolve(__dirname, '../../public/models/mnist-tiny');
const MODEL_JSON = readFileSync(resolve(FOLDER, 'model.json'), 'utf8');
const WEIGHTS = new Uint8Array(readFileSync(resolve(FOLDER, 'weights.bin')));
const CONFIG_JSON = readFileSync(resolve(__dirname, '../../tests/fixtures/mnist-tiny/model-config.json'), 'utf8');
/** 11,730 float32 parameters (conv, wavelet blocks, head) of the bundled tiny MNIST classifier. */
const WEIGHT_BYTES = 46_920;

// biome-ignore lint/suspicious/noExplicitAny: the crafted JSON is edited freely.
type Json = any;

/** A picked file whose reads are counted (`size` may be made to lie). */
function picked(name: string, data: Uint8Array | string, options: { size?: number; relativePath?: string } = {}) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const reads = { count: 0 };
  const file: PickedFile = {
    name,
    size: options.size ?? bytes.byteLength,
    relativePath: options.relativePath ?? '',
    bytes: async () => {
      reads.count++;
      return bytes.slice().buffer;
    },
  };
  return { file, reads };
}

/** model.json (parsed, to be edited) and the real weights.bin. */
function folder(edit: (json: Json) => void = () => {}, weights = WEIGHTS) {
  const json = JSON.parse(MODEL_JSON);
  edit(json);
  const weightsFile = picked('weights.bin', weights);
  return { files: [picked('model.json', JSON.stringify(json)).file, weightsFile.file], weightsFile };
}

async function refusal(promise: Promise<unknown>): Promise<ViewerModelFileError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ViewerModelFileError);
  expect(WaveMixError.isInstance(error)).toBe(true);
  expect((error as Error).name).toBe('ViewerModelFileError');
  return error as ViewerModelFileError;
}

describe('readModelFolder', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('loads the bundled mnist-tiny folder: exactly weights.bin, into a working WaveMix model', async () => {
    const { files } = folder();
    const artifacts = await readModelFolder([...files, picked('notes.txt', 'ignored').file]);
    expect(artifacts.weightSpecs).toHaveLength(36);
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    expect(data.byteLength).toBe(WEIGHT_BYTES);
    expect(Buffer.from(data).equals(Buffer.from(WEIGHTS))).toBe(true);
    const predictor = await load({ load: async () => artifacts });
    expect(predictor.model.countParams() * 4).toBe(WEIGHT_BYTES);
    expect(predictor.metadata.config.numClasses).toBe(10);
    expect(predictor.metadata.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    predictor.model.dispose();
  });

  it('matches weight paths inside a picked folder by their path relative to model.json', async () => {
    const json = picked('model.json', MODEL_JSON, { relativePath: 'run/model/model.json' }).file;
    const inFolder = picked('weights.bin', WEIGHTS, { relativePath: 'run/model/weights.bin' }).file;
    const elsewhere = picked('weights.bin', new Uint8Array(4), { relativePath: 'run/other/weights.bin' }).file;
    const artifacts = await readModelFolder([json, elsewhere, inFolder]);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(WEIGHT_BYTES);
  });

  it.each([
    ['../weights.bin', `contains '..'; only files picked with model.json are read`],
    ['../../../../etc/hostname', `contains '..'; only files picked with model.json are read`],
    ['/etc/hostname', 'is absolute; only files picked with model.json are read'],
    ['https://evil.example/weights.bin', 'is a URL or drive path; only files picked with model.json are read'],
    ['file:///etc/hostname', 'is a URL or drive path; only files picked with model.json are read'],
    ['C:/weights.bin', 'is a URL or drive path; only files picked with model.json are read'],
    ['sub\\weights.bin', 'contains a backslash; only / separates folders'],
    ['./weights.bin', "has an empty or '.' segment; write the plain relative path"],
    ['weights.bin\u0000', 'contains control characters'],
  ])('refuses the weight path %j before reading any weight byte', async (path, reason) => {
    const { files, weightsFile } = folder((json) => {
      json.weightsManifest[0].paths = [path];
    });
    const error = await refusal(readModelFolder(files));
    expect(error.message).toBe(`model.json: weight path ${JSON.stringify(path)} ${reason}`);
    expect(error.file).toBe('model.json');
    expect(weightsFile.reads.count).toBe(0);
  });

  it('refuses a path no picked file matches exactly (names are case-sensitive)', async () => {
    const { files } = folder((json) => {
      json.weightsManifest[0].paths = ['Weights.bin'];
    });
    const error = await refusal(readModelFolder(files));
    expect(error.message).toBe(
      'Weights.bin: is named by model.json but was not picked; select it together with model.json',
    );
  });

  it('refuses a path listed twice (also across groups)', async () => {
    const { files } = folder((json) => {
      const [group] = json.weightsManifest;
      json.weightsManifest = [group, { paths: ['weights.bin'], weights: group.weights }];
    });
    const error = await refusal(readModelFolder(files));
    expect(error.message).toBe('model.json: weight path "weights.bin" is listed more than once');
  });

  it('refuses two picked files with the manifest name', async () => {
    const { files } = folder();
    const error = await refusal(readModelFolder([...files, picked('weights.bin', WEIGHTS).file]));
    expect(error.message).toBe('weights.bin: matches 2 picked files; pick one');
  });

  it('refuses a weight file whose size differs from the declared bytes, before reading it', async () => {
    const { files, weightsFile } = folder(undefined, WEIGHTS.subarray(0, WEIGHT_BYTES - 4));
    const error = await refusal(readModelFolder(files));
    expect(error.message).toBe(`weights.bin: holds ${WEIGHT_BYTES - 4} bytes, model.json declares ${WEIGHT_BYTES}`);
    expect(weightsFile.reads.count).toBe(0);
    // A manifest that claims more (one weight 2^20 times larger) is refused the same way.
    const grown = folder((json) => {
      json.weightsManifest[0].weights[0].shape = [3, 3, 1, 4 * 2 ** 20];
    });
    expect((await refusal(readModelFolder(grown.files))).message).toBe(
      `weights.bin: holds ${WEIGHT_BYTES} bytes, model.json declares ${WEIGHT_BYTES - 144 + 144 * 2 ** 20}`,
    );
    expect(grown.weightsFile.reads.count).toBe(0);
  });

  it('refuses a file that yields more bytes than its checked size', async () => {
    const lying = picked('weights.bin', new Uint8Array(WEIGHT_BYTES + 1), { size: WEIGHT_BYTES }).file;
    const error = await refusal(readModelFolder([picked('model.json', MODEL_JSON).file, lying]));
    expect(error.message).toBe(`weights.bin: read ${WEIGHT_BYTES + 1} bytes where ${WEIGHT_BYTES} were checked`);
  });

  it('refuses shapes and dtypes it cannot size', async () => {
    const negative = folder((json) => {
      json.weightsManifest[0].weights[0].shape = [3, -3, 1, 4];
    });
    expect((await refusal(readModelFolder(negative.files))).message).toBe(
      'model.json: weight "conv.0/kernel" has shape [3,-3,1,4], not non-negative integers',
    );
    const strings = folder((json) => {
      json.weightsManifest[0].weights[0].dtype = 'string';
    });
    expect((await refusal(readModelFolder(strings.files))).message).toBe(
      'model.json: weight "conv.0/kernel" has dtype "string", which the viewer does not read',
    );
  });

  it('refuses a model.json over the size cap before reading it', async () => {
    const huge = picked('model.json', '{}', { size: MAX_MODEL_JSON_BYTES + 1 });
    const error = await refusal(readModelFolder([huge.file, picked('weights.bin', WEIGHTS).file]));
    expect(MAX_MODEL_JSON_BYTES).toBe(16 * 1024 * 1024);
    expect(error.message).toBe('model.json: is 16777217 bytes, more than the 16777216 allowed for a JSON file');
    expect(huge.reads.count).toBe(0);
  });

  it('refuses model.json that is not UTF-8 JSON or not a tfjs model', async () => {
    const garbage = await refusal(readModelFolder([picked('model.json', new Uint8Array([0x7b, 0xff, 0x7d])).file]));
    expect(garbage.message).toMatch(/^model\.json: is not valid UTF-8 JSON \(/);
    const noTopology = await refusal(readModelFolder([picked('model.json', '{"weightsManifest": []}').file]));
    expect(noTopology.message).toBe('model.json: has no modelTopology (is it a tfjs model.json?)');
    const withoutMetadata = folder((json) => {
      delete json.userDefinedMetadata;
    });
    expect((await refusal(readModelFolder(withoutMetadata.files))).message).toBe(
      'model.json: carries no WaveMix metadata (userDefinedMetadata.wavemix); the viewer shows WaveMix models',
    );
  });

  it.each([
    [
      'numClasses over the bound',
      (m: Json) => (m.config.numClasses = 1e9),
      'config.numClasses: must be an integer from 1 to 100000, got 1000000000',
    ],
    [
      'classNames not strings',
      (m: Json) => (m.classNames = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      'classNames: must be strings of at most 1024 characters',
    ],
    ['classNames of the wrong count', (m: Json) => (m.classNames = ['0']), 'classNames: has 1 names for 10 classes'],
    [
      'a huge input size',
      (m: Json) => (m.config.inputSize = [28, 1e7]),
      'config.inputSize[1]: must be an integer from 1 to 65536, got 10000000',
    ],
    ['a zero std', (m: Json) => (m.preprocessing.std = [0]), 'preprocessing.std: must be positive, got [0]'],
  ])('validates the WaveMix metadata before use: %s', async (_, edit, reason) => {
    const { files, weightsFile } = folder((json) => edit(json.userDefinedMetadata.wavemix));
    const error = await refusal(readModelFolder(files));
    expect(error.message).toBe(`model.json: WaveMix metadata ${reason}`);
    expect(error.cause).toBeInstanceOf(WaveMixMetadataError);
    expect(weightsFile.reads.count).toBe(0);
  });
});

describe('readPyTorchConfig', () => {
  const config = (edit: (c: Json) => void = () => {}) => {
    const parsed = JSON.parse(CONFIG_JSON);
    edit(parsed);
    return picked('model-config.json', JSON.stringify(parsed)).file;
  };

  it("reads the trainer's model-config.json: createModel fields and validated options", async () => {
    const read = await readPyTorchConfig(config());
    expect(read.zooName).toBeNull();
    expect(read.fields).toMatchObject({ task: 'classification', numClasses: 10, inChannels: 1, inputSize: [28, 28] });
    expect(read.fields).not.toHaveProperty('preprocessing');
    expect(read.options.preprocessing).toEqual({ colorSpace: 'grayscale', mean: [0.1307], std: [0.3081] });
    expect(read.options.classNames).toHaveLength(10);
  });

  it('reads a registry name alone with the registry config', async () => {
    const read = await readPyTorchConfig(picked('config.json', '{"name": "mnist-wavemix-lite-8-10"}').file);
    expect(read.zooName).toBe('mnist-wavemix-lite-8-10');
    expect(read.options).toEqual({});
    expect(read.metadata.config.numClasses).toBe(10);
  });

  it.each([
    [
      'numClasses over the bound',
      (c: Json) => (c.numClasses = 1e6),
      'WaveMix metadata config.numClasses: must be an integer from 1 to 100000, got 1000000',
    ],
    [
      'classNames not strings',
      (c: Json) => (c.classNames = c.classNames.map(Number)),
      'WaveMix metadata classNames: must be strings of at most 1024 characters',
    ],
    [
      'a mean per channel missing',
      (c: Json) => (c.preprocessing.mean = []),
      'WaveMix metadata preprocessing.mean: must be 1 finite numbers (one per input channel), got []',
    ],
    [
      'an unknown field',
      (c: Json) => (c.num_classes = 10),
      'num_classes: is not a WaveMix config field (did you mean numClasses? fields are camelCase)',
    ],
  ])('refuses %s before a model is built', async (_, edit, reason) => {
    const error = await refusal(readPyTorchConfig(config(edit)));
    expect(error.message).toBe(`model-config.json: ${reason}`);
  });

  it('refuses a config over the size cap before reading it, and one that is not an object', async () => {
    const huge = picked('model-config.json', '{}', { size: MAX_CONFIG_JSON_BYTES + 1 });
    expect((await refusal(readPyTorchConfig(huge.file))).message).toBe(
      'model-config.json: is 1048577 bytes, more than the 1048576 allowed for a JSON file',
    );
    expect(huge.reads.count).toBe(0);
    expect((await refusal(readPyTorchConfig(picked('c.json', '[1]').file))).message).toBe(
      'c.json: must hold a JSON object, got [1]',
    );
  });
});

describe("the viewer's loaders (sources.ts) on the trainer fixture", () => {
  const RUN = resolve(__dirname, '../../tests/fixtures/mnist-tiny');
  const file = (path: string) => new File([readFileSync(resolve(RUN, path))], path.split('/').pop()!);

  it('give the same logits from model.json + weights.bin as from model.safetensors + model-config.json', async () => {
    await tf.setBackend('cpu');
    const folder = await fromTrainerFolder([file('model/model.json'), file('model/weights.bin')]);
    const pytorch = await fromPyTorch(file('model.safetensors'), file('model-config.json'));
    expect(folder.source.label).toBe('model.json + weights.bin');
    expect(pytorch.warnings).toEqual([]);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 7);
    const logits = [folder, pytorch].map(({ predictor }) =>
      (predictor as unknown as { model: { predict(t: tf.Tensor): tf.Tensor } }).model.predict(x),
    );
    const [a, b] = await Promise.all(logits.map((t) => t.data()));
    expect(a).toHaveLength(20);
    a!.forEach((v, i) => expect(Math.abs(v - b![i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v))));
    tf.dispose([x, ...logits]);
    await expect(fromTrainerFolder([file('model/model.json')])).rejects.toThrow(
      new ViewerModelFileError(
        'weights.bin',
        'is named by model.json but was not picked; select it together with model.json',
      ),
    );
  });
});
