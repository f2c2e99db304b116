import { readFile } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadPyTorchWeights, type LoadPyTorchOptions, type LoadReport } from '../pytorch/bridge';

/** Reads a `.pth` / `.safetensors` state_dict file into a model (`loadPyTorchWeights` on its bytes). */
export async function readPyTorchFile(
  model: LayersModel,
  file: string,
  options: LoadPyTorchOptions = {},
): Promise<LoadReport> {
  const bytes = await readFile(file);
  return loadPyTorchWeights(model, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    source: file,
    ...options,
  });
}
