import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { resolveConfig } from './config';
import { createModel } from './create_model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('resolveConfig', () => {
  it('fills the official defaults of each task', () => {
    expect(resolveConfig({ task: 'classification' })).toMatchObject({
      numClasses: 1000,
      depth: 16,
      mult: 2,
      ffChannel: 192,
      finalDim: 192,
      dropout: 0.5,
      level: 3,
      initialConv: 'pachify',
      patchSize: 4,
      stride: 2,
      inChannels: 3,
      inputSize: null,
    });
    expect(resolveConfig({ task: 'segmentation' })).toMatchObject({
      architecture: 'semsegment',
      numClasses: 20,
      depth: 16,
      mult: 2,
      ffChannel: 256,
      finalDim: 256,
      dropout: 0,
      level: 4,
      stride: 2,
      initialConv: 'strided',
      patchSize: null,
    });
    expect(resolveConfig({ task: 'segmentation', architecture: 'classification-backbone' })).toMatchObject({
      numClasses: 20,
      finalDim: 192,
      depth: 16,
      level: 3,
      initialConv: 'pachify',
      patchSize: 4,
      decoderChannels: [128, 64],
    });
    expect(resolveConfig({ task: 'sisr' })).toMatchObject({
      depth: 4,
      mult: 2,
      ffChannel: 144,
      finalDim: 144,
      dropout: 0,
      level: 1,
      numClasses: null,
    });
    expect(resolveConfig({ task: 'wavemix-sr' })).toMatchObject({
      depth: 4,
      mult: 1,
      ffChannel: 144,
      finalDim: 144,
      dropout: 0.3,
      level: 1,
    });
  });

  it('rejects each invalid field with the constraint and the offending value', () => {
    expect(() => resolveConfig({ task: 'classification', finalDim: 130 })).toThrow(
      /finalDim: must be divisible by 4.*got 130/,
    );
    expect(() => resolveConfig({ task: 'classification', level: 5 })).toThrow(
      /level: must be 1, 2, 3 or 4.*silently builds level-1.*got 5/,
    );
    expect(() => resolveConfig({ task: 'classification', level: 0 })).toThrow(/level.*got 0/);
    expect(() => resolveConfig({ task: 'classification', initialConv: 'patchify' as never })).toThrow(
      /initialConv.*got "patchify"/,
    );
    expect(() => resolveConfig({ task: 'classification', inChannels: 0 })).toThrow(
      /inChannels: must be a positive integer, got 0/,
    );
    expect(() => resolveConfig({ task: 'wavemix-sr', inChannels: 1 })).toThrow(
      /inChannels: WaveMixSR takes YCbCr input, so exactly 3 channels, got 1/,
    );
    expect(() => resolveConfig({ task: 'segmentation', initialConv: 'pachify' })).toThrow(/only the strided stem/);
    expect(() => resolveConfig({ task: 'sisr', numClasses: 10 })).toThrow(/numClasses: does not apply to task 'sisr'/);
    expect(() => resolveConfig({ task: 'classification', final_dim: 64 } as never)).toThrow(
      /final_dim: is not a WaveMix config field \(did you mean finalDim/,
    );
    expect(() => resolveConfig({ task: 'detection' } as never)).toThrow(
      /task: must be one of classification, segmentation, sisr, wavemix-sr, wavemix-sr-v2, got "detection"/,
    );
    expect(() => resolveConfig({ task: 'classification', dropout: -0.1 })).toThrow(/dropout.*got -0.1/);
  });

  it('rejects input sizes the stem and levels cannot divide, saying why', () => {
    expect(() => resolveConfig({ task: 'classification', inputSize: [224, 200] })).toThrow(
      /inputSize: width 200 is not divisible by 32 \(patch size 4 of the pachify stem x 2\^3 for level-3 wave blocks\)/,
    );
    expect(() => resolveConfig({ task: 'segmentation', inputSize: [96, 64] })).toThrow(
      /height 96 is not divisible by 64 \(stride 2 x stride 2 of the strided stem x 2\^4/,
    );
    expect(() =>
      resolveConfig({ task: 'classification', initialConv: 'strided', stride: 1, level: 1, inputSize: [27, 28] }),
    ).toThrow(/height 27 is not divisible by 2/);
    expect(() => resolveConfig({ task: 'sisr', level: 2, inputSize: [30, 32] })).toThrow(
      /height 30 is not divisible by 4/,
    );
    expect(resolveConfig({ task: 'wavemix-sr', inputSize: [7, 5] }).inputSize).toEqual([7, 5]);
    expect(() => resolveConfig({ task: 'classification', inputSize: [224] as never })).toThrow(
      /expected \[height, width\]/,
    );
  });
});

describe('createModel', () => {
  const small = { depth: 1, finalDim: 8, ffChannel: 8, mult: 1 };

  it('builds each task with NHWC input and the documented output', () => {
    const cases: Array<[Parameters<typeof createModel>[0], number[]]> = [
      [{ task: 'classification', ...small, numClasses: 5, inputSize: [32, 32] }, [null, 5] as never],
      [
        {
          task: 'classification',
          ...small,
          numClasses: 5,
          initialConv: 'strided',
          stride: 1,
          level: 1,
          inChannels: 1,
          inputSize: [28, 28],
        },
        [null, 5] as never,
      ],
      [{ task: 'segmentation', ...small, numClasses: 4, level: 2, inputSize: [32, 48] }, [null, 32, 48, 4] as never],
      [
        {
          task: 'segmentation',
          architecture: 'classification-backbone',
          ...small,
          numClasses: 4,
          level: 2,
          decoderChannels: [6, 5],
          inputSize: [32, 32],
        },
        [null, 32, 32, 4] as never,
      ],
      [{ task: 'sisr', ...small, inputSize: [10, 12] }, [null, 20, 24, 3] as never],
      [{ task: 'wavemix-sr', ...small, inputSize: [5, 7] }, [null, 10, 14, 3] as never],
    ];
    for (const [config, outputShape] of cases) {
      const model = createModel(config);
      expect(model.outputs[0]!.shape).toEqual(outputShape);
      model.dispose();
    }
  });

  it('accepts unknown spatial sizes when no inputSize is given', () => {
    const model = createModel({ task: 'segmentation', ...small, numClasses: 3, level: 1 });
    expect(model.inputs[0]!.shape).toEqual([null, null, null, 3]);
    const y = model.predict(tf.zeros([1, 16, 24, 3])) as tf.Tensor;
    expect(y.shape).toEqual([1, 16, 24, 3]);
    y.dispose();
    model.dispose();
  });

  it('ports the strided stem: stride-2 3x3 conv with PyTorch padding 1 is explicit padding + valid', () => {
    const model = createModel({ task: 'segmentation', ...small, numClasses: 3, level: 1 });
    expect(model.getLayer('conv.0.pad').getClassName()).toBe('ZeroPadding2D');
    expect(model.getLayer('conv.0').getConfig()['padding']).toBe('valid');
    expect(model.getLayer('conv.0').getConfig()['strides']).toEqual([2, 2]);
  });
});
