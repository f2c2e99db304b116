/**
 * The trained model as ONE download: a zip holding tfjs's model folder (`model.json` and
 * `model.weights.bin`, laid out exactly as tfjs's `downloads://` handler writes them), so that
 * unzipping gives a folder `tf.loadLayersModel('.../model.json')` reads. One file per click
 * because browsers block (or ask before) a second automatic download from the same click.
 */
import * as tf from '@tensorflow/tfjs-core';
import { zipSync } from 'fflate';
import { ViewerInputError } from '../errors';

export const TFJS_ARCHIVE_NAME = 'model.tfjs.zip';
export const MODEL_JSON_NAME = 'model.json';
export const WEIGHTS_NAME = 'model.weights.bin';

/** Anything with tfjs-layers' `save(handler)`, e.g. a LayersModel. */
export interface SavableModel {
  save(handler: tf.io.IOHandler): Promise<tf.io.SaveResult>;
}

/** tfjs's `model.json` for artifacts whose weights lie in one file beside it (what `downloads://` writes). */
export function modelJsonFor(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  if (artifacts.modelTopology == null || artifacts.modelTopology instanceof ArrayBuffer)
    throw new ViewerInputError(
      'the model has no JSON topology to save (binary graph-model topologies cannot be zipped here)',
    );
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [`./${WEIGHTS_NAME}`], weights: artifacts.weightSpecs ?? [] }],
  };
  // The same optional keys, in the same order, as tfjs's getModelJSONForModelArtifacts.
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  return json;
}

/** The zip bytes of a model folder: `model.json` deflated, the float weights stored (they barely compress). */
export function tfjsArchiveFromArtifacts(artifacts: tf.io.ModelArtifacts): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(modelJsonFor(artifacts)));
  const weights =
    artifacts.weightData == null
      ? new Uint8Array(0)
      : new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  return zipSync({
    [MODEL_JSON_NAME]: [json, { level: 6 }],
    [WEIGHTS_NAME]: [weights, { level: 0 }],
  });
}

/** Saves `model` through tfjs's own serialisation (asynchronous reads, so WebGPU works) into a zip of its folder. */
export async function tfjsModelArchive(model: SavableModel): Promise<Uint8Array> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (captured === null) throw new ViewerInputError('saving the model produced no artifacts');
  return tfjsArchiveFromArtifacts(captured);
}
