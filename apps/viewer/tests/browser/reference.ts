/** What the page should compute, computed in Node (cpu backend), shared by the browser suites. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@wavemix/kernels-cpu';
import { dwt2d } from '@wavemix/core';
import { load } from '@wavemix/models';
import { fileSystem } from '@wavemix/models/node';
import { PNG } from 'pngjs';
import { planFit, workingImage } from '../../src/logic/fit';

export const APP = join(__dirname, '..', '..');
/** The tiny MNIST classifier's trainer run, as the trainer wrote it. */
export const RUN = join(APP, 'tests', 'fixtures', 'mnist-tiny');
export const SAMPLES = join(APP, 'public', 'samples');

/** `window.__wavemix`, the page's read-only test hook. */
export type Hook = Record<string, (...args: unknown[]) => unknown> & { ready: boolean };
export type Prediction = { className: string; probability: number };

export function decodePng(path: string): { width: number; height: number; rgba: Uint8Array } {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
}

/** The padded working image and its pyramid, by dwt2d. */
export function nodePyramid(path: string, levels: number) {
  const { width, height, rgba } = decodePng(path);
  const plan = planFit(width, height);
  const image = workingImage(rgba, plan);
  const out = tf.tidy(() => {
    let ll = tf.tensor4d(image, [1, plan.height, plan.width, 3]);
    const result: Float32Array[] = [];
    for (let level = 0; level < levels; level++) {
      const bands = dwt2d(ll);
      result.push(bands.dataSync() as Float32Array);
      ll = tf.slice(bands, [0, 0, 0, 0], [-1, -1, -1, 3]);
    }
    return result;
  });
  return { plan, image, levels: out };
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Top 5 of the trained model for an MNIST sample, through the same inference API. */
export async function nodeClassify(digit: number): Promise<Prediction[]> {
  const predictor = await load(fileSystem(join(RUN, 'model', 'model.json')));
  const { width, height, rgba } = decodePng(join(SAMPLES, `mnist-${digit}.png`));
  const image = tf.tidy(() =>
    tf.slice(tf.tensor3d(Float32Array.from(rgba), [height, width, 4]), [0, 0, 0], [-1, -1, 3]),
  );
  const result = await predictor.classify(image, 5);
  image.dispose();
  predictor.dispose();
  return result;
}
