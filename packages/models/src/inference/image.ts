/**
 * Image inputs for the inference API: tensors, `{data, width, height}` pixel buffers (ImageData
 * is one) and, in the browser, image / canvas / video elements. Everything becomes a float32
 * `[h, w, 3]` RGB tensor with values in [0, 255].
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';

/** Raw pixels, row-major, interleaved channels (1 grey, 3 RGB or 4 RGBA), values 0..255. */
export interface PixelData {
  data: Uint8Array | Uint8ClampedArray | Float32Array | number[];
  width: number;
  height: number;
  /** Defaults to data.length / (width * height). */
  channels?: number;
}

/** What `classify`, `segment` and `upscale` accept. */
export type ImageInput =
  | tf.Tensor3D
  | tf.Tensor4D
  | PixelData
  | ImageData
  | HTMLImageElement
  | HTMLCanvasElement
  | HTMLVideoElement
  | ImageBitmap
  | OffscreenCanvas;

function isPixelData(image: unknown): image is PixelData {
  return (
    typeof image === 'object' &&
    image !== null &&
    'data' in image &&
    'width' in image &&
    'height' in image &&
    (ArrayBuffer.isView((image as PixelData).data) || Array.isArray((image as PixelData).data))
  );
}

/** RGB pixels as a float32 `[h, w, 3]` tensor in [0, 255] (grey is replicated, alpha dropped). */
export function toRgbTensor(image: ImageInput): tf.Tensor3D {
  return tf.tidy(() => {
    let pixels: tf.Tensor3D;
    if (image instanceof tf.Tensor) {
      if (image.rank === 4) {
        if (image.shape[0] !== 1) {
          throw new WaveMixArgumentError(
            'image',
            `a rank-4 tensor must hold one image ([1, h, w, c]), got shape [${image.shape.join(', ')}]`,
          );
        }
        pixels = tf.squeeze(image, [0]) as tf.Tensor3D;
      } else if (image.rank === 3) {
        pixels = image as tf.Tensor3D;
      } else {
        throw new WaveMixArgumentError('image', `expected a [h, w, c] or [1, h, w, c] tensor, got rank ${image.rank}`);
      }
    } else if (isPixelData(image)) {
      const { data, width, height } = image;
      if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
        throw new WaveMixArgumentError('image', `width and height must be positive integers, got ${width}x${height}`);
      }
      const channels = image.channels ?? data.length / (width * height);
      if (![1, 3, 4].includes(channels) || data.length !== width * height * channels) {
        throw new WaveMixArgumentError(
          'image',
          `${data.length} values do not make a ${width}x${height} image with 1, 3 or 4 channels`,
        );
      }
      pixels = tf.tensor3d(Float32Array.from(data as ArrayLike<number>), [height, width, channels]);
    } else if (typeof (tf as { browser?: unknown }).browser === 'object' && image != null) {
      pixels = tf.browser.fromPixels(image as HTMLCanvasElement, 3);
    } else {
      throw new WaveMixArgumentError(
        'image',
        'expected a tensor, {data, width, height} pixels, or an image/canvas/video element',
      );
    }
    const channels = pixels.shape[2];
    let rgb: tf.Tensor3D;
    if (channels === 3) rgb = pixels;
    else if (channels === 4) rgb = tf.slice(pixels, [0, 0, 0], [-1, -1, 3]);
    else if (channels === 1) rgb = tf.tile(pixels, [1, 1, 3]);
    else throw new WaveMixArgumentError('image', `expected 1, 3 or 4 channels, got ${channels}`);
    return tf.cast(rgb, 'float32');
  });
}

/** ITU-R BT.601 luma, as torchvision's Grayscale and PIL's 'L' use. */
export function rgbToGray(rgb: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => tf.sum(tf.mul(rgb, tf.tensor1d([0.299, 0.587, 0.114])), -1, true) as tf.Tensor3D);
}

/** Full-range (JFIF) YCbCr, as PIL's `convert('YCbCr')`: inputs and outputs on the same scale, chroma offset by half of `max`. */
export function rgbToYCbCr(rgb: tf.Tensor, max = 255): tf.Tensor {
  return tf.tidy(() => {
    const matrix = tf.tensor2d([
      [0.299, -0.168736, 0.5],
      [0.587, -0.331264, -0.418688],
      [0.114, 0.5, -0.081312],
    ]);
    const shape = rgb.shape;
    const flat = tf.matMul(tf.reshape(rgb, [-1, 3]), matrix);
    return tf.reshape(tf.add(flat, tf.tensor1d([0, max / 2, max / 2])), shape);
  });
}

/** Inverse of `rgbToYCbCr`. */
export function yCbCrToRgb(ycbcr: tf.Tensor, max = 255): tf.Tensor {
  return tf.tidy(() => {
    const matrix = tf.tensor2d([
      [1, 1, 1],
      [0, -0.344136, 1.772],
      [1.402, -0.714136, 0],
    ]);
    const shape = ycbcr.shape;
    const centred = tf.sub(tf.reshape(ycbcr, [-1, 3]), tf.tensor1d([0, max / 2, max / 2]));
    return tf.reshape(tf.matMul(centred, matrix), shape);
  });
}
