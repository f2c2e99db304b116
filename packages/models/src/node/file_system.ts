/**
 * A file-system IOHandler for Node (tfjs' own `file://` handler lives in tfjs-node, which needs a
 * native binary). Saves `model.json` + `weights.bin` in a directory, each written atomically by
 * @wavemix/core/node's writeFileAtomic (temporary file, fsync, rename, fsync of the directory),
 * weights first so a `model.json` never points at missing or partial weights.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { WaveMixError } from '@wavemix/core';
import { writeFileAtomic } from '@wavemix/core/node';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
const FILE_SCHEME = 'file://';

function stripScheme(location: string): string {
  return location.startsWith(FILE_SCHEME) ? location.slice(FILE_SCHEME.length) : location;
}

/**
 * An IOHandler for `model.save(fileSystem(dir))` and `tf.loadLayersModel(fileSystem(path))`.
 * `path` may be the directory or its `model.json`; a `file://` prefix is accepted.
 */
export function fileSystem(location: string): io.IOHandler {
  if (typeof location !== 'string' || location.length === 0) {
    throw new WaveMixError(`fileSystem: expected a directory or model.json path, got ${String(location)}`);
  }
  const target = stripScheme(location);

  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new WaveMixError('fileSystem: binary (graph-model) topologies are not supported; save a LayersModel');
      }
      const directory = target.endsWith('.json') ? path.dirname(target) : target;
      const jsonFile = target.endsWith('.json') ? target : path.join(directory, MODEL_JSON);
      await fs.mkdir(directory, { recursive: true });
      const weights = artifacts.weightData == null ? new ArrayBuffer(0) : io.CompositeArrayBuffer.join(artifacts.weightData);
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
      let jsonFile = target;
      const stat = await fs.stat(target).catch(() => null);
      if (stat == null) throw new WaveMixError(`fileSystem: ${target} does not exist`);
      if (stat.isDirectory()) jsonFile = path.join(target, MODEL_JSON);
      let modelJSON: io.ModelJSON;
      try {
        modelJSON = JSON.parse(await fs.readFile(jsonFile, 'utf8')) as io.ModelJSON;
      } catch (error) {
        throw new WaveMixError(`fileSystem: cannot read ${jsonFile} (${(error as Error).message})`);
      }
      if (modelJSON.modelTopology == null) throw new WaveMixError(`fileSystem: ${jsonFile} has no modelTopology`);
      const directory = path.dirname(jsonFile);
      return io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const file of group.paths) {
            const data = await fs.readFile(path.join(directory, file));
            buffers.push(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
          }
        }
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
    typeof url === 'string' && url.startsWith(FILE_SCHEME) ? fileSystem(url) : null) as (url: string | string[]) => io.IOHandler;
  io.registerSaveRouter(router);
  io.registerLoadRouter(router);
  routersRegistered = true;
}
