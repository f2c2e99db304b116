/**
 * A data-parallel replica: rebuilds the model from its topology, keeps its weights in step with
 * the main thread's, and computes loss and gradients (or predictions) for one shard of a batch.
 * Custom layer classes come from the modules named in `init.imports` (DataParallel's `imports`
 * option), never from a list here.
 */
import * as tf from '@tensorflow/tfjs';
import { leanVariableGrads, seededRandom, WaveMixError } from '@wavemix/core';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { registerWaveMixBatchNormalization } from '@wavemix/layers';
import { computeLoss, countCorrect, type LossName, type LossOptions } from '@wavemix/models/training';
import { parentPort } from 'node:worker_threads';
import type { TensorPayload, WeightUpdate, WorkerReply, WorkerRequest } from './protocol';

let model: tf.LayersModel | null = null;
let loss: LossName = 'softmaxCrossEntropy';
let lossOptions: LossOptions = {};

const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(reply, transfer);
const toTensor = (p: TensorPayload) => tf.tensor(p.data, p.shape, p.dtype);

function setWeights(updates: WeightUpdate[]): void {
  const weights = model!.weights;
  for (const { index, data } of updates) {
    const variable = weights[index]!;
    const value = tf.tensor(data, variable.shape as number[], 'float32');
    variable.write(value);
    value.dispose();
  }
}

/** tfjs names an unregistered class only as "Unknown layer: X"; say how to register it. */
async function buildModel(topology: unknown, imports: string[]): Promise<tf.LayersModel> {
  try {
    return await tf.models.modelFromJSON({
      modelTopology: topology as tf.io.ModelJSON['modelTopology'],
    } as tf.io.ModelJSON);
  } catch (error) {
    const unknown = /Unknown layer: (\w+)/.exec((error as Error).message);
    if (!unknown) throw error;
    throw new WaveMixError(
      `Unknown layer: ${unknown[1]} in the worker (imports: ${imports.length ? imports.join(', ') : 'none'}); ` +
        'pass the module that registers it in DataParallel.create(model, { imports: [...] })',
    );
  }
}

async function handle(message: WorkerRequest): Promise<void> {
  switch (message.type) {
    case 'init': {
      for (const specifier of message.imports) await import(specifier);
      if (message.backend === 'wasm') await useWasmTraining();
      else await tf.setBackend(message.backend);
      // The topology names tfjs' BatchNormalization; the main thread's model (createModel) trains
      // WaveMixBatchNormalization, the same function with the fused training pass: use it here too.
      registerWaveMixBatchNormalization();
      loss = message.loss;
      lossOptions = message.lossOptions;
      model = await buildModel(message.topology, message.imports);
      post({ type: 'ready', backend: tf.getBackend() });
      return;
    }
    case 'grads': {
      setWeights(message.weights);
      Math.random = seededRandom(message.seed);
      const x = toTensor(message.x);
      const y = toTensor(message.y);
      let correct: tf.Scalar | null = null;
      const { value, grads } = leanVariableGrads(() => {
        const output = model!.apply(x, { training: true }) as tf.Tensor;
        const count = countCorrect(loss, output, y, lossOptions);
        correct = count ? tf.keep(count) : null;
        return computeLoss(loss, output, y, lossOptions);
      });
      // sync-read: a worker thread runs the wasm or cpu backend only (DataParallel's backend option); reads are synchronous copies there.
      const arrays = model!.trainableWeights.map((w) => grads[w.name]!.dataSync() as Float32Array);
      const lossValue = value.dataSync()[0]!; // sync-read: as above
      const correctValue = correct ? (correct as tf.Scalar).dataSync()[0]! : null; // sync-read: as above
      tf.dispose([x, y, value, grads, correct ?? []]);
      post(
        { type: 'grads', id: message.id, loss: lossValue, correct: correctValue, grads: arrays },
        arrays.map((a) => a.buffer as ArrayBuffer),
      );
      return;
    }
    case 'predict': {
      setWeights(message.weights);
      const y = tf.tidy(() => model!.apply(toTensor(message.x), { training: false }) as tf.Tensor);
      const data = y.dataSync() as Float32Array; // sync-read: wasm/cpu worker, as above
      post({ type: 'predict', id: message.id, y: { data, shape: y.shape, dtype: y.dtype } }, [
        data.buffer as ArrayBuffer,
      ]);
      y.dispose();
      return;
    }
    case 'close':
      model?.dispose();
      parentPort!.close();
      return;
  }
}

parentPort!.on('message', (message: WorkerRequest) => {
  handle(message).catch((error: Error) => {
    post({
      type: 'error',
      id: 'id' in message ? message.id : undefined,
      name: error.name,
      message: error.message,
      stack: error.stack,
    });
  });
});
