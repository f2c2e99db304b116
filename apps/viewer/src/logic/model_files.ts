/**
 * Model files the user picks or drops are untrusted: a model.json may name weight paths that
 * lead elsewhere (`..`, absolute paths, URLs), declare sizes its files do not hold, or carry
 * metadata (class count, names, sizes) built to exhaust memory. Everything here is checked from
 * names, sizes and the parsed JSON before a weight byte is read or a model is built; each refusal
 * is a `ViewerModelFileError` naming the file (or manifest path) and the reason.
 */
import { WaveMixError } from '@wavemix/core';
import {
  getModelInfo,
  listModels,
  resolveConfig,
  validateWaveMixMetadata,
  type Preprocessing,
  type WaveMixConfig,
  type WaveMixMetadata,
} from '@wavemix/models';
import type { io } from '@tensorflow/tfjs-core';

/** model.json files larger than this are refused before parsing (real ones are kilobytes). */
export const MAX_MODEL_JSON_BYTES = 16 * 2 ** 20;
/** Config JSON files (model-config.json) larger than this are refused before parsing. */
export const MAX_CONFIG_JSON_BYTES = 2 ** 20;
const MAX_PATH_LENGTH = 1024;

/** A picked or dropped file, not read yet. */
export interface PickedFile {
  /** The name the browser gives (no folders). */
  readonly name: string;
  readonly size: number;
  /** Path inside a picked folder (`webkitRelativePath`); empty or absent for single files. */
  readonly relativePath?: string;
  /** Reads the whole file. */
  bytes(): Promise<ArrayBuffer>;
}

/** A browser `File` as a `PickedFile`. */
export function pickedFile(file: Blob & { name: string; webkitRelativePath?: string }): PickedFile {
  return {
    name: file.name,
    size: file.size,
    relativePath: file.webkitRelativePath ?? '',
    bytes: () => file.arrayBuffer(),
  };
}

/** A model file (model.json, a weight file, a config) is unsafe or inconsistent; `file` names it. */
export class ViewerModelFileError extends WaveMixError {
  static override readonly errorName: string = 'ViewerModelFileError';

