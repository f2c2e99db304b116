import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { WaveMixArgumentError } from '@wavemix/core';
import { resolveConfig } from '../config';
import { countTrainableParams, createModel } from '../create_model';
import { getWaveMixMetadata } from '../metadata';
import { pytorchParameters } from '../pytorch/bridge';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('WaveMixSR-V2 configuration', () => {
  it('fills the official defaults (scale 2, blocks 2, mult 1, dropout 0.3; finalDim 144 as published)', () => {
    expect(resolveConfig({ task: 'wavemix-sr-v2' })).toMatchObject({
      scale: 2,
      depth: 2,
      mult: 1,
      finalDim: 144,
      ffChannel: 576,
      dropout: 0.3,
      level: 1,
      interpolation: 'bicubic',
      inChannels: 3,
    });
  });

  it('refuses scales other than 2, 4, 8, fields of other tasks and non-YCbCr input', () => {
    expect(() => resolveConfig({ task: 'wavemix-sr-v2', scale: 3 })).toThrow(
      /scale: WaveMixSR-V2 supports 2, 4, 8, got 3/,
    );
    expect(() => resolveConfig({ task: 'wavemix-sr-v2', depth: 4 })).toThrow(
      /depth: does not apply to task 'wavemix-sr-v2'/,
    );
    expect(() => resolveConfig({ task: 'wavemix-sr-v2', interpolation: 'bilinear' })).toThrow(
      /interpolation: does not apply/,
    );
    expect(() => resolveConfig({ task: 'wavemix-sr-v2', inChannels: 1 })).toThrow(WaveMixArgumentError);
    expect(() => resolveConfig({ task: 'wavemix-sr-v2', blocks: 0 })).toThrow(/blocks: must be a positive integer/);
    expect(() => resolveConfig({ task: 'wavemix-sr-v2', sr: 4 } as never)).toThrow(/did you mean scale\?/);
  });

  // PyTorch's counts of the official module (computed with the generator script's module): 780,985 at 2x, 1,561,970 at 4x.
  it.each([
    [2, 780_985],
    [4, 1_561_970],
    [8, 2_342_955],
  ])('144/2 at %dx has %d trainable parameters, one 2x stage per factor of 2', (scale, expected) => {
    const model = createModel({ task: 'wavemix-sr-v2', scale, finalDim: 144, blocks: 2, mult: 1, dropout: 0.3 });
    expect(countTrainableParams(model)).toBe(expected);
    const keys = pytorchParameters(model).map((p) => p.key);
    expect(keys.filter((k) => k.endsWith('.path1.1.weight'))).toHaveLength(Math.log2(scale));
    expect(keys).toEqual(
      expect.arrayContaining([
        'SR_blocks.0.path1.1.weight',
        'SR_blocks.0.layers.1.reduction.weight',
        'SR_blocks.0.layers.1.feedforward.0.weight',
        'SR_blocks.0.layers.1.feedforward.3.weight',
        'SR_blocks.0.layers.1.feedforward.5.weight',
        'SR_blocks.0.layers.1.feedforward.6.running_var',
        'SR_blocks.0.final.0.weight',
        'SR_blocks.0.final.1.bias',
      ]),
    );
    expect(getWaveMixMetadata(model)!.preprocessing.colorSpace).toBe('ycbcr');
    model.dispose();
  });

  it('upscales by the scale and does not leak tensors', () => {
    const model = createModel({ task: 'wavemix-sr-v2', scale: 4, finalDim: 8, blocks: 1 });
    const x = tf.randomUniform([1, 5, 3, 3]);
    const first = model.predict(x) as tf.Tensor;
    expect(first.shape).toEqual([1, 20, 12, 3]);
    first.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) (model.predict(x) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('WaveMixSR at 2x, 3x and 4x', () => {
  it('defaults to bicubic at 2x (model.py) and bilinear at 3x and 4x (train_div2k.py); either can be chosen', () => {
    expect(resolveConfig({ task: 'wavemix-sr' })).toMatchObject({ scale: 2, interpolation: 'bicubic' });
    expect(resolveConfig({ task: 'wavemix-sr', scale: 3 })).toMatchObject({ scale: 3, interpolation: 'bilinear' });
    expect(resolveConfig({ task: 'wavemix-sr', scale: 4 })).toMatchObject({ scale: 4, interpolation: 'bilinear' });
    expect(resolveConfig({ task: 'wavemix-sr', scale: 4, interpolation: 'bicubic' })).toMatchObject({
      interpolation: 'bicubic',
    });
    expect(() => resolveConfig({ task: 'wavemix-sr', scale: 8 })).toThrow(/scale: WaveMixSR supports 2, 3, 4, got 8/);
    expect(() => resolveConfig({ task: 'wavemix-sr', interpolation: 'nearest' as never })).toThrow(
      /interpolation: must be 'bicubic' or 'bilinear'/,
    );
    expect(() => resolveConfig({ task: 'sisr', scale: 2 })).toThrow(/scale: does not apply to task 'sisr'/);
    // 3x of an odd size is odd, which a level-1 block cannot halve (the official test scripts trim to even sizes).
    expect(() => resolveConfig({ task: 'wavemix-sr', scale: 3, inputSize: [5, 6] })).toThrow(
      /height 5 is not divisible by 2/,
    );
    expect(resolveConfig({ task: 'wavemix-sr', scale: 4, inputSize: [5, 7] }).inputSize).toEqual([5, 7]);
  });

  it.each([2, 3, 4])('the %dx model has the 1,704,385 parameters of 144/4 and outputs scale x the input', (scale) => {
    const model = createModel({ task: 'wavemix-sr', scale });
    expect(countTrainableParams(model)).toBe(1_704_385);
    expect(model.outputs[0]!.shape).toEqual([null, null, null, 3]);
    const x = tf.zeros([1, 4, 6, 3]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 4 * scale, 6 * scale, 3]);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('saving and loading the super-resolution models (tfjs format)', () => {
  it.each([
    [{ task: 'wavemix-sr-v2', scale: 4, finalDim: 8, blocks: 1 }],
    [{ task: 'wavemix-sr', scale: 3, finalDim: 8, depth: 1, ffChannel: 8 }],
  ] as const)('%j round-trips with PixelShuffle / WaveMixUpsample and predicts the same', async (config) => {
    const model = createModel(config);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const layerClasses = JSON.stringify(saved!.modelTopology);
    expect(layerClasses).toContain(config.task === 'wavemix-sr-v2' ? '"PixelShuffle"' : '"WaveMixUpsample"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomUniform([1, 4, 6, 3], 0, 1, 'float32', 7);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(b.shape).toEqual(a.shape);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
