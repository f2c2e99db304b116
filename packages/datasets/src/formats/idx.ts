import { DatasetArgumentError, DatasetFormatError } from '../errors';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, gunzip as defaultGunzip, gzip, hex, isGzip, type Gunzip } from './gzip';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** The contents of an IDX file: element type, dimensions (outermost first) and row-major data. */
export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: IdxData;
}

const TYPE_CODES: Record<number, { dtype: IdxDtype; size: number }> = {
  8: { dtype: 'uint8', size: 1 },
  9: { dtype: 'int8', size: 1 },
  11: { dtype: 'int16', size: 2 },
  12: { dtype: 'int32', size: 4 },
  13: { dtype: 'float32', size: 4 },
  14: { dtype: 'float64', size: 8 },
};

const MAX_RANK = 8;

export interface ParseIdxOptions {
  /** Name used in error messages. */
  file?: string;
  /** Decompressor for gzipped input (default: fflate, streaming); Node readers pass zlib's. */
  gunzip?: Gunzip;
  /** Cap on the decompressed size of a gzipped file. */
  maxDecompressedBytes?: number;
}

/**
 * Parses an IDX file (the MNIST format: `00 00 type rank`, big-endian uint32 dimensions, then
 * big-endian data), gunzipping it first when it starts with the gzip magic. The dimensions are
 * checked against the byte count before anything is allocated; the byte count must match exactly.
 * uint8 data is returned as a view into the (decompressed) input.
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  let file = options.file ?? '<idx bytes>';
  if (isGzip(bytes)) {
    bytes = (options.gunzip ?? defaultGunzip)(
      bytes,
      file,
      options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    );
    file = `${file} (decompressed)`;
  }
  if (bytes.length < 4)
    throw new DatasetFormatError(file, bytes.length, 'a 4-byte IDX magic number', `${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw new DatasetFormatError(file, 0, 'IDX magic starting 00 00', hex(bytes, 0, 4));
  const type = TYPE_CODES[bytes[2]!];
  if (!type) throw new DatasetFormatError(file, 2, 'an IDX type code (08, 09, 0b, 0c, 0d or 0e)', hex(bytes, 2, 1));
  const rank = bytes[3]!;
  if (rank < 1 || rank > MAX_RANK) throw new DatasetFormatError(file, 3, `an IDX rank in 1..${MAX_RANK}`, String(rank));
  const header = 4 + 4 * rank;
  if (bytes.length < header)
    throw new DatasetFormatError(
      file,
      bytes.length,
      `${rank} dimensions (${header}-byte header)`,
      `${bytes.length} bytes`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  const available = (bytes.length - header) / type.size;
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const dim = view.getUint32(4 + 4 * i, false);
    shape.push(dim);
    count *= dim;
    // Checked as we go so a forged dimension can never drive a large allocation.
    if (count > available) {
      throw new DatasetFormatError(
        file,
        4 + 4 * i,
        `dimensions that fit the ${bytes.length - header} data bytes`,
        `[${shape.join(', ')}${i < rank - 1 ? ', ...' : ''}] needs more than ${Math.floor(available)} ${type.dtype} values`,
      );
    }
  }
  const dataBytes = count * type.size;
  if (header + dataBytes !== bytes.length) {
    throw new DatasetFormatError(
      file,
      header + dataBytes,
      `end of file after ${count} ${type.dtype} values of shape [${shape}]`,
      `${bytes.length - header - dataBytes} trailing bytes`,
    );
  }
  return { dtype: type.dtype, shape, data: readBigEndian(view, header, count, type.dtype) };
}

function readBigEndian(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count);
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

export interface EncodeIdxOptions {
  /** gzip the result (as the MNIST distribution does). */
  gzip?: boolean;
}

/** Writes an IDX file (the inverse of {@link parseIdx}). */
export function encodeIdx(array: IdxArray, options: EncodeIdxOptions = {}): Uint8Array {
  const entry = Object.entries(TYPE_CODES).find(([, t]) => t.dtype === array.dtype);
  if (!entry) throw new DatasetArgumentError('dtype', `unsupported IDX dtype ${array.dtype}`);
  const code = Number(entry[0]);
  const size = entry[1].size;
  const { shape, data } = array;
  if (shape.length < 1 || shape.length > MAX_RANK)
    throw new DatasetArgumentError('shape', `IDX rank must be 1..${MAX_RANK}, got ${shape.length}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new DatasetArgumentError('data', `has ${data.length} values, shape [${shape}] needs ${count}`);
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const at = header + i * size;
    switch (array.dtype) {
      case 'uint8':
        view.setUint8(at, v);
        break;
      case 'int8':
        view.setInt8(at, v);
        break;
      case 'int16':
        view.setInt16(at, v, false);
        break;
      case 'int32':
        view.setInt32(at, v, false);
        break;
      case 'float32':
        view.setFloat32(at, v, false);
        break;
      case 'float64':
        view.setFloat64(at, v, false);
        break;
    }
  }
  return options.gzip ? gzip(out) : out;
}
