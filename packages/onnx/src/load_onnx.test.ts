import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WaveMixPredictor, createModel, getWaveMixMetadata, loadPyTorchWeights } from '@wavemix/models';
import { WaveMixError } from '@wavemix/core';
import { WaveMixOnnxFormatError } from './errors';
import { exportOnnx } from './export_onnx';
import { loadOnnx } from './load_onnx';
import { modelFixtures, randomArray, randomizeBatchNorm, readBytes, seeded } from './testing/helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function fixtureModel(name: string, classNames?: string[]) {
  const fixture = modelFixtures().find((f) => f.name === name)!;
  const model = createModel(fixture.config, classNames ? { classNames } : {});
  loadPyTorchWeights(model, readBytes(path.join(fixture.dir, 'model.safetensors')));
  return model;
}

function pixels(width: number, height: number, seed: number) {
  return { data: Uint8Array.from(randomArray(width * height * 4, seeded(seed), 0, 255), Math.round), width, height };
}

describe('loadOnnx: the same answers as @wavemix/models load()', () => {
  it('classify', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `kind ${i}`);
    const model = fixtureModel('wavemix_l3_patchify_p4', names);
    const reference = new WaveMixPredictor(model, getWaveMixMetadata(model)!);
    const predictor = await loadOnnx(await exportOnnx(model));
    expect(predictor.task).toBe('classification');
    const image = pixels(40, 36, 1); // resized to the model's 32x32 input
    const expected = await reference.classify(image, 3);
    const actual = await predictor.classify(image, 3);
    expect(actual.map((c) => c.className)).toEqual(expected.map((c) => c.className));
    actual.forEach((c, i) => expect(c.probability).toBeCloseTo(expected[i]!.probability, 5));
    await predictor.dispose();
    model.dispose();
  });

  it('segment, from a file path', async () => {
    const model = fixtureModel('segment_l2_s2');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wavemix-onnx-')), 'segment.onnx');
    fs.writeFileSync(file, await exportOnnx(model));
    const reference = new WaveMixPredictor(model, getWaveMixMetadata(model)!);
    const predictor = await loadOnnx(file, { executionProviders: ['cpu'] });
    const image = pixels(48, 32, 2);
    const expected = await reference.segment(image);
    const actual = await predictor.segment(image);
    expect([actual.width, actual.height, actual.numClasses]).toEqual([48, 32, 5]);
    expect(Array.from(actual.labels)).toEqual(Array.from(expected.labels));
    await predictor.dispose();
    model.dispose();
  });

  it.each([['sisr-wavemix-144-4'], ['wavemixsr-144-4'], ['wavemixsr-v2-144-2-x2']])('upscale (%s)', async (name) => {
    const model = createModel(name, { overrides: name.includes('-v2-') ? { blocks: 1 } : { depth: 1 } });
    randomizeBatchNorm(model, 5);
    const reference = new WaveMixPredictor(model, getWaveMixMetadata(model)!);
    const predictor = await loadOnnx(await exportOnnx(model), { graphOptimizationLevel: 'disabled' });
    const image = pixels(10, 6, 3);
    const expected = await reference.upscale(image);
    const actual = await predictor.upscale(image);
    expect([actual.width, actual.height]).toEqual([20, 12]);
    let worst = 0;
    actual.data.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - expected.data[i]!));
    });
    expect(worst).toBeLessThanOrEqual(1); // rounding to bytes
    await predictor.dispose();
    model.dispose();
  });

  it('is tidy: repeated calls keep the tensor count', async () => {
    const model = fixtureModel('wavemix_lite_l1_strided_s1');
    const predictor = await loadOnnx(await exportOnnx(model));
    await predictor.warmup();
    const image = pixels(16, 16, 4);
    await predictor.classify(image);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await predictor.classify(image, 2);
    expect(tf.memory().numTensors).toBe(before);
    await predictor.dispose();
    await expect(predictor.classify(image)).rejects.toThrow(/classify\(\): this model has been disposed/);
    model.dispose();
  });

  it('refuses the wrong method, and a file without WaveMix metadata', async () => {
    const model = fixtureModel('wavemix_lite_l1_strided_s1');
    const predictor = await loadOnnx(await exportOnnx(model));
    await expect(predictor.upscale(pixels(16, 16, 5))).rejects.toThrow(WaveMixError);
    await expect(predictor.upscale(pixels(16, 16, 5))).rejects.toThrow(
      "upscale() needs a sisr or wavemix-sr or wavemix-sr-v2 model; this one is 'classification'",
    );
    await predictor.dispose();
    const stripped = tf.model({ inputs: model.inputs, outputs: model.outputs }); // no user metadata
    const error = await loadOnnx(await exportOnnx(stripped)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaveMixOnnxFormatError);
    expect((error as Error).message).toBe(
      "ONNX bytes: no 'wavemix' entry in metadata_props; pass options.metadata to describe the model",
    );
    const described = await loadOnnx(await exportOnnx(stripped), { metadata: getWaveMixMetadata(model)! });
    expect(await described.classify(pixels(16, 16, 6), 1)).toHaveLength(1);
    await described.dispose();
    await expect(loadOnnx('/no/such/model.onnx')).rejects.toThrow(/^\/no\/such\/model\.onnx: cannot read/);
    model.dispose();
  });
});
