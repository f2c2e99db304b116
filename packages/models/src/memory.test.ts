import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from './create_model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tensor hygiene', () => {
  it('100 predict calls leave no tensors behind', () => {
    for (const config of [
      {
        task: 'classification',
        depth: 2,
        finalDim: 8,
        ffChannel: 8,
        numClasses: 4,
        level: 2,
        patchSize: 2,
        inputSize: [16, 16],
      },
      { task: 'segmentation', depth: 1, finalDim: 8, ffChannel: 8, numClasses: 3, level: 1, inputSize: [16, 16] },
    ] as const) {
      const model = createModel(config as never);
      const x = tf.randomUniform([2, 16, 16, 3]);
      tf.dispose(model.predict(x) as tf.Tensor);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) tf.dispose(model.predict(x) as tf.Tensor);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    }
  });

  it('20 training steps of a small model leave no tensors behind, and it learns', async () => {
    const model = createModel({
      task: 'classification',
      depth: 2,
      finalDim: 8,
      ffChannel: 8,
      mult: 2,
      numClasses: 3,
      level: 1,
      dropout: 0.1,
      initialConv: 'strided',
      stride: 1,
      inChannels: 1,
      inputSize: [8, 8],
    });
    model.compile({
      optimizer: tf.train.adam(0.01),
      loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
    });
    const x = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 11);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const first = (await model.trainOnBatch(x, y)) as number; // creates the optimizer's slots
    await model.trainOnBatch(x, y);
    const before = tf.memory().numTensors;
    let last = first;
    for (let step = 0; step < 20; step++) last = (await model.trainOnBatch(x, y)) as number;
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    // BatchNorm moving statistics were updated by training (they start at 0 / 1).
    const movingMean = model.getLayer('layers.0.feedforward.5').getWeights()[2]!;
    expect(Math.max(...Array.from(movingMean.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    tf.dispose([x, y]);
    model.dispose();
  });
});
