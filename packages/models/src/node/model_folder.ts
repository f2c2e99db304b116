/**
 * Reading a model folder someone else wrote: every weight path must stay inside the folder (no
 * `..`, no absolute paths, no symlinks leading out), only regular files are read (a symlink to
 * /dev/zero or a FIFO is refused at once, never read), and a weight group's files must hold
 * exactly the bytes its manifest declares.
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { WaveMixModelFolderError } from '../errors';

/** model.json files larger than this are refused (real ones are kilobytes to a few megabytes). */
export const MAX_MODEL_JSON_BYTES = 64 * 2 ** 20;

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * Reads a regular file of at most `maxBytes` bytes (`declared`, when given, is the exact size
 * required). Devices, FIFOs, sockets and directories are refused before they are opened for reading.
 */
export async function readRegularFile(file: string, maxBytes: number, declared?: number): Promise<Uint8Array> {
  const info = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new WaveMixModelFolderError(file, `cannot be read (${error.code ?? error.message})`);
  });
  if (!info.isFile())
    throw new WaveMixModelFolderError(file, 'is not a regular file (a device, FIFO, socket or directory); refused');
  if (declared !== undefined && info.size !== declared) {
    throw new WaveMixModelFolderError(file, `holds ${info.size} bytes, the manifest declares ${declared}`);
  }
  if (info.size > maxBytes)
    throw new WaveMixModelFolderError(file, `is ${info.size} bytes, more than the ${maxBytes} allowed`);
  // O_NONBLOCK: should the file be swapped for a FIFO after the check, open() still returns at once.
  const handle = await fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.size !== info.size)
      throw new WaveMixModelFolderError(file, 'changed while it was being opened');
    const data = new Uint8Array(info.size);
    let filled = 0;
    while (filled < data.length) {
      const { bytesRead } = await handle.read(data, filled, data.length - filled, filled);
      if (bytesRead === 0) throw new WaveMixModelFolderError(file, `ended after ${filled} of ${data.length} bytes`);
      filled += bytesRead;
    }
    return data;
  } finally {
    await handle.close();
  }
}

/** The real path of `relative` inside `directory` (itself a real path), refusing anything that leads out. */
export async function resolveInside(directory: string, relative: unknown): Promise<string> {
  const shown = JSON.stringify(relative)?.slice(0, 200) ?? String(relative);
  if (typeof relative !== 'string' || relative.length === 0 || relative.includes('\0')) {
    throw new WaveMixModelFolderError(directory, `weight path ${shown} is not a file name`);
  }
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative) || /^[a-zA-Z]:/.test(relative)) {
    throw new WaveMixModelFolderError(
      directory,
      `weight path ${shown} is absolute; only paths inside the model folder are read`,
    );
  }
  if (relative.split(/[\\/]/).includes('..')) {
    throw new WaveMixModelFolderError(
      directory,
      `weight path ${shown} contains '..'; only paths inside the model folder are read`,
    );
  }
  const joined = path.join(directory, relative);
  const real = await fs.realpath(joined).catch((error: NodeJS.ErrnoException) => {
    throw new WaveMixModelFolderError(joined, `cannot be read (${error.code ?? error.message})`);
  });
  if (real !== directory && !real.startsWith(directory + path.sep)) {
    throw new WaveMixModelFolderError(
      joined,
      `resolves to ${real}, outside the model folder ${directory} (a symlink?); refused`,
    );
  }
  return real;
}

/** Bytes a manifest group's weights occupy, from their dtypes (or quantization) and shapes. */
function declaredBytes(group: io.WeightsManifestConfig[number], file: string): number {
  if (!Array.isArray(group.weights))
    throw new WaveMixModelFolderError(file, 'a weightsManifest group has no weights list');
  let total = 0;
  for (const weight of group.weights) {
    const name = String(weight?.name).slice(0, 200);
    const shape = weight?.shape as unknown;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new WaveMixModelFolderError(
        file,
        `weight '${name}' has shape ${JSON.stringify(shape)?.slice(0, 80)}, not non-negative integers`,
      );
    }
    const size = weight.quantization
      ? QUANTIZED_BYTES[weight.quantization.dtype as string]
      : DTYPE_BYTES[weight.dtype as string];
    if (size === undefined) {
      throw new WaveMixModelFolderError(
        file,
        `weight '${name}' has dtype ${JSON.stringify(weight.quantization?.dtype ?? weight.dtype)}, which fileSystem does not read`,
      );
    }
    total += shape.reduce((a: number, b: number) => a * b, 1) * size;
    if (!Number.isSafeInteger(total))
      throw new WaveMixModelFolderError(file, 'the manifest declares an impossible number of weight bytes');
  }
  return total;
}

/** Reads every weight file the manifest lists, checked as above; returns the buffers in manifest order. */
export async function readWeightFiles(
  directory: string,
  manifest: io.WeightsManifestConfig,
  jsonFile: string,
): Promise<ArrayBuffer[]> {
  if (!Array.isArray(manifest)) throw new WaveMixModelFolderError(jsonFile, 'weightsManifest must be a list of groups');
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group?.paths))
      throw new WaveMixModelFolderError(jsonFile, 'a weightsManifest group has no paths list');
    const declared = declaredBytes(group, jsonFile);
    const files = await Promise.all(group.paths.map((file) => resolveInside(directory, file)));
    const sizes = await Promise.all(files.map((file) => fs.stat(file).then((s) => (s.isFile() ? s.size : -1))));
    const total = sizes.reduce((a, b) => a + Math.max(0, b), 0);
    if (sizes.every((s) => s >= 0) && total !== declared) {
      throw new WaveMixModelFolderError(
        files.length === 1 ? files[0]! : `${files.length} files (${files.map((f) => path.basename(f)).join(', ')})`,
        `${files.length === 1 ? 'holds' : 'hold'} ${total} bytes, the manifest declares ${declared}`,
      );
    }
    for (let i = 0; i < files.length; i++) {
      const data = await readRegularFile(files[i]!, declared, sizes[i]);
      buffers.push(data.buffer as ArrayBuffer);
    }
  }
  return buffers;
}
