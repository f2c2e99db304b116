import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AdamW, createModel } from '@wavemix/models';
import { readCheckpoint, restoreModelWeights, restoreOptimizer, saveCheckpoint, type TrainState } from './checkpoint';

const CONFIG = {
  task: 'classification',
  depth: 1,
  mult: 1,
  ffChannel: 4,
  finalDim: 4,
  dropout: 0,
  level: 1,
  initialConv: 'strided',
  stride: 1,
  numClasses: 3,
  inChannels: 1,
  inputSize: [8, 8],
} as const;

const state: TrainState = {
  configHash: 'abc',
  config: { lr: 0.001 },
  epoch: 2,
  step: 17,
  pipeline: null,
  rng: [1, 2, 3, 4],
  phase: 'adamw',
  phaseStartEpoch: 0,
  bestMetric: 0.5,
  bestEpoch: 1,
  epochsWithoutImprovement: 1,
  elapsedSeconds: 12.5,
  finished: false,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function trainedPair(): Promise<{ model: tf.LayersModel; optimizer: AdamW }> {
  const model = createModel({ ...CONFIG, inputSize: [8, 8] });
  const optimizer = new AdamW({ learningRate: 0.01 });
  const x = tf.randomNormal([2, 8, 8, 1]);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
    variables,
  );
  optimizer.applyGradients(grads);
  tf.dispose([x, value, ...Object.values(grads)]);
  return { model, optimizer };
}

test('weights (incl. BatchNorm statistics), optimizer state and training state round-trip', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  const file = join(dir, 'last.safetensors');
  const { model, optimizer } = await trainedPair();
  await saveCheckpoint(file, model, optimizer, state);
  expect(readdirSync(dir)).toEqual(['last.safetensors']);

  const loaded = readCheckpoint(file);
  expect(loaded.state).toEqual(state);
  const fresh = createModel(CONFIG);
  restoreModelWeights(fresh, loaded.model, file);
  model.weights.forEach((w, i) =>
    expect(Array.from(fresh.weights[i]!.read().dataSync())).toEqual(Array.from(w.read().dataSync())),
  );
  expect(fresh.weights.some((w) => w.originalName.includes('moving_mean'))).toBe(true);

  const freshOptimizer = new AdamW({ learningRate: 0.01 });
  await restoreOptimizer(freshOptimizer, fresh, loaded.optimizer);
  const names = (await freshOptimizer.getWeights()).map((w) => w.name);
  expect(names[0]).toBe('step');
  expect(names).toContain(`${fresh.trainableWeights[0]!.name}/m`);
});

test('a checkpoint of another architecture is refused with the differences', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  const file = join(dir, 'last.safetensors');
  const { model, optimizer } = await trainedPair();
  await saveCheckpoint(file, model, optimizer, state);
  const other = createModel({ ...CONFIG, numClasses: 5 });
  expect(() => restoreModelWeights(other, readCheckpoint(file).model, file)).toThrow(
    /does not fit the model:[\s\S]*pool\.2.*\[4,3\] vs model \[4,5\]/,
  );
});

test('a torn or foreign file is an error, not garbage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  const torn = join(dir, 'torn.safetensors');
  writeFileSync(torn, new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123]));
  expect(() => readCheckpoint(torn)).toThrow(/torn\.safetensors/);
  expect(() => readCheckpoint(join(dir, 'none.safetensors'))).toThrow(/no checkpoint/);
  const foreign = join(dir, 'weights.safetensors');
  writeFileSync(foreign, readFileSync(join(__dirname, '../../../fixtures/pytorch/wavemixsr_l1/io.safetensors')));
  expect(() => readCheckpoint(foreign)).toThrow(/not a wavemix-checkpoint/);
});
