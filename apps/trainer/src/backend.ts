/**
 * Backend selection for Node. `auto` picks the fastest available: the TensorFlow C library
 * (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`) when installed, else WebAssembly
 * with our training kernels, else the plain JavaScript cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-cpu';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { UsageError } from './errors';

const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Optional packages are imported by a computed name so bundlers leave them alone. */
async function importOptional(name: string): Promise<boolean> {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

async function tryLoadTensorflowBackend(): Promise<boolean> {
  for (const name of NODE_PACKAGES) {
    if (await importOptional(name)) {
      const kernels = '@wavemix/kernels-node';
      if (!(await importOptional(kernels))) throw new UsageError(`${name} is installed but ${kernels} could not be loaded`);
      return true;
    }
  }
  return false;
}

export async function selectBackend(requested: string): Promise<string> {
  const candidates = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  if (candidates.includes('tensorflow')) await tryLoadTensorflowBackend();
  const failures: string[] = [];
  for (const name of candidates) {
    if (tf.findBackendFactory(name) == null) continue;
    try {
      // wasm trains through our kernels (conv gradients, sub-pixel transposed conv, SIMD module).
      if (name === 'wasm') await useWasmTraining();
      else if (!(await tf.setBackend(name))) throw new Error('initialisation failed');
      await tf.ready();
      return name;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  const available = Object.keys(tf.engine().registryFactory).join(', ');
  throw new UsageError(
    (requested === 'auto'
      ? `no usable backend (registered: ${available})`
      : `backend '${requested}' is not available here (registered: ${available}); for 'tensorflow' install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu`) +
      (failures.length ? `\n  ${failures.join('\n  ')}` : ''),
  );
}
