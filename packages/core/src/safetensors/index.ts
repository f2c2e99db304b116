/**
 * safetensors reader and writer (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header mapping names to dtype, shape and data offsets, then
 * the raw little-endian data. Reading validates the header the way the reference Rust
 * implementation does: sizes, JSON, dtypes, offsets inside the buffer, no overlaps and no holes.
 */
import { WaveMixBudgetError, WaveMixError } from '../errors';

export class SafetensorsError extends WaveMixError {
  static override readonly errorName: string = 'SafetensorsError';

  constructor(
    message: string,
    /** Byte offset in the file the problem was found at. */
    readonly offset: number,
    /** The tensor name, where one is involved. */
    readonly key?: string,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}${key ? `tensor '${key}': ` : ''}${message} (at byte ${offset})`);
  }
}

export type SafetensorsDtype =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'U16'
  | 'I16'
  | 'F16'
  | 'BF16'
  | 'U32'
  | 'I32'
  | 'F32'
  | 'U64'
  | 'I64'
  | 'F64';

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
};

/** The spec caps the header at 100 MB so a forged length cannot make us allocate absurdly. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** A view of the tensor's bytes inside the file buffer (no copy). */
  readonly bytes: Uint8Array;
}

export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
}

export interface ReadOptions {
  /** File name for error messages. */
  source?: string;
  /**
   * Refuse (with `WaveMixBudgetError`) a file whose header plus tensor data exceed this many bytes,
   * before the header is parsed. Default: no limit beyond the format's 100 MB header cap.
   */
  maxBytes?: number;
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(ITEM_SIZE, value);
}

export function numElements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function readSafetensors(bytes: Uint8Array, options: ReadOptions = {}): SafetensorsFile {
  const { source, maxBytes = Infinity } = options;
  const fail = (message: string, offset: number, key?: string): never => {
    throw new SafetensorsError(message, offset, key, source);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the file contents as a Uint8Array', 0);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes; it must start with an 8-byte header length`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength64 = view.getBigUint64(0, true);
  if (headerLength64 > BigInt(MAX_HEADER_BYTES)) {
    fail(`header length ${headerLength64} exceeds the format's ${MAX_HEADER_BYTES}-byte limit`, 0);
  }
  const headerLength = Number(headerLength64);
  if (bytes.length - 8 > maxBytes) {
    throw new WaveMixBudgetError(
      `${source ? `${source}: ` : ''}safetensors header and data`,
      maxBytes,
      bytes.length - 8,
      'bytes',
      'maxBytes',
    );
  }
  if (8 + headerLength > bytes.length) {
    fail(`header length ${headerLength} runs past the end of the ${bytes.length}-byte file`, 0);
  }
  if (headerLength < 2 || bytes[8] !== 0x7b /* '{' */) fail('header must be a JSON object starting with "{"', 8);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`header is not valid UTF-8 JSON (${(error as Error).message})`, 8);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail('header must be a JSON object', 8);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('__metadata__ must be an object', 8);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value for '${k}' must be a string`, 8);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object') fail('entry must be an object', 8, name);
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(dtype)) fail(`unsupported dtype ${JSON.stringify(dtype)}`, 8, name);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`, 8, name);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`data_offsets must be [begin, end] integers, got ${JSON.stringify(offsets)}`, 8, name);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      fail(
        `data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section`,
        dataStart + Math.min(begin, dataLength),
        name,
      );
    }
    const expected = numElements(shape as number[]) * ITEM_SIZE[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      fail(
        `${end - begin} bytes of data for ${dtype} shape [${(shape as number[]).join(', ')}], which needs ${expected}`,
        dataStart + begin,
        name,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const entry of entries) {
    if (entry.begin < cursor)
      fail(
        `data overlaps the previous tensor's (starts at ${entry.begin} < ${cursor})`,
        dataStart + entry.begin,
        entry.name,
      );
    if (entry.begin > cursor)
      fail(`${entry.begin - cursor} unclaimed bytes before this tensor's data`, dataStart + cursor, entry.name);
    cursor = entry.end;
  }
  if (cursor !== dataLength) fail(`${dataLength - cursor} trailing bytes after the last tensor`, dataStart + cursor);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    tensors.set(name, { name, dtype, shape, bytes: bytes.subarray(dataStart + begin, dataStart + end) });
  }
  return { metadata, tensors };
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Decodes any numeric tensor to float32 (copying: file data need not be 4-byte aligned). */
export function toFloat32(tensor: SafetensorsTensor): Float32Array {
  const { dtype, bytes } = tensor;
  const n = numElements(tensor.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      new Uint8Array(out.buffer).set(bytes);
      if (!LITTLE_ENDIAN) for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        word.setUint32(0, view.getUint16(2 * i, true) << 16);
        out[i] = word.getFloat32(0);
      }
      break;
    }
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      break;
    case 'U64':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(8 * i, true));
      break;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case 'U32':
      for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, true);
      break;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
      break;
    case 'U16':
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = bytes[i]!;
      break;
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface SafetensorsInput {
  dtype?: 'F32' | 'I64' | 'I32' | 'U8';
  shape: readonly number[];
  data: Float32Array | Int32Array | Uint8Array | BigInt64Array | readonly number[];
}

function encode(name: string, input: SafetensorsInput): { dtype: SafetensorsDtype; bytes: Uint8Array } {
  const dtype = input.dtype ?? 'F32';
  const n = numElements(input.shape);
  if (input.data.length !== n) {
    throw new SafetensorsError(
      `has ${input.data.length} values for shape [${input.shape.join(', ')}] (${n} expected)`,
      0,
      name,
    );
  }
  const bytes = new Uint8Array(n * ITEM_SIZE[dtype]);
  const view = new DataView(bytes.buffer);
  const data = input.data as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (dtype === 'F32') view.setFloat32(4 * i, Number(v), true);
    else if (dtype === 'I64') view.setBigInt64(8 * i, BigInt(v), true);
    else if (dtype === 'I32') view.setInt32(4 * i, Number(v), true);
    else view.setUint8(i, Number(v));
  }
  return { dtype, bytes };
}

/**
 * Serialises tensors (in the given order) to safetensors bytes. The header is space-padded so the
 * data section starts 8-byte aligned, as the reference writer does.
 */
export function writeSafetensors(
  tensors: Iterable<[string, SafetensorsInput]> | Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list =
    Symbol.iterator in tensors ? [...(tensors as Iterable<[string, SafetensorsInput]>)] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, input] of list) {
    if (name === '__metadata__' || name in header)
      throw new SafetensorsError('duplicate or reserved tensor name', 0, name);
    const { dtype, bytes } = encode(name, input);
    header[name] = { dtype, shape: [...input.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let position = 8 + json.length;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}
