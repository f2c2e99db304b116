import * as tf from '@tensorflow/tfjs';
import { BatchNormTraining } from '@wavemix/core';
import {
  registerWaveMixBatchNormalization,
  WaveMixBatchNormalization,
  waveMixBatchNormalization,
} from './batch_norm_layer';
import { batchNorm } from './wave_block';

/**
 * On cpu (no BatchNormTraining kernel) the layer's training pass is the composite, tf.moments +
 * tf.batchNorm, which is what the stock layer runs: outputs, gradients and moving averages must be
 * the stock layer's bit for bit. The wasm kernels are tested against this composite in
 * @wavemix/kernels-wasm (batch_norm_training.test.ts), the layer on wasm there too.
 */
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const args = { axis: -1, epsilon: 1e-5, momentum: 0.9 };

/** The two layers built on x's shape with the same random gamma and beta. */
function pair(x: tf.Tensor) {
  const ours = waveMixBatchNormalization(args);
  const stock = tf.layers.batchNormalization(args);
  ours.apply(x);
  stock.apply(x);
  const channels = x.shape[x.rank - 1]!;
  const weights = [tf.randomNormal([channels], 1, 0.3, 'float32', 5), tf.randomNormal([channels], 0, 1, 'float32', 6)];
  const moving = [tf.zeros([channels]), tf.ones([channels])];
  ours.setWeights([...weights, ...moving]);
  stock.setWeights([...weights, ...moving]);
  tf.dispose([...weights, ...moving]);
  return { ours, stock };
}

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array(((await t.data()) as Float32Array).slice().buffer));

test('training pass: outputs, gradients in x, gamma and beta, and moving averages equal the stock layer', async () => {
  for (const shape of [
    [2, 5, 6, 8],
    [7, 3],
  ]) {
    const x = tf.add(tf.randomNormal(shape, 0, 2, 'float32', 1), 3);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const { ours, stock } = pair(x);
    for (const layer of [ours, stock]) {
      // Two steps, so the second moving-average update starts from the first's result.
      for (let step = 0; step < 2; step++) {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar,
          layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
        );
        tf.dispose([value, grads]);
      }
    }
    const f = (layer: tf.layers.Layer) =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, dy)))(x);
    const [gOurs, gStock] = [f(ours), f(stock)];
    expect(await bits(gOurs)).toEqual(await bits(gStock));
    const yOurs = ours.apply(x, { training: true }) as tf.Tensor;
    const yStock = stock.apply(x, { training: true }) as tf.Tensor;
    expect(await bits(yOurs)).toEqual(await bits(yStock));
    const [wOurs, wStock] = [ours.getWeights(), stock.getWeights()];
    for (let i = 0; i < 4; i++) expect(await bits(wOurs[i]!)).toEqual(await bits(wStock[i]!));
    // The moving mean moved towards the batch mean (~3): the update ran.
    expect((await wOurs[2]!.data())[0]).toBeGreaterThan(0.5);
    const inference = [ours.apply(x), stock.apply(x)] as tf.Tensor[];
    expect(await bits(inference[0]!)).toEqual(await bits(inference[1]!));
    tf.dispose([x, dy, gOurs, gStock, yOurs, yStock, ...inference]);
  }
});

test('parameter gradients equal the stock layer', async () => {
  const x = tf.randomNormal([3, 4, 4, 4], 1, 1, 'float32', 3);
  const { ours, stock } = pair(x);
  const grads = (layer: tf.layers.Layer) =>
    tf.variableGrads(
      () => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
      layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    );
  const [a, b] = [grads(ours), grads(stock)];
  const names = (g: tf.NamedTensorMap) => Object.keys(g).sort();
  expect(names(a.grads).length).toBe(2);
  for (const [ka, kb] of names(a.grads).map((k, i) => [k, names(b.grads)[i]!])) {
    expect(await bits(a.grads[ka!]!)).toEqual(await bits(b.grads[kb!]!));
  }
  tf.dispose([x, a.value, b.value, a.grads, b.grads]);
});

test('saved as a stock BatchNormalization: same class name and config; loads as the stock layer', async () => {
  const layer = batchNorm('block.5');
  expect(layer).toBeInstanceOf(WaveMixBatchNormalization);
  expect(layer.getClassName()).toBe('BatchNormalization');
  const stock = tf.layers.batchNormalization({ ...args, name: 'block.5' });
  expect(layer.getConfig()).toEqual(stock.getConfig());
  const input = tf.input({ shape: [4, 4, 8] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) } as never);
  const restoredLayer = restored.getLayer('block.5');
  expect(restoredLayer.getClassName()).toBe('BatchNormalization');
  expect(restoredLayer).not.toBeInstanceOf(WaveMixBatchNormalization);
  model.dispose();
  restored.dispose();
});

test('a normalised axis other than the last runs the stock pass', async () => {
  expect(tf.getKernel(BatchNormTraining, 'cpu')).toBeUndefined();
  const x = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 4);
  // (The stock layer cannot train without center and scale: it reads a null gamma.)
  for (const config of [{ axis: 1 }, { axis: 2 }]) {
    const ours = waveMixBatchNormalization(config);
    const stock = tf.layers.batchNormalization(config);
    const [a, b] = [ours.apply(x, { training: true }), stock.apply(x, { training: true })] as tf.Tensor[];
    expect(await bits(a!)).toEqual(await bits(b!));
    tf.dispose([a!, b!]);
  }
  x.dispose();
});

test('a training step leaks no tensors', () => {
  const x = tf.randomNormal([2, 3, 3, 4]);
  const layer = waveMixBatchNormalization(args);
  layer.apply(x);
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    );
    tf.dispose([value, grads]);
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
});

test('registerWaveMixBatchNormalization: deserialized BatchNormalizations are ours until undone', async () => {
  const input = tf.input({ shape: [3, 3, 4] });
  const stock = tf.layers.batchNormalization({ ...args, name: 'bn' });
  const model = tf.model({ inputs: input, outputs: stock.apply(input) as tf.SymbolicTensor });
  const topology = { modelTopology: model.toJSON(undefined, false) } as never;
  const undo = registerWaveMixBatchNormalization();
  try {
    const restored = await tf.models.modelFromJSON(topology);
    expect(restored.getLayer('bn')).toBeInstanceOf(WaveMixBatchNormalization);
    expect(restored.getLayer('bn').getConfig()).toEqual(stock.getConfig());
    restored.dispose();
  } finally {
    undo();
  }
  const after = await tf.models.modelFromJSON(topology);
  expect(after.getLayer('bn')).not.toBeInstanceOf(WaveMixBatchNormalization);
  after.dispose();
  model.dispose();
});
