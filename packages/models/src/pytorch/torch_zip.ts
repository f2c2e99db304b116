/**
 * The zip `torch.save` writes: `<archive>/data.pkl` (the pickled dict of tensors) and one
 * `<archive>/data/<key>` file per storage. Every tensor record is validated against its storage
 * (sizes and strides non-negative, every element it reaches inside the storage, no more elements
 * than the storage holds unless a stride is really 0) before any data is read; data is read per
 * tensor, on demand.
 */
import { toFloat32, type SafetensorsDtype } from '@wavemix/core';
import { WaveMixFormatError, WaveMixPickleError, WaveMixTensorRecordError, WaveMixZipError } from '../errors';
import { PyCallable, PyDict, PyOpaque, PyTuple, describe, unpickle, type PyValue } from './pickle';
import { ZipArchive } from './zip';

export const ITEM_SIZE: Partial<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** torch storage classes (legacy typed names, which torch.save still writes) -> dtype. */
const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const ALLOWED_GLOBALS =
  'collections.OrderedDict, torch._utils._rebuild_tensor(_v2), torch._utils._rebuild_parameter(_with_state) and torch.*Storage';

/** `{state_dict: {model: ...}}`-style wrappers deeper than this are refused. */
const MAX_WRAPPER_DEPTH = 8;

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
  /** Pickle byte of the rebuild call, for error messages. */
  pickleOffset: number;
}

/** A tensor whose record is valid and whose data is read only when `read` is called. */
export interface TensorRecord {
  shape: number[];
  dtype: SafetensorsDtype;
  read(): Float32Array;
}

