import { zlibSync } from 'fflate';
import { DatasetArgumentError } from '../errors';
import { crc32 } from './crc32';

const COLOR_TYPES: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 }; // channels -> PNG colour type

/**
 * Encodes an 8-bit HWC image as PNG (grey, grey+alpha, RGB or RGBA; no filtering). Writers use it
 * for fixtures and exports; it runs in browsers too.
 */
export function encodePng(
  pixels: Uint8Array,
  options: { width: number; height: number; channels: 1 | 2 | 3 | 4 },
): Uint8Array {
  const { width, height, channels } = options;
  if (!(channels in COLOR_TYPES)) throw new DatasetArgumentError('channels', `expected 1 to 4, got ${channels}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DatasetArgumentError('width', `expected positive integer width and height, got ${width} x ${height}`);
  }
  if (pixels.length !== width * height * channels) {
    throw new DatasetArgumentError('pixels', `expected ${width * height * channels} values, got ${pixels.length}`);
  }
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = COLOR_TYPES[channels]!;
  const chunks = [chunk('IHDR', header), chunk('IDAT', zlibSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((s, c) => s + c.length, 0));
  out.set(signature, 0);
  let offset = 8;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