  constructor(
    /** The file, or the manifest path, involved. */
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

const show = (value: unknown) => (JSON.stringify(value) ?? String(value)).slice(0, 120);

/** The model.json among the picked files: one named model.json, else the only .json. */
export function findModelJson(files: readonly PickedFile[]): PickedFile {
  const named = files.filter((f) => f.name === 'model.json');
  const json = named.length ? named : files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (json.length === 1) return json[0]!;
  if (json.length === 0) {
    throw new ViewerModelFileError(
      files.map((f) => f.name).join(', ') || '(no files)',
      'no model.json among them; choose the model.json of the trainer output folder (<run>/model/) together with its weights file(s)',
    );
  }
  throw new ViewerModelFileError(
    json.map((f) => f.name).join(', '),
    'more than one model.json candidate; choose one model.json with its weights file(s)',
  );
}

/** Reads and parses a JSON file of at most `maxBytes` bytes; the size is checked before reading. */
export async function readJsonFile(file: PickedFile, maxBytes: number): Promise<unknown> {
  if (!(file.size <= maxBytes)) {
    throw new ViewerModelFileError(
      file.name,
      `is ${file.size} bytes, more than the ${maxBytes} allowed for a JSON file`,
    );
  }
  const bytes = new Uint8Array(await file.bytes());
  if (bytes.byteLength !== file.size) {
    throw new ViewerModelFileError(file.name, `read ${bytes.byteLength} bytes where its size is ${file.size}`);
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ViewerModelFileError(file.name, `is not valid UTF-8 JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** Checks a parsed model.json's structure and WaveMix metadata (required: the viewer needs it). */
export function checkModelJson(value: unknown, fileName: string): io.ModelJSON & { wavemix: WaveMixMetadata } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ViewerModelFileError(fileName, `must hold a JSON object, got ${show(value)}`);
  }
  const json = value as io.ModelJSON;
  if (json.modelTopology === null || typeof json.modelTopology !== 'object') {
    throw new ViewerModelFileError(fileName, 'has no modelTopology (is it a tfjs model.json?)');
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw new ViewerModelFileError(fileName, 'has no weightsManifest list');
  }
  const wavemix = (json.userDefinedMetadata as Record<string, unknown> | undefined)?.wavemix;
  if (wavemix === undefined) {
    throw new ViewerModelFileError(
      fileName,
      'carries no WaveMix metadata (userDefinedMetadata.wavemix); the viewer shows WaveMix models',
    );
  }
  return { ...json, wavemix: validatedMetadata(wavemix, fileName) };
}

function validatedMetadata(value: unknown, fileName: string): WaveMixMetadata {
  try {
    return validateWaveMixMetadata(value);
  } catch (error) {
    if (!(error instanceof WaveMixError)) throw error;
    throw new ViewerModelFileError(fileName, error.message, { cause: error });
  }
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** Bytes a manifest group's weights occupy, from their dtypes (or quantization) and shapes. */
export function declaredBytes(group: io.WeightsManifestConfig[number], fileName: string): number {
  if (!Array.isArray(group?.weights))
    throw new ViewerModelFileError(fileName, 'a weightsManifest group has no weights list');
  let total = 0;
  for (const weight of group.weights) {
    const name = show(weight?.name);
    const shape = weight?.shape as unknown;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ViewerModelFileError(fileName, `weight ${name} has shape ${show(shape)}, not non-negative integers`);
    }
    const quantized = weight.quantization?.dtype as string | undefined;
    const size = quantized !== undefined ? QUANTIZED_BYTES[quantized] : DTYPE_BYTES[weight.dtype as string];
    if (size === undefined) {
      throw new ViewerModelFileError(
        fileName,
        `weight ${name} has dtype ${show(quantized ?? weight.dtype)}, which the viewer does not read`,
      );
    }
    total += (shape as number[]).reduce((a, b) => a * b, 1) * size;
    if (!Number.isSafeInteger(total))
      throw new ViewerModelFileError(fileName, 'declares an impossible number of weight bytes');
  }
  return total;
}

/** Refuses a manifest path that is not a plain relative path inside the model's folder. */
export function checkWeightPath(path: unknown, fileName: string): string {
  const refuse = (reason: string): never => {
    throw new ViewerModelFileError(fileName, `weight path ${show(path)} ${reason}`);
  };
  if (typeof path !== 'string' || path.length === 0) return refuse('is not a file name');
  if (path.length > MAX_PATH_LENGTH) refuse(`is longer than ${MAX_PATH_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(path)) refuse('contains control characters');
  if (path.includes('\\')) refuse('contains a backslash; only / separates folders');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path))
    refuse('is a URL or drive path; only files picked with model.json are read');
  if (path.startsWith('/')) refuse('is absolute; only files picked with model.json are read');
  const segments = path.split('/');
  if (segments.includes('..')) refuse("contains '..'; only files picked with model.json are read");
  if (segments.some((s) => s === '' || s === '.')) refuse("has an empty or '.' segment; write the plain relative path");
  return path;
}

/** Where a picked file sits relative to model.json's folder: its name, or its folder-relative path. */
function pathFromModelJson(file: PickedFile, modelJson: PickedFile): string {
  const own = file.relativePath ?? '';
  const base = modelJson.relativePath ?? '';
  if (!own || !base) return file.name;
  const folder = base.slice(0, base.lastIndexOf('/') + 1);
  return own.startsWith(folder) ? own.slice(folder.length) : `\0${own}`; // \0: never equals a checked path
}

export interface SelectedWeightFile {
  /** The path as the manifest writes it. */
  path: string;
  file: PickedFile;
}

/**
 * The weight files the manifest names, in manifest order, matched exactly among the picked files
 * (other picked files are ignored). Refuses unsafe or duplicate paths, paths no picked file (or
 * more than one) matches, and groups whose files do not hold exactly the bytes they declare.
 * Reads nothing.
 */
export function selectWeightFiles(
  files: readonly PickedFile[],
  modelJson: io.ModelJSON,
  jsonFile: PickedFile,
): SelectedWeightFile[] {
  const fileName = jsonFile.name;
  const manifest = modelJson.weightsManifest as unknown;
  if (!Array.isArray(manifest)) throw new ViewerModelFileError(fileName, 'has no weightsManifest list');
  const candidates = files.filter((f) => f !== jsonFile);
  const seen = new Set<string>();
  const selected: SelectedWeightFile[] = [];
  for (const group of manifest as io.WeightsManifestConfig) {
    if (!Array.isArray(group?.paths))
      throw new ViewerModelFileError(fileName, 'a weightsManifest group has no paths list');
    const declared = declaredBytes(group, fileName);
    const groupFiles: SelectedWeightFile[] = [];
    for (const raw of group.paths) {
      const path = checkWeightPath(raw, fileName);
      if (seen.has(path))
        throw new ViewerModelFileError(fileName, `weight path ${show(path)} is listed more than once`);
      seen.add(path);
      const matches = candidates.filter((f) => pathFromModelJson(f, jsonFile) === path);
      if (matches.length === 0) {
        throw new ViewerModelFileError(
          path,
          `is named by ${fileName} but was not picked; select it together with ${fileName}`,
        );
      }
      if (matches.length > 1) throw new ViewerModelFileError(path, `matches ${matches.length} picked files; pick one`);
      groupFiles.push({ path, file: matches[0]! });
    }
    const held = groupFiles.reduce((sum, s) => sum + s.file.size, 0);
    if (held !== declared) {
      const names = groupFiles.map((s) => s.path).join(', ') || '(no files)';
      throw new ViewerModelFileError(
        names,
        `${groupFiles.length > 1 ? 'hold' : 'holds'} ${held} bytes, ${fileName} declares ${declared}`,
      );
    }
    selected.push(...groupFiles);
  }
  return selected;
}

/** Reads the selected weight files into one buffer; a file may not yield more (or less) than its checked size. */
export async function readWeightData(selected: readonly SelectedWeightFile[]): Promise<ArrayBuffer> {
  const total = selected.reduce((sum, s) => sum + s.file.size, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const { path, file } of selected) {
    const bytes = new Uint8Array(await file.bytes());
    if (bytes.byteLength !== file.size) {
      throw new ViewerModelFileError(path, `read ${bytes.byteLength} bytes where ${file.size} were checked`);
    }
    data.set(bytes, offset);
    offset += bytes.byteLength;
  }
  return data.buffer;
}

/**
 * Model artifacts from picked files (model.json + weight files): model.json size-capped before
 * parsing, its structure and WaveMix metadata validated, then exactly the declared weight bytes read.
 */
export async function readModelFolder(files: readonly PickedFile[]): Promise<io.ModelArtifacts> {
  const jsonFile = findModelJson(files);
  const json = checkModelJson(await readJsonFile(jsonFile, MAX_MODEL_JSON_BYTES), jsonFile.name);
  const selected = selectWeightFiles(files, json, jsonFile);
  const weightData = await readWeightData(selected);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    ...(json.trainingConfig != null ? { trainingConfig: json.trainingConfig } : {}),
    ...(json.signature != null ? { signature: json.signature } : {}),
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

/** What the viewer builds from a PyTorch config JSON, validated. */
export interface PyTorchModelConfig {
  /** Registry name when the config is one (`{"name": ...}` without a task); else null. */
  zooName: string | null;
  /** createModel's config (without name, preprocessing and classNames). */
  fields: WaveMixConfig;
  options: { preprocessing?: Preprocessing; classNames?: string[] };
  /** The metadata the model will carry, validated like a loaded model's. */
  metadata: WaveMixMetadata;
}

/**
 * A config for PyTorch weights (the trainer's model-config.json, a createModel config, or a
 * registry name): size-capped before parsing; config, preprocessing and class names validated
 * (`validateWaveMixMetadata`'s bounds) before any model is built.
 */
export async function readPyTorchConfig(file: PickedFile): Promise<PyTorchModelConfig> {
  const config = await readJsonFile(file, MAX_CONFIG_JSON_BYTES);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ViewerModelFileError(file.name, `must hold a JSON object, got ${show(config)}`);
  }
  // The trainer's model-config.json: createModel's config plus its `preprocessing` and
  // `classNames` options (older exports also carry the run's `name`).
  const { name, preprocessing, classNames, ...fields } = config as Record<string, unknown>;
  const zooName = typeof name === 'string' && listModels().some((m) => m.name === name) ? name : null;
  const info = zooName !== null && !('task' in fields) ? getModelInfo(zooName) : null;
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig(info ? info.config : (fields as unknown as WaveMixConfig));
  } catch (error) {
    if (!(error instanceof WaveMixError)) throw error;
    throw new ViewerModelFileError(file.name, error.message, { cause: error });
  }
  const channels = resolved.inChannels;
  const standIn = { colorSpace: 'rgb', mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
  const metadata = validatedMetadata(
    {
      format: 'wavemix-js/1',
      config: resolved,
      preprocessing: preprocessing ?? info?.preprocessing ?? standIn,
      ...(classNames != null ? { classNames } : info?.classNames ? { classNames: info.classNames } : {}),
    },
    file.name,
  );
  const options = {
    ...(preprocessing != null ? { preprocessing: metadata.preprocessing } : {}),
    ...(classNames != null ? { classNames: metadata.classNames! } : {}),
  };
  return { zooName: info ? zooName : null, fields: fields as unknown as WaveMixConfig, options, metadata };
}
