// A whole WaveMix training step on webgpu (Dawn, SwiftShader here): after the first step has
// compiled every program, later steps with new data of the same shape compile none (issue 14),
// read nothing back synchronously, and leave no tensors behind. Kept tiny: SwiftShader runs a
// training step ~150x slower than the wasm path.
import './node_webgpu_setup';
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { createModel } from '@wavemix/models';
import { AdamW, classificationLoss } from '@wavemix/models/training';
import './index';

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  await tf.ready();
});

afterAll(() => tf.removeBackend('webgpu'));

function pipelineCount(): number {
  return Object.keys((tf.backend() as unknown as { pipelineCache: object }).pipelineCache).length;
}

test('steps after warm-up compile no new pipelines, read back only the loss, and leak nothing', async () => {
  const model = createModel({
    task: 'classification',
    numClasses: 10,
    depth: 2,
    mult: 2,
    ffChannel: 8,
    finalDim: 8,
    dropout: 0.1,
    level: 1,
    initialConv: 'strided',
    stride: 1,
    inChannels: 1,
    inputSize: [8, 8],
  });
  const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 0.01, epsilon: 1e-8 });
  const step = async (seed: number, batch = 4) => {
    const x = tf.randomNormal([batch, 8, 8, 1], 0, 1, 'float32', seed);
    const y = tf.tensor1d([seed % 10, 1, 2, 3].slice(0, batch), 'int32');
    const loss = optimizer.minimize(
      () => classificationLoss(model.apply(x, { training: true }) as tf.Tensor, y),
      true,
    )!;
    const value = (await loss.data())[0]!;
    tf.dispose([x, y, loss]);
    return value;
  };
  const syncRead = jest.spyOn(tf.backend(), 'readSync');
  const first = await step(1);
  await step(2); // optimizer slots and bias corrections exist from here on
  const pipelines = pipelineCount();
  const tensors = tf.memory().numTensors;
  const losses = [await step(3), await step(4), await step(5)];
  expect(pipelineCount()).toBe(pipelines);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(syncRead).not.toHaveBeenCalled();
  for (const loss of [first, ...losses]) expect(Number.isFinite(loss)).toBe(true);
  // The count does see compiles: tfjs-webgpu keys some programs by shape, so a new batch size compiles.
  await step(6, 2);
  expect(pipelineCount()).toBeGreaterThan(pipelines);
  syncRead.mockRestore();
  model.dispose();
  optimizer.dispose();
}, 120_000);
