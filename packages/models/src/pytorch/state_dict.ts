/**
 * Reads a PyTorch state_dict from bytes: safetensors, or the zip `torch.save` writes (data.pkl +
 * one file per storage). Only the pickle subset state dicts use is accepted; see `pickle.ts`.
 */
import { readSafetensors, toFloat32, type SafetensorsDtype } from '@wavemix/core';
import { WaveMixFormatError, WaveMixPickleError, WaveMixZipError } from '../errors';
import { PyCallable, PyDict, PyOpaque, PyTuple, describe, unpickle, type PyValue } from './pickle';
import { ZipArchive, isZip } from './zip';

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

export interface ReadStateDictOptions {
  /** File name for error messages. */
  source?: string;
}

const ITEM_SIZE: Partial<Record<SafetensorsDtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

/** torch storage classes (legacy typed names, which torch.save still writes) -> dtype. */
const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: 'F32', DoubleStorage: 'F64', HalfStorage: 'F16', BFloat16Storage: 'BF16', LongStorage: 'I64',
  IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

const ALLOWED_GLOBALS =
  'collections.OrderedDict, torch._utils._rebuild_tensor(_v2), torch._utils._rebuild_parameter(_with_state) and torch.*Storage';

interface StorageRef {
  dtype: SafetensorsDtype;
  key: string;
  numel: number;
}

