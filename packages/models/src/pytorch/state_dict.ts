/**
 * Reads a PyTorch state_dict from bytes: safetensors, or the zip `torch.save` writes (data.pkl +
 * one file per storage). Only the pickle subset state dicts use is accepted; see `pickle.ts`.
 * `openStateDict` validates every tensor record and reads no data; `read` materialises only the
 * keys asked for, refusing before allocation when their float32 values exceed the byte budget.
 */
import { WaveMixBudgetError, readSafetensors, toFloat32, type SafetensorsDtype } from '@wavemix/core';
import { WaveMixFormatError } from '../errors';
import { readTorchZip, type TensorRecord } from './torch_zip';
import { isZip } from './zip';

export interface StateTensor {
  shape: number[];
  dtype: SafetensorsDtype;
  /** Values converted to float32 (integers too: only `num_batches_tracked` is integral here). */
  data: Float32Array;
}

export type StateDictFormat = 'safetensors' | 'torch-zip';

export interface StateDict {
  format: StateDictFormat;
  /** Keys after unwrapping `{state_dict: ...}` / `{model: ...}` and removing a `module.` prefix. */
  tensors: Map<string, StateTensor>;
}

/** readStateDict's default budget: 1 GiB of float32 values (and of bytes inflated from a zip). */
export const DEFAULT_STATE_DICT_MAX_BYTES = 2 ** 30;

export interface ReadStateDictOptions {
  /** File name for error messages. */
  source?: string;
  /**
   * Budget in bytes: the float32 values materialised must not exceed it, nor the bytes inflated
   * from a deflated `.pth` (counted separately). Default `DEFAULT_STATE_DICT_MAX_BYTES` (1 GiB).
   */
  maxBytes?: number;
}

/** A state_dict whose tensor records are validated but whose data is not read yet. */
export interface OpenedStateDict {
  format: StateDictFormat;
  /** Keys (after unwrapping and prefix removal) -> shape and dtype; no data. */
  records: ReadonlyMap<string, { shape: number[]; dtype: SafetensorsDtype }>;
  /** Materialises `keys` (all when omitted), refusing before any allocation above `maxBytes` of float32 values. */
  read(keys?: Iterable<string>, maxBytes?: number): Map<string, StateTensor>;
}

/** Detects the format and validates every tensor record, reading no tensor data. */
export function openStateDict(bytes: Uint8Array, options: ReadStateDictOptions = {}): OpenedStateDict {
  if (!(bytes instanceof Uint8Array)) {
    throw new WaveMixFormatError(
      `expected the file contents as a Uint8Array, got ${Object.prototype.toString.call(bytes)}`,
    );
  }
  const { source, maxBytes = DEFAULT_STATE_DICT_MAX_BYTES } = options;
  const where = source ? `${source}: ` : '';
  let format: StateDictFormat;
  let records: Map<string, TensorRecord>;
  if (isZip(bytes)) {
    format = 'torch-zip';
    records = readTorchZip(bytes, source, maxBytes);
  } else if (bytes.length >= 9 && bytes[8] === 0x7b /* '{' after the 8-byte header length */) {
    format = 'safetensors';
    records = new Map();
    for (const [name, tensor] of readSafetensors(bytes, { source }).tensors) {
      records.set(name, { shape: [...tensor.shape], dtype: tensor.dtype, read: () => toFloat32(tensor) });
    }
  } else if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! <= 5) {
    throw new WaveMixFormatError(
      `${where}this is a bare pickle (the legacy pre-1.6 torch.save format), which is not supported; ` +
        're-save it with a current torch.save or as safetensors',
    );
  } else {
    throw new WaveMixFormatError(
      `${where}not a PyTorch state_dict: neither safetensors (8-byte length, then a JSON header) nor a torch.save zip ('PK' signature)`,
    );
  }
  const stripped = stripPrefix(records);
  return {
    format,
    records: stripped,
    read(keys = stripped.keys(), budget = maxBytes) {
      const wanted = [...new Set(keys)].filter((key) => stripped.has(key));
      const bytesOf = (key: string) => stripped.get(key)!.shape.reduce((a, b) => a * b, 1) * 4;
      const total = wanted.reduce((sum, key) => sum + bytesOf(key), 0);
      if (total > budget) {
        const largest = [...wanted].sort((a, b) => bytesOf(b) - bytesOf(a)).slice(0, 3);
        throw new WaveMixBudgetError(
          `${where}materialising ${wanted.length} tensors (largest: ${largest.map((k) => `'${k}' [${stripped.get(k)!.shape.join(', ')}]`).join(', ')}) as float32`,
          budget,
          total,
          'bytes',
          'maxBytes',
        );
      }
      const tensors = new Map<string, StateTensor>();
      for (const key of wanted) {
        const record = stripped.get(key)!;
        tensors.set(key, { shape: record.shape, dtype: record.dtype, data: record.read() });
      }
      return tensors;
    },
  };
}

/** Detects the format from the bytes and reads every tensor, within `maxBytes` (default 1 GiB). */
export function readStateDict(bytes: Uint8Array, options: ReadStateDictOptions = {}): StateDict {
  const opened = openStateDict(bytes, options);
  return { format: opened.format, tensors: opened.read() };
}

/** DataParallel saves `module.`-prefixed keys and torch.compile `_orig_mod.`; strip prefixes every key has. */
function stripPrefix<T>(tensors: Map<string, T>): Map<string, T> {
  const keys = [...tensors.keys()];
  let cut = 0;
  for (let stripped = true; stripped && keys.length > 0; ) {
    stripped = false;
    for (const prefix of ['module.', '_orig_mod.']) {
      if (keys.every((k) => k.startsWith(prefix, cut))) {
        cut += prefix.length;
        stripped = true;
      }
    }
  }
  return cut === 0 ? tensors : new Map([...tensors].map(([k, v]) => [k.slice(cut), v]));
}
