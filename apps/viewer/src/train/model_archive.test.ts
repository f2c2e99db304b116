import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import '@wavemix/kernels-cpu';
import { createModel, load } from '@wavemix/models';
import { fileSystem } from '@wavemix/models/node';
// adm-zip: an independent zip reader (the archive is written by fflate).
import AdmZip from 'adm-zip';
import { ViewerInputError } from '../errors';
import { modelJsonFor, tfjsArchiveFromArtifacts, tfjsModelArchive } from './model_archive';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function unzip(bytes: Uint8Array): Map<string, Buffer> {
  const zip = new AdmZip(Buffer.from(bytes));
  return new Map(zip.getEntries().map((entry) => [entry.entryName, entry.getData()]));
}

/** Dense 2 → 2 with hand-set weights: kernel [[1, 2], [3, 4]], bias [0.5, -0.5]. */
function handSetDense(): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [2], name: 'dense' })] });
  const weights = [tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([0.5, -0.5])];
  model.setWeights(weights);
  tf.dispose(weights);
  model.setUserDefinedMetadata({ note: 'kept' });
  return model;
}

describe('tfjsModelArchive', () => {
  it('zips model.json and model.weights.bin as the tfjs folder format, with the weights byte for byte', async () => {
    const model = handSetDense();
    const files = unzip(await tfjsModelArchive(model));
    expect([...files.keys()].sort()).toEqual(['model.json', 'model.weights.bin']);
    const weights = files.get('model.weights.bin')!;
    // float32 little-endian, kernel then bias, in the manifest's order.
    expect(weights.length).toBe(24);
    expect(Array.from(new Float32Array(weights.buffer, weights.byteOffset, 6))).toEqual([1, 2, 3, 4, 0.5, -0.5]);
    const json = JSON.parse(files.get('model.json')!.toString('utf-8'));
    expect(json.format).toBe('layers-model');
    expect(json.userDefinedMetadata).toEqual({ note: 'kept' });
    expect(json.weightsManifest).toEqual([
      {
        paths: ['./model.weights.bin'],
        weights: [
          { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' },
          { name: 'dense/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ]);
    model.dispose();
  });

  it('reloads through tfjs-layers and computes what the hand-set weights give', async () => {
    const model = handSetDense();
    const files = unzip(await tfjsModelArchive(model));
    model.dispose();
    const json = JSON.parse(files.get('model.json')!.toString('utf-8')) as tf.io.ModelJSON;
    const weights = files.get('model.weights.bin')!;
    const reloaded = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
      }),
    );
    const x = tf.tensor2d([1, 1, 2, -1], [2, 2]);
    const y = reloaded.predict(x) as tf.Tensor;
    // [1, 1]·K + b = [4.5, 5.5]; [2, -1]·K + b = [-0.5, -0.5].
    expect(Array.from(await y.data())).toEqual([4.5, 5.5, -0.5, -0.5]);
    tf.dispose([x, y]);
    reloaded.dispose();
  });

  it('unzips to a folder that @wavemix/models loads into the same WaveMix classifier', async () => {
    const model = createModel(
      {
        task: 'classification',
        numClasses: 3,
        depth: 1,
        mult: 2,
        ffChannel: 8,
        finalDim: 8,
        dropout: 0,
        level: 1,
        initialConv: 'pachify',
        patchSize: 2,
        inChannels: 1,
        inputSize: [8, 8],
      },
      { classNames: ['a', 'b', 'c'], preprocessing: { colorSpace: 'grayscale', mean: [0.25], std: [0.5] } },
    );
    const directory = mkdtempSync(join(tmpdir(), 'wavemix-archive-'));
    try {
      for (const [name, data] of unzip(await tfjsModelArchive(model))) writeFileSync(join(directory, name), data);
      const predictor = await load(fileSystem(join(directory, 'model.json')));
      expect(predictor.metadata.classNames).toEqual(['a', 'b', 'c']);
      expect(predictor.metadata.preprocessing.mean).toEqual([0.25]);
      const x = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 7);
      const expected = model.predict(x) as tf.Tensor;
      const actual = predictor.model.predict(x) as tf.Tensor;
      // The same bytes for the weights: the same numbers out.
      expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
      tf.dispose([x, expected, actual]);
      predictor.dispose();
    } finally {
      rmSync(directory, { recursive: true, force: true });
      model.dispose();
    }
  });

  it('leaves no tensors behind', async () => {
    const model = handSetDense();
    await tfjsModelArchive(model);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await tfjsModelArchive(model);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a binary (graph-model) topology by name', () => {
    const artifacts = { modelTopology: new ArrayBuffer(8) } as tf.io.ModelArtifacts;
    expect(() => modelJsonFor(artifacts)).toThrow(ViewerInputError);
    expect(() => tfjsArchiveFromArtifacts(artifacts)).toThrow(/binary graph-model topologies/);
  });
});
