/**
 * The subband explorer's tensor work: the pyramid of the working image through our ops
 * (`waveletPyramid`, which the kernel packages implement per backend) and reconstructions with
 * one band removed through the inverse transform (`idwt2d`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { idwt2d, waveletPyramid } from '@wavemix/core';
import { bandMask, type BandName } from './logic/bands';

export interface Level {
  /** 1-based level. */
  level: number;
  height: number;
  width: number;
  /** NHWC data [1, height, width, 4c] in the WaveMix channel layout. */
  data: Float32Array;
}

export interface Pyramid {
  height: number;
  width: number;
  channels: number;
  levels: Level[];
}

/** Pyramid of an image [height, width, channels] with values in [0, 1]. */
export async function computePyramid(
  image: Float32Array,
  height: number,
  width: number,
  channels: number,
  levels: number,
): Promise<Pyramid> {
  const outputs = tf.tidy(() => waveletPyramid(tf.tensor4d(image, [1, height, width, channels]), levels));
  try {
    const data = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    return {
      height,
      width,
      channels,
      levels: outputs.map((t, i) => ({ level: i + 1, height: t.shape[1], width: t.shape[2], data: data[i]! })),
    };
  } finally {
    tf.dispose(outputs);
  }
}

export interface Removal {
  level: number;
  band: BandName;
}

/**
 * The image rebuilt from the pyramid with `removal` zeroed (or all bands kept when null).
 * Removing LL at level k drops everything coarser than level k: reconstruction starts there
 * from a zero approximation.
 */
export async function reconstruct(pyramid: Pyramid, removal: Removal | null): Promise<Float32Array> {
  const { channels } = pyramid;
  const out = tf.tidy(() => {
    const deepest = removal?.band === 'LL' ? removal.level : pyramid.levels.length;
    let approximation: tf.Tensor4D | null = null;
    for (let level = deepest; level >= 1; level--) {
      const info = pyramid.levels[level - 1]!;
      let coefficients = tf.tensor4d(info.data, [1, info.height, info.width, 4 * channels]);
      if (approximation) {
        const highs = tf.slice(coefficients, [0, 0, 0, channels], [-1, -1, -1, 3 * channels]);
        coefficients = tf.concat([approximation, highs], 3);
      }
      if (removal && removal.level === level)
        coefficients = tf.mul(coefficients, tf.tensor1d(bandMask(removal.band, channels)));
      const size =
        level === 1
          ? [pyramid.height, pyramid.width]
          : [pyramid.levels[level - 2]!.height, pyramid.levels[level - 2]!.width];
      approximation = idwt2d(coefficients, size as [number, number]);
    }
    return approximation!;
  });
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Runs `fn` `runs` times after one warm-up and returns each duration in ms (data read back). */
export async function timeRuns(
  fn: () => tf.Tensor | tf.Tensor[] | Promise<tf.Tensor>,
  runs: number,
): Promise<number[]> {
  const once = async () => {
    const start = performance.now();
    const result = await fn();
    const list = Array.isArray(result) ? result : [result];
    await Promise.all(list.map((t) => t.data()));
    tf.dispose(list);
    return performance.now() - start;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return times;
}
