/**
 * Exports of a finished run: a TensorFlow.js model directory (model.json + weights, loadable with
 * tf.loadLayersModel after importing @wavemix/models) and the PyTorch state_dict as safetensors
 * (official key names; `load_state_dict(..., strict=True)` in the official code). Both written
 * atomically.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@wavemix/core/node';
import { exportPyTorchWeights, type WaveMixConfig } from '@wavemix/models';
import { fileSystem } from '@wavemix/models/node';

export async function exportModel(
  model: tf.LayersModel,
  output: string,
  info: { modelConfig: WaveMixConfig; name: string },
): Promise<{ tfjs: string; pytorch: string }> {
  const tfjs = join(output, 'model');
  await model.save(fileSystem(tfjs));
  const pytorch = join(output, 'model.safetensors');
  writeFileAtomic(pytorch, exportPyTorchWeights(model));
  // Exactly what createModel takes, so the PyTorch export can be rebuilt and loaded anywhere.
  writeFileAtomic(join(output, 'model-config.json'), `${JSON.stringify(info.modelConfig, null, 2)}\n`);
  return { tfjs, pytorch };
}
