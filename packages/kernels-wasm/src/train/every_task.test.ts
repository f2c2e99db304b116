import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createModel, type WaveMixConfig } from '@wavemix/models';
import { useWasmTraining } from '../index';
import { expectClose } from '../testing/compare';

/**
 * Every architecture of the zoo, shrunk (depth 1, width 8), trains on wasm: loss and all gradients
 * equal the cpu backend's (so no kernel is missing and every layer kind's gradient is right:
 * both stems, levels 1-4, both segmentation decoders, sisr, WaveMixSR's bicubic path).
 */
const small = { depth: 1, mult: 2, ffChannel: 8, finalDim: 8, dropout: 0 } as const;
const configs: Array<[string, WaveMixConfig, number[], number]> = [
  [
    'classification, strided stem stride 2, level 2',
    {
      task: 'classification',
      numClasses: 3,
      ...small,
      level: 2,
      initialConv: 'strided',
      stride: 2,
      inputSize: [16, 16],
    },
    [2, 16, 16, 3],
    3,
  ],
  [
    'classification, patchify P2, level 3',
    {
      task: 'classification',
      numClasses: 3,
      ...small,
      level: 3,
      initialConv: 'pachify',
      patchSize: 2,
      inputSize: [16, 16],
    },
    [2, 16, 16, 3],
    3,
  ],
  [
    'classification, level 4',
    {
      task: 'classification',
      numClasses: 3,
      ...small,
      level: 4,
      initialConv: 'strided',
      stride: 1,
      inputSize: [16, 16],
    },
    [2, 16, 16, 3],
    3,
  ],
  [
    'segmentation (SemSegment)',
    { task: 'segmentation', numClasses: 4, ...small, level: 2, stride: 2, inputSize: [16, 16] },
    [2, 16, 16, 3],
    4,
  ],
  [
    'segmentation (classification backbone)',
    {
      task: 'segmentation',
      architecture: 'classification-backbone',
      numClasses: 4,
      ...small,
      level: 2,
      patchSize: 4,
      decoderChannels: [8, 8],
      inputSize: [16, 16],
    },
    [2, 16, 16, 3],
    4,
  ],
  ['super-resolution (sisr)', { task: 'sisr', ...small, level: 1, inputSize: [8, 8] }, [2, 8, 8, 3], 0],
  [
    'super-resolution (WaveMixSR)',
    { task: 'wavemix-sr', ...small, mult: 1, level: 1, inputSize: [8, 8] },
    [2, 8, 8, 3],
    0,
  ],
];

beforeAll(async () => {
  await useWasmTraining();
});

for (const [name, config, inputShape, classes] of configs) {
  test(name, async () => {
    const model = createModel(config);
    const x = tf.randomUniform(inputShape, 0, 1, 'float32', 21);
    const outShape = (model.outputs[0]!.shape as number[]).map((s, i) => (i === 0 ? inputShape[0]! : s));
    const y =
      classes > 0
        ? tf.oneHot(tf.randomUniform(outShape.slice(0, -1), 0, classes, 'int32', 22), classes).toFloat()
        : tf.randomUniform(outShape, 0, 1, 'float32', 22);
    const loss = () => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      return (classes > 0 ? tf.losses.softmaxCrossEntropy(y, out) : tf.losses.meanSquaredError(y, out)) as tf.Scalar;
    };
    const run = async () => {
      const { value, grads } = tf.variableGrads(loss);
      const names = Object.keys(grads).sort();
      const out = {
        loss: (await value.data())[0]!,
        names,
        values: await Promise.all(names.map((n) => grads[n]!.data() as Promise<Float32Array>)),
      };
      tf.dispose([value, grads]);
      return out;
    };
    const onWasm = await run();
    await tf.setBackend('cpu');
    const onCpu = await run();
    await tf.setBackend('wasm');
    expect(onWasm.names).toEqual(onCpu.names);
    expect(onWasm.names.length).toBe(model.trainableWeights.length);
    expect(onWasm.loss).toBeCloseTo(onCpu.loss, 4);
    // The floor is relative to the largest gradient of the model: a conv bias that feeds a
    // BatchNorm has a true gradient of 0, so both backends return rounding noise (~1e-7) for it,
    // and the noise changes with the order the threaded kernels sum in.
    const scale = Math.max(...onCpu.values.map((v) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0)));
    onWasm.values.forEach((v, i) => expectClose(v, onCpu.values[i]!, 2e-3, Math.max(1e-6, 1e-4 * scale)));
    model.dispose();
    tf.dispose([x, y]);
  });
}
