/**
 * Backend selection for Node. `auto` picks the fastest available: the TensorFlow C library
 * (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`) when installed, else WebAssembly
 * with our training kernels, else the plain JavaScript cpu backend.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-cpu';
import '@wavemix/kernels-wasm';
import { UsageError } from './errors';

const require = createRequire(import.meta.url);

const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

function tryLoadTensorflowBackend(): boolean {
  for (const name of NODE_PACKAGES) {
    try {
      require(name);
      require('@wavemix/kernels-node');
      return true;
    } catch {
      // Not installed (it needs libtensorflow); try the next option.
    }
  }
  return false;
}

export async function selectBackend(requested: string): Promise<string> {
  const candidates = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  if (candidates.includes('tensorflow')) tryLoadTensorflowBackend();
  for (const name of candidates) {
    if (tf.findBackendFactory(name) == null) continue;
    if (await tf.setBackend(name)) {
      await tf.ready();
      return name;
    }
  }
  const available = Object.keys(tf.engine().registryFactory).join(', ');
  throw new UsageError(
    requested === 'auto'
      ? `no usable backend (registered: ${available})`
      : `backend '${requested}' is not available here (registered: ${available}); for 'tensorflow' install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu`,
  );
}
