/** An 8-bit image, row-major HWC. */
export interface ImageU8 {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

export function imageU8(data: Uint8Array, height: number, width: number, channels: number): ImageU8 {
  return { data, height, width, channels };
}
