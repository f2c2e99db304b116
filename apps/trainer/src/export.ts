/**
 * Exports of a finished run: a TensorFlow.js model directory (model.json + weights, loadable with
 * tf.loadLayersModel after importing @wavemix/models) and the PyTorch state_dict as safetensors
 * (official key names; `load_state_dict(..., strict=True)` in the official code), and `model.onnx`
 * for onnxruntime (`@wavemix/onnx`). All written atomically.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@wavemix/core/node';
import { exportPyTorchWeightsAsync, getWaveMixMetadata, type WaveMixConfig } from '@wavemix/models';
import { fileSystem } from '@wavemix/models/node';
import { exportOnnx } from '@wavemix/onnx';

export async function exportModel(
  model: tf.LayersModel,
  output: string,
  info: { modelConfig: WaveMixConfig; name: string },
): Promise<{ tfjs: string; pytorch: string; onnx: string }> {
  const tfjs = join(output, 'model');
  await model.save(fileSystem(tfjs));
  const pytorch = join(output, 'model.safetensors');
  writeFileAtomic(pytorch, await exportPyTorchWeightsAsync(model));
  const onnx = join(output, 'model.onnx');
  writeFileAtomic(onnx, await exportOnnx(model));
  // createModel's config plus its `preprocessing` / `classNames` options (the normalisation the run
  // trained with): without them the PyTorch export rebuilt elsewhere would predict on unnormalised input.
  const { preprocessing, classNames } = getWaveMixMetadata(model) ?? {};
  const config = {
    ...info.modelConfig,
    ...(preprocessing ? { preprocessing } : {}),
    ...(classNames ? { classNames } : {}),
  };
  writeFileAtomic(join(output, 'model-config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return { tfjs, pytorch, onnx };
}
