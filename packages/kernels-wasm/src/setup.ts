import * as tf from '@tensorflow/tfjs-core';
import { registerKernelsOnce, WaveMixError } from '@wavemix/core';
import { wasmKernelConfigs } from './base';
import { prepareWasmTrainingKernels } from './train/module';
import { registerWasmTrainingKernels } from './train/register_training';

/**
 * Makes the wasm backend able to train any convolutional network, fast, and selects it:
 * registers the WaveMix kernels and the training kernels (see `registerWasmTrainingKernels`),
 * compiles our kernel module, loads @tensorflow/tfjs-backend-wasm if nobody has, and calls
 * `tf.setBackend('wasm')`. Idempotent. Gradients: import '@tensorflow/tfjs' (or register the
 * tfjs-core gradients) as for any tfjs training.
 */
export async function useWasmTraining(): Promise<void> {
  if (tf.findBackendFactory('wasm') == null) await import('@tensorflow/tfjs-backend-wasm');
  registerKernelsOnce(wasmKernelConfigs);
  registerWasmTrainingKernels();
  await prepareWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new WaveMixError('tf.setBackend("wasm") failed');
  await tf.ready();
}

/**
 * Selects the fastest backend for training in Node and returns its name: `tensorflow`
 * (tfjs-node) if registered, else `wasm` with our training kernels, else `cpu`.
 */
export async function setupFastestNodeBackend(): Promise<'tensorflow' | 'wasm' | 'cpu'> {
  if (tf.findBackendFactory('tensorflow') != null && (await tf.setBackend('tensorflow'))) return 'tensorflow';
  try {
    await useWasmTraining();
    return 'wasm';
  } catch (error) {
    console.warn(
      `@wavemix/kernels-wasm: the wasm backend is unavailable (${error instanceof Error ? error.message : String(error)}); using cpu`,
    );
    if (!(await tf.setBackend('cpu')))
      throw new WaveMixError('no tfjs backend could be initialised (tensorflow, wasm, cpu)');
    return 'cpu';
  }
}