export function readTorchZip(
  bytes: Uint8Array,
  source: string | undefined,
  maxInflatedBytes: number,
): Map<string, TensorRecord> {
  const zip = new ZipArchive(bytes, { maxInflatedBytes });
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
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`).subarray(0, 16)).trim();
    if (order !== 'little')
      throw new WaveMixFormatError(
        `${source ? `${source}: ` : ''}byte order '${order}' is not supported (little-endian only)`,
      );
  }
  const root = unpickle(zip.read(pickles[0]!), {
    findGlobal,
    persistentLoad,
    allowedGlobalsDescription: ALLOWED_GLOBALS,
  });
  const stateDict = selectStateDict(root, new Set());

  const storages = new Map<string, Uint8Array>();
  const storageBytes = (ref: StorageRef): Uint8Array => {
    let data = storages.get(ref.key);
    if (!data) {
      data = zip.read(`${prefix}data/${ref.key}`);
      storages.set(ref.key, data);
    }
    return data;
  };
  const records = new Map<string, TensorRecord>();
  for (const [key, value] of stateDict.map) {
    if (typeof key !== 'string') throw new WaveMixFormatError(`state_dict key ${String(key)} is not a string`);
    if (!(value instanceof PyOpaque) || value.kind !== 'tensor') {
      throw new WaveMixFormatError(`state_dict entry '${key}' is ${describe(value)}, not a tensor`);
    }
    const ref = value.value as TensorRef;
    validateRecord(key, ref);
    // The storage must exist and hold its numel elements: checked in the central directory, nothing inflated.
    const name = `${prefix}data/${ref.storage.key}`;
    const entry = zip.entries.get(name);
    if (!entry) throw new WaveMixZipError(`storage '${ref.storage.key}' is referenced but not in the archive`, 0, name);
    const needed = ref.storage.numel * ITEM_SIZE[ref.storage.dtype]!;
    if (entry.size < needed) {
      throw new WaveMixZipError(
        `storage holds ${entry.size} bytes, ${ref.storage.numel} ${ref.storage.dtype} elements need ${needed}`,
        entry.localHeaderOffset,
        name,
      );
    }
    records.set(key, {
      shape: ref.shape,
      dtype: ref.storage.dtype,
      read: () => materialise(ref, storageBytes(ref.storage), key),
    });
  }
  return records;
}

/** Checks a tensor record against its storage before any of its data is touched. */
function validateRecord(key: string, ref: TensorRef): void {
  const { storage, offset, shape, stride } = ref;
  const refuse = (problem: string): never => {
    throw new WaveMixTensorRecordError(problem, key, shape, stride, offset, storage.numel, ref.pickleOffset);
  };
  if (!shape.every((size) => Number.isSafeInteger(size) && size >= 0)) refuse('a size is negative or not an integer');
  if (!stride.every((step) => Number.isSafeInteger(step) && step >= 0))
    refuse('a stride is negative or not an integer');
  if (!Number.isSafeInteger(offset) || offset < 0) refuse('the storage offset is negative');
  if (!Number.isSafeInteger(storage.numel) || storage.numel < 0) refuse('the storage size is negative');
  let count = 1;
  let highest = offset;
  shape.forEach((size, axis) => {
    count *= size;
    if (size > 0) highest += (size - 1) * stride[axis]!;
  });
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(highest)) refuse('the element count or extent overflows');
  if (count === 0) return;
  if (highest >= storage.numel) refuse(`it reaches element ${highest}, outside the storage`);
  // Without a zero stride the elements are distinct, so they cannot outnumber the storage span they reach.
  const expands = shape.some((size, axis) => size > 1 && stride[axis] === 0);
  if (!expands && count > highest - offset + 1) {
    refuse(`${count} elements cannot come from the ${highest - offset + 1} storage elements it spans`);
  }
}

/** Reads one element of a storage as a number (strided gathers; contiguous tensors use toFloat32). */
function elementReader(dtype: SafetensorsDtype, bytes: Uint8Array): (index: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      return (i) => view.getFloat32(4 * i, true);
    case 'F64':
      return (i) => view.getFloat64(8 * i, true);
    case 'I64':
      return (i) => Number(view.getBigInt64(8 * i, true));
    case 'I32':
      return (i) => view.getInt32(4 * i, true);
    case 'I16':
      return (i) => view.getInt16(2 * i, true);
    case 'I8':
      return (i) => view.getInt8(i);
    case 'U8':
    case 'BOOL':
      return (i) => bytes[i]!;
    default: {
      const size = ITEM_SIZE[dtype]!;
      return (i) => toFloat32({ name: '', dtype, shape: [1], bytes: bytes.subarray(i * size, (i + 1) * size) })[0]!;
    }
  }
}

function materialise(ref: TensorRef, bytes: Uint8Array, key: string): Float32Array {
  const { storage, offset, shape, stride } = ref;
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = ITEM_SIZE[storage.dtype]!;
  const contiguous = shape.every(
    (size, axis) => size === 1 || stride[axis] === shape.slice(axis + 1).reduce((a, b) => a * b, 1),
  );
  if (contiguous || count === 0) {
    return toFloat32({
      name: key,
      dtype: storage.dtype,
      shape: [count],
      bytes: bytes.subarray(offset * itemSize, (offset + count) * itemSize),
    });
  }
  const element = elementReader(storage.dtype, bytes);
  const data = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let source = offset;
    for (let axis = 0; axis < shape.length; axis++) source += index[axis]! * stride[axis]!;
    data[i] = element(source);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return data;
}

function integer(value: PyValue, what: string, offset: number): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new WaveMixPickleError(`${what} must be an integer, got ${describe(value)}`, offset);
}

function integerTuple(value: PyValue, what: string, offset: number): number[] {
  if (!(value instanceof PyTuple))
    throw new WaveMixPickleError(`${what} must be a tuple, got ${describe(value)}`, offset);
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
    pickleOffset: offset,
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
  if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) {
    return new PyOpaque('storage type', STORAGE_DTYPES[name]!);
  }
  return undefined;
}

/** torch.save's persistent id for a storage: ('storage', storage_type, key, location, numel). */
function persistentLoad(pid: PyValue, offset: number): PyValue {
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
    throw new WaveMixPickleError(
      `unsupported persistent id (${describe(pid)}); expected ('storage', type, key, location, numel)`,
      offset,
    );
  }
  const [, type, key, , numel] = pid.items;
  if (!(type instanceof PyOpaque) || type.kind !== 'storage type') {
    throw new WaveMixPickleError(`storage type must be a torch.*Storage, got ${describe(type)}`, offset);
  }
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(key)) {
    throw new WaveMixPickleError(`storage key must be a plain name, got ${describe(key)}`, offset);
  }
  const ref: StorageRef = {
    dtype: type.value as SafetensorsDtype,
    key,
    numel: integer(numel ?? null, 'numel', offset),
  };
  return new PyOpaque('storage', ref);
}

function isTensor(value: PyValue): boolean {
  return value instanceof PyOpaque && value.kind === 'tensor';
}

/** The dict of tensors: the root itself, or inside `{state_dict: ...}` / `{model: ...}` (cycles refused). */
function selectStateDict(root: PyValue, seen: Set<PyDict>): PyDict {
  if (!(root instanceof PyDict))
    throw new WaveMixFormatError(`no state_dict found: the pickle holds ${describe(root)}, not a dict`);
  if (seen.has(root))
    throw new WaveMixFormatError('no state_dict found: a {state_dict: ...} / {model: ...} wrapper contains itself');
  if (seen.size >= MAX_WRAPPER_DEPTH)
    throw new WaveMixFormatError(`no state_dict found: wrappers nested deeper than ${MAX_WRAPPER_DEPTH}`);
  seen.add(root);
  const values = [...root.map.values()];
  if (values.length > 0 && values.every(isTensor)) return root;
  for (const wrapper of ['state_dict', 'model']) {
    const inner = root.map.get(wrapper);
    if (inner instanceof PyDict) return selectStateDict(inner, seen);
  }
  if (values.length > 0 && values.some(isTensor)) {
    const bad = [...root.map].find(([, v]) => !isTensor(v))!;
    throw new WaveMixFormatError(`state_dict entry '${String(bad[0])}' is ${describe(bad[1])}, not a tensor`);
  }
  const keys = [...root.map.keys()].slice(0, 20).map((k) => String(k).slice(0, 100));
  throw new WaveMixFormatError(
    `no state_dict found: expected a dict of tensors or {state_dict: ...} / {model: ...}; top-level keys: ${keys.join(', ') || '(none)'}`,
  );
}
