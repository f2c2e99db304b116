/**
 * A file-system IOHandler for Node (tfjs' own `file://` handler lives in tfjs-node, which needs a
 * native binary). Saves `model.json` + `weights.bin` in a directory, each written atomically by
 * @wavemix/core/node's writeFileAtomic (temporary file, fsync, rename, fsync of the directory),
 * weights first so a `model.json` never points at missing or partial weights.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';
import { writeFileAtomic } from '@wavemix/core/node';
import { WaveMixModelFolderError } from '../errors';
import { validateWaveMixMetadata } from '../metadata';
import { MAX_MODEL_JSON_BYTES, readRegularFile, readWeightFiles, resolveInside } from './model_folder';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
const FILE_SCHEME = 'file://';

function stripScheme(location: string): string {
  return location.startsWith(FILE_SCHEME) ? location.slice(FILE_SCHEME.length) : location;
}

/**
 * An IOHandler for `model.save(fileSystem(dir))` and `tf.loadLayersModel(fileSystem(path))`.
 * `path` may be the directory or its `model.json`; a `file://` prefix is accepted. Loading treats
 * the folder's contents as untrusted (see `model_folder.ts`): weight paths stay inside the folder,
 * only regular files of the declared sizes are read, and WaveMix metadata is validated.
 */
export function fileSystem(location: string): io.IOHandler {
  if (typeof location !== 'string' || location.length === 0) {
    throw new WaveMixArgumentError('fileSystem', `expected a directory or model.json path, got ${String(location)}`);
  }
  const target = stripScheme(location);

  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new WaveMixArgumentError(
          'fileSystem',
          'binary (graph-model) topologies are not supported; save a LayersModel',
        );
      }
      const directory = target.endsWith('.json') ? path.dirname(target) : target;
      const jsonFile = target.endsWith('.json') ? target : path.join(directory, MODEL_JSON);
      await fs.mkdir(directory, { recursive: true });
      const weights =
        artifacts.weightData == null ? new ArrayBuffer(0) : io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJSON: io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata != null) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
      writeFileAtomic(path.join(directory, WEIGHTS_BIN), new Uint8Array(weights));
      writeFileAtomic(jsonFile, JSON.stringify(modelJSON));
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<io.ModelArtifacts> {
      const stat = await fs.stat(target).catch(() => null);
      if (stat == null) throw new WaveMixModelFolderError(target, 'does not exist');
      // The folder (or model.json) the caller names is trusted; what the folder contains is not.
      const folder = await fs.realpath(stat.isDirectory() ? target : path.dirname(target));
      const jsonFile = stat.isDirectory() ? await resolveInside(folder, MODEL_JSON) : await fs.realpath(target);
      let modelJSON: io.ModelJSON;
      try {
        modelJSON = JSON.parse(
          new TextDecoder('utf-8', { fatal: true }).decode(await readRegularFile(jsonFile, MAX_MODEL_JSON_BYTES)),
        ) as io.ModelJSON;
      } catch (error) {
        if (error instanceof WaveMixModelFolderError) throw error;
        throw new WaveMixModelFolderError(jsonFile, `is not valid UTF-8 JSON (${(error as Error).message})`);
      }
      if (modelJSON === null || typeof modelJSON !== 'object' || modelJSON.modelTopology == null) {
        throw new WaveMixModelFolderError(jsonFile, 'has no modelTopology');
      }
      const wavemix = (modelJSON.userDefinedMetadata as Record<string, unknown> | undefined)?.wavemix;
      if (wavemix !== undefined) validateWaveMixMetadata(wavemix);
      const directory = path.dirname(jsonFile);
      return io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const buffers = await readWeightFiles(directory, manifest, jsonFile);
        return [manifest.flatMap((group) => group.weights), io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

let routersRegistered = false;

/**
 * Routes `file://` URLs to `fileSystem`, so `model.save('file://dir')` and
 * `tf.loadLayersModel('file://dir/model.json')` work without tfjs-node. Do not call it alongside
 * tfjs-node (two handlers for one URL make tfjs refuse both).
 */
export function registerFileSystemRouter(): void {
  if (routersRegistered) return;
  // tfjs routers return null for URLs they do not handle (its IORouter type omits the null).
  const router = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith(FILE_SCHEME) ? fileSystem(url) : null) as (
    url: string | string[],
  ) => io.IOHandler;
  io.registerSaveRouter(router);
  io.registerLoadRouter(router);
  routersRegistered = true;
}