interface TensorRef {
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** Detects the format from the bytes and reads every tensor. */
export function readStateDict(bytes: Uint8Array, options: ReadStateDictOptions = {}): StateDict {
  if (!(bytes instanceof Uint8Array)) {
    throw new WaveMixFormatError(`expected the file contents as a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  }
  const source = options.source ? `${options.source}: ` : '';
  if (isZip(bytes)) return { format: 'torch-zip', tensors: stripPrefix(readTorchZip(bytes, options.source)) };
  if (bytes.length >= 9 && bytes[8] === 0x7b /* '{' after the 8-byte header length */) {
    const file = readSafetensors(bytes, { source: options.source });
    const tensors = new Map<string, StateTensor>();
    for (const [name, tensor] of file.tensors) {
      tensors.set(name, { shape: [...tensor.shape], dtype: tensor.dtype, data: toFloat32(tensor) });
    }
    return { format: 'safetensors', tensors: stripPrefix(tensors) };
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! <= 5) {
    throw new WaveMixFormatError(
      `${source}this is a bare pickle (the legacy pre-1.6 torch.save format), which is not supported; ` +
        're-save it with a current torch.save or as safetensors',
    );
  }
  throw new WaveMixFormatError(
    `${source}not a PyTorch state_dict: neither safetensors (8-byte length, then a JSON header) nor a torch.save zip ('PK' signature)`,
  );
}

/** DataParallel saves `module.`-prefixed keys and torch.compile `_orig_mod.`; strip a prefix every key has. */
function stripPrefix(tensors: Map<string, StateTensor>): Map<string, StateTensor> {
  for (const prefix of ['module.', '_orig_mod.']) {
    const keys = [...tensors.keys()];
    if (keys.length > 0 && keys.every((k) => k.startsWith(prefix))) {
      return stripPrefix(new Map([...tensors].map(([k, v]) => [k.slice(prefix.length), v])));
    }
  }
  return tensors;
}

function readTorchZip(bytes: Uint8Array, source?: string): Map<string, StateTensor> {
  const zip = new ZipArchive(bytes);
  const pickles = [...zip.entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new WaveMixZipError(
      `expected one '<archive>/data.pkl' as torch.save writes, found ${pickles.length ? pickles.join(', ') : 'none'}` +
        `${source ? ` in ${source}` : ''}`,
      0,
    );
  }
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim();
    if (order !== 'little') throw new WaveMixFormatError(`${source ? `${source}: ` : ''}byte order '${order}' is not supported (little-endian only)`);
  }
  const storages = new Map<string, Uint8Array>();
  const storageBytes = (ref: StorageRef): Uint8Array => {
    let data = storages.get(ref.key);
    if (!data) {
      const name = `${prefix}data/${ref.key}`;
      if (!zip.has(name)) throw new WaveMixZipError(`storage '${ref.key}' is referenced but not in the archive`, 0, name);
      data = zip.read(name);
      storages.set(ref.key, data);
    }
    const needed = ref.numel * ITEM_SIZE[ref.dtype]!;
    if (data.length < needed) {
      throw new WaveMixZipError(`storage holds ${data.length} bytes, ${ref.numel} ${ref.dtype} elements need ${needed}`, 0, `${prefix}data/${ref.key}`);
    }
    return data;
  };

  const root = unpickle(zip.read(pickles[0]!), {
    findGlobal,
    persistentLoad,
    allowedGlobalsDescription: ALLOWED_GLOBALS,
  });
  const stateDict = selectStateDict(root);
  const tensors = new Map<string, StateTensor>();
  for (const [key, value] of stateDict.map) {
    if (typeof key !== 'string') throw new WaveMixFormatError(`state_dict key ${String(key)} is not a string`);
    if (!(value instanceof PyOpaque) || value.kind !== 'tensor') {
      throw new WaveMixFormatError(`state_dict entry '${key}' is ${describe(value)}, not a tensor`);
    }
    tensors.set(key, materialise(value.value as TensorRef, storageBytes, key));
  }
  return tensors;
}

function integer(value: PyValue, what: string, offset: number): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new WaveMixPickleError(`${what} must be an integer, got ${describe(value)}`, offset);
}

function integerTuple(value: PyValue, what: string, offset: number): number[] {
  if (!(value instanceof PyTuple)) throw new WaveMixPickleError(`${what} must be a tuple, got ${describe(value)}`, offset);
  return value.items.map((item) => integer(item, what, offset));
}

function rebuildTensor(args: PyValue[], offset: number): PyValue {
  const [storage, storageOffset, size, stride] = args;
  if (!(storage instanceof PyOpaque) || storage.kind !== 'storage') {
    throw new WaveMixPickleError(`tensor rebuild expects a storage, got ${describe(storage)}`, offset);
  }
  const ref: TensorRef = {
    storage: storage.value as StorageRef,
    offset: integer(storageOffset ?? null, 'storage offset', offset),
    shape: integerTuple(size ?? null, 'size', offset),
    stride: integerTuple(stride ?? null, 'stride', offset),
  };
  if (ref.shape.length !== ref.stride.length) throw new WaveMixPickleError('size and stride differ in length', offset);
  return new PyOpaque('tensor', ref);
}

function findGlobal(module: string, name: string): PyValue | undefined {
  if (module === 'collections' && name === 'OrderedDict') {
    return new PyCallable(module, name, (args, offset) => {
      const dict = new PyDict();
      const [items] = args;
      if (items != null) {
        if (!Array.isArray(items)) throw new WaveMixPickleError('OrderedDict(...) takes a list of pairs', offset);
        for (const pair of items) {
          if (!(pair instanceof PyTuple) || pair.items.length !== 2 || typeof pair.items[0] !== 'string') {
            throw new WaveMixPickleError('OrderedDict(...) takes (str, value) pairs', offset);
          }
          dict.map.set(pair.items[0], pair.items[1]!);
        }
      }
      return dict;
    });
  }
  if (module === 'torch._utils') {
    if (name === '_rebuild_tensor_v2' || name === '_rebuild_tensor') return new PyCallable(module, name, rebuildTensor);
    if (name === '_rebuild_parameter' || name === '_rebuild_parameter_with_state') {
      return new PyCallable(module, name, (args) => args[0] ?? null);
    }
  }
  if (module === 'torch' && Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, name)) {
    return new PyOpaque('storage type', STORAGE_DTYPES[name]!);
  }
  return undefined;
}

/** torch.save's persistent id for a storage: ('storage', storage_type, key, location, numel). */
function persistentLoad(pid: PyValue, offset: number): PyValue {
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
    throw new WaveMixPickleError(`unsupported persistent id (${describe(pid)}); expected ('storage', type, key, location, numel)`, offset);
  }
  const [, type, key, , numel] = pid.items;
  if (!(type instanceof PyOpaque) || type.kind !== 'storage type') {
    throw new WaveMixPickleError(`storage type must be a torch.*Storage, got ${describe(type)}`, offset);
  }
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(key)) {
    throw new WaveMixPickleError(`storage key must be a plain name, got ${describe(key)}`, offset);
  }
  const ref: StorageRef = { dtype: type.value as SafetensorsDtype, key, numel: integer(numel ?? null, 'numel', offset) };
  return new PyOpaque('storage', ref);
}

function isTensor(value: PyValue): boolean {
  return value instanceof PyOpaque && value.kind === 'tensor';
}

/** The dict of tensors: the root itself, or inside `{state_dict: ...}` / `{model: ...}`. */
function selectStateDict(root: PyValue): PyDict {
  if (root instanceof PyDict) {
    const values = [...root.map.values()];
    if (values.length > 0 && values.every(isTensor)) return root;
    for (const wrapper of ['state_dict', 'model']) {
      const inner = root.map.get(wrapper);
      if (inner instanceof PyDict) return selectStateDict(inner);
    }
    if (values.length > 0 && values.some(isTensor)) {
      const bad = [...root.map].find(([, v]) => !isTensor(v))!;
      throw new WaveMixFormatError(`state_dict entry '${String(bad[0])}' is ${describe(bad[1])}, not a tensor`);
    }
    throw new WaveMixFormatError(
      `no state_dict found: expected a dict of tensors or {state_dict: ...} / {model: ...}; top-level keys: ${[...root.map.keys()].map(String).join(', ') || '(none)'}`,
    );
  }
  throw new WaveMixFormatError(`no state_dict found: the pickle holds ${describe(root)}, not a dict`);
}

function materialise(ref: TensorRef, storageBytes: (ref: StorageRef) => Uint8Array, key: string): StateTensor {
  const { storage, offset, shape, stride } = ref;
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = ITEM_SIZE[storage.dtype]!;
  let last = offset;
  shape.forEach((size, axis) => { if (size > 0) last += (size - 1) * stride[axis]!; });
  if (count > 0 && (offset < 0 || last >= storage.numel)) {
    throw new WaveMixFormatError(`tensor '${key}' reaches element ${last} of a ${storage.numel}-element storage`);
  }
  const bytes = storageBytes(storage);
  const contiguous = shape.every((_, axis) => shape[axis] === 1 || stride[axis] === shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  if (contiguous || count === 0) {
    const data = toFloat32({ name: key, dtype: storage.dtype, shape: [count], bytes: bytes.subarray(offset * itemSize, (offset + count) * itemSize) });
    return { shape, dtype: storage.dtype, data };
  }
  const all = toFloat32({ name: key, dtype: storage.dtype, shape: [storage.numel], bytes: bytes.subarray(0, storage.numel * itemSize) });
  const data = new Float32Array(count);
  const index = new Array(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let source = offset;
    for (let axis = 0; axis < shape.length; axis++) source += index[axis]! * stride[axis]!;
    data[i] = all[source]!;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return { shape, dtype: storage.dtype, data };
}
