import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModel } from './create_model';
import { getWaveMixMetadata } from './metadata';
import { fileSystem, registerFileSystemRouter } from './node';
import { loadPyTorchWeights } from './pytorch/bridge';
import { modelFixtures, readBytes } from './testing/fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixture = modelFixtures().find((f) => f.name === 'wavemix_l3_patchify_p4')!;
let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wavemix-models-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function trainedModel(): tf.LayersModel {
  const model = createModel(fixture.config);
  loadPyTorchWeights(model, readBytes(path.join(fixture.dir, 'model.safetensors')));
  return model;
}

async function toMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

function expectSamePredictions(a: tf.LayersModel, b: tf.LayersModel) {
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 3);
  const ya = a.predict(x) as tf.Tensor;
  const yb = b.predict(x) as tf.Tensor;
  expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
  tf.dispose([x, ya, yb]);
}

describe('tfjs save / load', () => {
  it('round-trips through model.save and tf.loadLayersModel, keeping weights and WaveMix metadata', async () => {
    const model = trainedModel();
    const artifacts = await toMemory(model);
    const topology = artifacts.modelTopology as { config: { layers: Array<{ class_name: string }> } };
    const classes = new Set(topology.config.layers.map((l) => l.class_name));
    // Plain Keras layers plus our one custom layer.
    expect([...classes].sort()).toEqual(
      [
        'Activation',
        'Add',
        'BatchNormalization',
        'Concatenate',
        'Conv2D',
        'Conv2DTranspose',
        'DWT2D',
        'Dense',
        'WaveMixDropout',
        'GlobalAveragePooling2D',
        'InputLayer',
      ].sort(),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expectSamePredictions(model, loaded);
    expect(getWaveMixMetadata(loaded)?.config).toEqual(getWaveMixMetadata(model)?.config);
  });

  it('saves to and loads from the file system atomically (Node IOHandler)', async () => {
    const model = trainedModel();
    const directory = path.join(scratch, 'nested', 'model');
    const result = await model.save(fileSystem(directory));
    expect(result.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0);
    expect(fs.readdirSync(directory).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(directory, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.userDefinedMetadata.wavemix.format).toBe('wavemix-js/1');
    expectSamePredictions(model, await tf.loadLayersModel(fileSystem(directory)));
    expectSamePredictions(model, await tf.loadLayersModel(fileSystem(`file://${directory}/model.json`)));
    // Saving again replaces both files and leaves no temporary file behind.
    await model.save(fileSystem(directory));
    expect(fs.readdirSync(directory).sort()).toEqual(['model.json', 'weights.bin']);
    // A save that cannot complete (model.json is a directory) leaves the weights file whole and no temporaries.
    const blocked = path.join(scratch, 'blocked');
    fs.mkdirSync(path.join(blocked, 'model.json'), { recursive: true });
    await expect(model.save(fileSystem(blocked))).rejects.toThrow();
    expect(fs.readdirSync(blocked).sort()).toEqual(['model.json', 'weights.bin']);
    expect(fs.statSync(path.join(blocked, 'weights.bin')).size).toBe(result.modelArtifactsInfo.weightDataBytes);
  });

  it('serves file:// URLs once registerFileSystemRouter() is called', async () => {
    registerFileSystemRouter();
    registerFileSystemRouter(); // idempotent
    const model = trainedModel();
    await model.save(`file://${scratch}`);
    expectSamePredictions(model, await tf.loadLayersModel(`file://${scratch}/model.json`));
  });

  it('round-trips WaveMixSR with its bicubic and channel-slice layers', async () => {
    const sr = modelFixtures().find((f) => f.name === 'wavemixsr_l1')!;
    const model = createModel(sr.config);
    loadPyTorchWeights(model, readBytes(path.join(sr.dir, 'model.safetensors')));
    const artifacts = await toMemory(model);
    const topology = artifacts.modelTopology as { config: { layers: Array<{ class_name: string }> } };
    const custom = topology.config.layers
      .map((l) => l.class_name)
      .filter((c) => ['DWT2D', 'ChannelSlice', 'BicubicUpsample2x'].includes(c));
    expect(new Set(custom)).toEqual(new Set(['DWT2D', 'ChannelSlice', 'BicubicUpsample2x']));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const x = tf.randomUniform([1, 10, 14, 3], 0, 1, 'float32', 5);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(b.shape).toEqual([1, 20, 28, 3]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('reports missing files clearly', async () => {
    await expect(tf.loadLayersModel(fileSystem(path.join(scratch, 'nothing')))).rejects.toThrow(/does not exist/);
  });
});

describe('loading needs only our package', () => {
  it('fails in a fresh tfjs without @wavemix/models and works once it is imported', async () => {
    const artifacts = await toMemory(trainedModel());
    const json = JSON.parse(JSON.stringify({ ...artifacts, weightData: undefined }));
    const weightData = artifacts.weightData;
    let withoutPackage: Promise<unknown> | undefined;
    let withPackage: Promise<tf.LayersModel> | undefined;
    jest.isolateModules(() => {
      const fresh = require('@tensorflow/tfjs') as typeof tf;
      // The engine is global and the fresh tfjs-layers names variables afresh: start from none.
      fresh.disposeVariables();
      withoutPackage = fresh.loadLayersModel(fresh.io.fromMemory({ ...json, weightData }));
    });
    await expect(withoutPackage).rejects.toThrow(/Unknown layer: DWT2D/);
    jest.isolateModules(() => {
      const fresh = require('@tensorflow/tfjs') as typeof tf;
      fresh.disposeVariables();
      require('@wavemix/models');
      withPackage = fresh.loadLayersModel(fresh.io.fromMemory({ ...json, weightData }));
    });
    const loaded = await withPackage!;
    expect(loaded.getLayer('layers.0.dwt').getClassName()).toBe('DWT2D');
  });
});
