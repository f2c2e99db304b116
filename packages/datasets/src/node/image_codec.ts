// PNG and JPEG decoding with sharp. A light structural check of the container runs first, so a
// truncated or corrupt file is reported with the byte offset of the bad chunk or segment.
import { DatasetArgumentError, DatasetFormatError, crc32 } from '@wavemix/datasets';
import { packageRequire } from './files';

type SharpModule = typeof import('sharp').default;
let sharpModule: SharpModule | null = null;

export function loadSharp(): SharpModule {
  if (sharpModule) return sharpModule;
  try {
    sharpModule = packageRequire('sharp') as SharpModule;
  } catch (error) {
    throw new DatasetArgumentError(
      'sharp',
      `decoding PNG and JPEG files needs the sharp package (npm install sharp): ${(error as Error).message}`,
    );
  }
  return sharpModule;
}

/** Largest decoded image accepted (pixels); a forged header cannot make us allocate more. */
export const MAX_IMAGE_PIXELS = 2 ** 27;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks a PNG's signature and chunk structure (lengths, CRCs, IHDR, IEND); returns its size. */
export function checkPng(bytes: Uint8Array, file: string): { width: number; height: number } {
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== PNG_SIGNATURE[i])
      throw new DatasetFormatError(file, Math.min(i, bytes.length), 'the PNG signature 89 50 4e 47 0d 0a 1a 0a');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let size: { width: number; height: number } | null = null;
  let bitsPerPixel = 8;
  let compressed = 0;
  let sawData = false;
  for (;;) {
    if (offset + 12 > bytes.length)
      throw new DatasetFormatError(
        file,
        offset,
        'a PNG chunk header (the file is truncated before IEND)',
        `${bytes.length - offset} bytes`,
      );
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (length > bytes.length - offset - 12)
      throw new DatasetFormatError(
        file,
        offset,
        `a ${type} chunk of ${length} bytes inside the file`,
        `${bytes.length - offset - 12} bytes left`,
      );
    const crc = view.getUint32(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== crc)
      throw new DatasetFormatError(file, offset + 8 + length, `the CRC-32 of the ${type} chunk`);
    if (!size) {
      if (type !== 'IHDR' || length !== 13)
        throw new DatasetFormatError(file, offset, 'an IHDR chunk of 13 bytes first', type);
      const width = view.getUint32(offset + 8);
      const height = view.getUint32(offset + 12);
      if (width === 0 || height === 0 || width * height > MAX_IMAGE_PIXELS) {
        throw new DatasetFormatError(
          file,
          offset + 8,
          `a PNG size of 1 to ${MAX_IMAGE_PIXELS} pixels`,
          `${width} x ${height}`,
        );
      }
      size = { width, height };
      const samples = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[bytes[offset + 17]!];
      if (samples === undefined || ![1, 2, 4, 8, 16].includes(bytes[offset + 16]!)) {
        throw new DatasetFormatError(
          file,
          offset + 16,
          'a PNG bit depth (1, 2, 4, 8, 16) and colour type (0, 2, 3, 4, 6)',
          `${bytes[offset + 16]}, ${bytes[offset + 17]}`,
        );
      }
      bitsPerPixel = samples * bytes[offset + 16]!;
    } else if (type === 'IDAT') {
      sawData = true;
      compressed += length;
    } else if (type === 'IEND') {
      if (!sawData) throw new DatasetFormatError(file, offset, 'IDAT chunks before IEND');
      // Deflate expands at most ~1032x: a size the compressed data cannot hold is forged, and is
      // refused before the decoder allocates for it.
      const raw = size.height * (1 + Math.ceil((size.width * bitsPerPixel) / 8));
      if (raw > compressed * 1100 + 4096)
        throw new DatasetFormatError(
          file,
          16,
          `image dimensions that ${compressed} bytes of IDAT data can hold`,
          `${size.width} x ${size.height}`,
        );
      return size;
    }
    offset += 12 + length;
  }
}

