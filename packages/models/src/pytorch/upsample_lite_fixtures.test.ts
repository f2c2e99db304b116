/**
 * The upsampling WaveMix-Lite (ConvTranspose2d replaced by nn.Upsample x2) against the PyTorch
 * reference of fixtures/pytorch/wavemix_lite_upsample/ (packages/models/scripts/make-upsample-lite-fixtures.py):
 * outputs to 1e-4, input and parameter gradients of sum(y * w) to 1e-3, on cpu and wasm; the
 * PyTorch state_dict round trip; config validation and serialisation.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// The wasm backend as shipped has no Conv2DBackpropFilter; the training kernels come from here.
import '@wavemix/kernels-wasm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors } from '@wavemix/core';
import { Upsample2x } from '@wavemix/layers';
import { resolveConfig, type WaveMixConfig } from '../config';
import { countTrainableParams, createModel } from '../create_model';
import { describeErrors, fixtureErrors } from '../testing/fixture_check';
import { FIXTURE_ROOT, readBytes, type ModelFixture } from '../testing/fixtures';
import { exportPyTorchWeights, loadPyTorchWeights } from './bridge';

const ROOT = path.join(FIXTURE_ROOT, 'wavemix_lite_upsample');

function fixture(mode: 'nearest' | 'bilinear'): ModelFixture {
  const dir = path.join(ROOT, mode);
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const kwargs = raw.pytorch_kwargs as Record<string, unknown>;
  const [, channels, height, width] = raw.input_shape_nchw as [number, number, number, number];
  const config: WaveMixConfig = {
    task: 'classification',
    numClasses: kwargs['num_classes'] as number,
    depth: kwargs['depth'] as number,
    mult: kwargs['mult'] as number,
    ffChannel: kwargs['ff_channel'] as number,
    finalDim: kwargs['final_dim'] as number,
    dropout: kwargs['dropout'] as number,
    level: kwargs['level'] as number,
    initialConv: kwargs['initial_conv'] as 'strided' | 'pachify',
    ...(kwargs['patch_size'] ? { patchSize: kwargs['patch_size'] as number } : {}),
    ...(kwargs['stride'] ? { stride: kwargs['stride'] as number } : {}),
    upsample: kwargs['upsample'] as 'nearest' | 'bilinear',
    inChannels: channels,
    inputSize: [height, width],
  };
  return {
    name: `upsample ${mode}`,
    dir,
    config,
    trainableParams: raw.trainable_params,
    inputShapeNchw: raw.input_shape_nchw,
    hasPth: false,
  };
}

const summary: string[] = [];
afterAll(async () => {
  await tf.setBackend('cpu');
  if (summary.length)
    console.log(`upsampling Lite vs PyTorch (relative to each reference's max |value|):\n${summary.join('\n')}`);
});

describe.each(['cpu', 'wasm'])('on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each(['nearest', 'bilinear'] as const)(
    '%s: matches the PyTorch nn.Upsample Lite (outputs 1e-4, gradients 1e-3)',
    (mode) => {
      const reference = fixture(mode);
      const errors = fixtureErrors(reference);
      expect(errors.trainableParams).toBe(reference.trainableParams);
      expect(errors.output).toBeLessThan(1e-4);
      expect(errors.inputGrad).toBeLessThan(1e-3);
      expect([...errors.paramGrads.keys()].sort()).toEqual([...errors.expectedParamKeys].sort());
      for (const [key, error] of errors.paramGrads) expect([key, error < 1e-3]).toEqual([key, true]);
      summary.push(describeErrors(`${backend} ${mode}`, errors));
    },
  );
});

describe('upsample config', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('defaults to the official ConvTranspose and refuses what nn.Upsample cannot replace', () => {
    expect(resolveConfig({ task: 'classification' }).upsample).toBe('convtranspose');
    expect(resolveConfig({ task: 'classification', level: 1, upsample: 'nearest' }).upsample).toBe('nearest');
    expect(() => resolveConfig({ task: 'classification', level: 1, ffChannel: 96, upsample: 'bilinear' })).toThrow(
      /upsample: 'bilinear' replaces the ConvTranspose2d.*ffChannel 96 and a unit with 192 output channels/,
    );
    // Level-3 blocks have units of c/2 and c outputs: no single ffChannel fits both.
    expect(() => resolveConfig({ task: 'classification', level: 3, upsample: 'nearest' })).toThrow(
      /unit with 96 output channels.*or level 1/,
    );
    expect(() => resolveConfig({ task: 'classification', level: 1, upsample: 'bicubic' as never })).toThrow(
      /upsample: must be one of convtranspose, nearest, bilinear, got "bicubic"/,
    );
  });

  it('Lite-8/10 with upsampling has exactly the README 3,566 parameters (13,886 with ConvTranspose)', () => {
    const lite = {
      task: 'classification',
      numClasses: 10,
      depth: 10,
      mult: 2,
      ffChannel: 8,
      finalDim: 8,
      dropout: 0,
      level: 1,
      initialConv: 'strided',
      stride: 1,
      inChannels: 1,
      inputSize: [28, 28],
    } as const;
    for (const [upsample, params] of [
      ['nearest', 3_566],
      ['bilinear', 3_566],
      ['convtranspose', 13_886],
    ] as const) {
      const model = createModel({ ...lite, upsample });
      expect([upsample, countTrainableParams(model)]).toEqual([upsample, params]);
      model.dispose();
    }
  });

  it('serialises through getConfig and exports the nn.Upsample state_dict layout', () => {
    const reference = fixture('bilinear');
    const model = createModel(reference.config);
    loadPyTorchWeights(model, readBytes(path.join(reference.dir, 'model.safetensors')));
    const layer = model.getLayer('layers.1.feedforward.4');
    expect(layer).toBeInstanceOf(Upsample2x);
    expect(layer.getConfig()).toMatchObject({ name: 'layers.1.feedforward.4', mode: 'bilinear' });
    // Rebuilt from its JSON (layers resolved through the serialization registry) it computes the same.
    const rebuilt = tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) } as never);
    return rebuilt.then((copy) => {
      copy.setWeights(model.getWeights());
      const x = tf.randomUniform([2, 12, 16, 3], 0, 1, 'float32', 5);
      const a = model.predict(x) as tf.Tensor;
      const b = copy.predict(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
      // The export has the PyTorch module's keys: no `feedforward.4` entries.
      const exported = readSafetensors(exportPyTorchWeights(model));
      const official = readSafetensors(readBytes(path.join(reference.dir, 'model.safetensors')));
      const keys = [...exported.tensors.keys()].filter((k) => !k.endsWith('num_batches_tracked')).sort();
      expect(keys).toEqual([...official.tensors.keys()].sort());
      expect(keys.some((k) => k.includes('feedforward.4'))).toBe(false);
      tf.dispose([x, a, b]);
      model.dispose();
      copy.dispose();
    });
  });

  it('leaks no tensors over repeated training steps', () => {
    const model = createModel(fixture('nearest').config);
    const x = tf.randomUniform([2, 12, 10, 1], 0, 1, 'float32', 3);
    const step = () =>
      tf.tidy(() => tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar).grads);
    tf.dispose(Object.values(step()));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(Object.values(step()));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