/** Checks a JPEG's markers up to the scan and its end-of-image marker. */
export function checkJpeg(bytes: Uint8Array, file: string): void {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8)
    throw new DatasetFormatError(file, 0, 'the JPEG start-of-image marker ff d8');
  let offset = 2;
  for (;;) {
    if (offset + 4 > bytes.length)
      throw new DatasetFormatError(file, offset, 'a JPEG marker segment (the file is truncated)');
    if (bytes[offset] !== 0xff)
      throw new DatasetFormatError(file, offset, 'a JPEG marker (ff xx)', bytes[offset]!.toString(16));
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (length < 2 || offset + 2 + length > bytes.length)
      throw new DatasetFormatError(file, offset + 2, 'a JPEG segment length inside the file', String(length));
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
      const width = (bytes[offset + 7]! << 8) | bytes[offset + 8]!;
      // Even a flat JPEG needs a few bits per 8 x 8 block: a frame far larger than the file can
      // describe is forged, and is refused before the decoder allocates for it.
      if (width === 0 || height === 0 || width * height > Math.min(MAX_IMAGE_PIXELS, bytes.length * 2048)) {
        throw new DatasetFormatError(
          file,
          offset + 5,
          `a JPEG frame size of 1 to ${Math.min(MAX_IMAGE_PIXELS, bytes.length * 2048)} pixels for a ${bytes.length}-byte file`,
          `${width} x ${height}`,
        );
      }
    }
    if (marker === 0xda) break;
    offset += 2 + length;
  }
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0) end--; // some writers pad after EOI
  if (bytes[end - 2] !== 0xff || bytes[end - 1] !== 0xd9)
    throw new DatasetFormatError(file, bytes.length, 'the JPEG end-of-image marker ff d9 (the file is truncated)');
}

export interface DecodedImage {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

export interface DecodeOptions {
  /** Output channels: 3 (sRGB, default) or 1 (first channel / luminance for label maps). */
  channels?: 1 | 3;
  /** Resize to `[height, width]`. */
  size?: readonly [number, number];
  /** 'cover': scale the shorter side and centre-crop (default); 'fill': stretch. */
  fit?: 'cover' | 'fill';
  /** Resampling: 'linear' for images (default), 'nearest' for label maps, 'cubic' for SR downscaling. */
  kernel?: 'nearest' | 'linear' | 'cubic' | 'lanczos3';
  /** A label map: its first channel is taken as is (no colour conversion). */
  labels?: boolean;
}

/** Decodes a PNG or JPEG file's bytes to 8-bit HWC pixels. */
export async function decodeImage(bytes: Uint8Array, file: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  if (bytes[0] === 0x89) checkPng(bytes, file);
  else if (bytes[0] === 0xff) checkJpeg(bytes, file);
  else
    throw new DatasetFormatError(
      file,
      0,
      'a PNG (89 50 4e 47) or JPEG (ff d8) signature',
      Array.from(bytes.subarray(0, 4), (b) => b.toString(16)).join(' '),
    );
  const sharp = loadSharp();
  const channels = options.channels ?? 3;
  try {
    let pipeline = sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_IMAGE_PIXELS });
    if (options.size) {
      pipeline = pipeline.resize(options.size[1], options.size[0], {
        fit: options.fit === 'fill' ? 'fill' : 'cover',
        kernel: options.kernel ?? 'linear',
        position: 'centre',
      });
    }
    if (options.labels) pipeline = pipeline.extractChannel(0);
    else if (channels === 1) pipeline = pipeline.toColourspace('b-w');
    else pipeline = pipeline.removeAlpha().toColourspace('srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    let pixels: Uint8Array = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let outChannels = info.channels;
    if (outChannels !== channels) {
      pixels = selectChannels(pixels, outChannels, channels);
      outChannels = channels;
    }
    return { data: pixels, height: info.height, width: info.width, channels: outChannels };
  } catch (error) {
    if (error instanceof DatasetFormatError) throw error;
    throw new DatasetFormatError(file, 0, 'an image sharp can decode', (error as Error).message);
  }
}

function selectChannels(pixels: Uint8Array, from: number, to: number): Uint8Array {
  const n = pixels.length / from;
  const out = new Uint8Array(n * to);
  for (let p = 0; p < n; p++) for (let k = 0; k < to; k++) out[p * to + k] = pixels[p * from + Math.min(k, from - 1)]!;
  return out;
}

/** Bicubic downscale by an integer factor (sharp's cubic kernel, antialiased like MATLAB imresize). */
export async function downscaleBicubic(image: DecodedImage, scale: number): Promise<DecodedImage> {
  const sharp = loadSharp();
  const height = Math.floor(image.height / scale);
  const width = Math.floor(image.width / scale);
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    height: info.height,
    width: info.width,
    channels: info.channels,
  };
}
