/**
 * PixelShuffle and Upsample against PyTorch (fixtures/pytorch/pixel_shuffle and upsample, written
 * by packages/models/scripts/make-sr-fixtures.py): values and d/dx sum(y * w).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors, toFloat32 } from '@wavemix/core';
import { nchwToNhwc } from '@wavemix/core/testing';
import { PixelShuffle } from './pixel_shuffle_layer';
import { interpolationMatrix, Upsample, type UpsampleMode } from './upsample_layer';

const ROOT = path.resolve(__dirname, '../../../fixtures/pytorch');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function cases(file: string) {
  const fixture = readSafetensors(new Uint8Array(fs.readFileSync(path.join(ROOT, file))));
  const get = (name: string) => {
    const t = fixture.tensors.get(name)!;
    return { shape: [...t.shape], data: toFloat32(t) };
  };
  const out = [];
  for (let i = 0; fixture.tensors.has(`case${i}.x`); i++) {
    out.push({ x: get(`case${i}.x`), y: get(`case${i}.y`), w: get(`case${i}.w`), gradX: get(`case${i}.grad_x`) });
  }
  return out;
}

const nhwc = (t: { shape: number[]; data: Float32Array }) => {
  const [n, c, h, w] = t.shape as [number, number, number, number];
  return tf.tensor4d(nchwToNhwc(t.data, t.shape), [n, h, w, c]);
};

function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

function checkLayer(layer: tf.layers.Layer, c: ReturnType<typeof cases>[number]) {
  const before = tf.memory().numTensors;
  const input = nhwc(c.x);
  const weights = nhwc(c.w);
  const out = layer.apply(input) as tf.Tensor;
  expect(out.shape).toEqual([c.y.shape[0], c.y.shape[2], c.y.shape[3], c.y.shape[1]]);
  expect(maxAbsDiff(out.dataSync(), nchwToNhwc(c.y.data, c.y.shape))).toBeLessThan(1e-5);
  const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, weights)))(input);
  expect(maxAbsDiff(grad.dataSync(), nchwToNhwc(c.gradX.data, c.x.shape))).toBeLessThan(1e-4);
  tf.dispose([input, weights, out, grad]);
  expect(tf.memory().numTensors).toBe(before);
}

describe('PixelShuffle', () => {
  const factors = [2, 3, 2];
  it.each(cases('pixel_shuffle/cases.safetensors').map((c, i) => [i, c] as const))(
    'case %d matches torch.nn.PixelShuffle, values and input gradient',
    (i, c) => {
      checkLayer(new PixelShuffle({ upscaleFactor: factors[i]! }), c);
    },
  );

  it('takes channel c*4 + 2i + j to position (2h + i, 2w + j) (hand-made case)', () => {
    // One pixel, 8 channels: output channel 0 gets inputs 0..3, channel 1 gets 4..7.
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    const y = new PixelShuffle().apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    // tfjs depthToSpace orders the channels the other way: it is not the same operation.
    expect(Array.from(tf.depthToSpace(x, 2).dataSync())).not.toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    tf.dispose([x, y]);
  });

  it('refuses channel counts not divisible by r*r and round-trips its config', () => {
    const layer = new PixelShuffle({ upscaleFactor: 3 });
    expect(() => layer.computeOutputShape([null, 2, 2, 10])).toThrow(/divisible by 9, got 10/);
    expect(layer.computeOutputShape([null, 2, null, 18])).toEqual([null, 6, null, 2]);
    expect(layer.getConfig()['upscaleFactor']).toBe(3);
    expect(() => new PixelShuffle({ upscaleFactor: 0 })).toThrow(/upscaleFactor/);
  });
});

describe('Upsample', () => {
  const settings = JSON.parse(fs.readFileSync(path.join(ROOT, 'upsample/cases.json'), 'utf8')) as Array<{
    scale: number;
    mode: UpsampleMode;
  }>;
  it.each(cases('upsample/cases.safetensors').map((c, i) => [settings[i]!.mode, settings[i]!.scale, c] as const))(
    '%s x%d matches torch Upsample(align_corners=False), values and input gradient',
    (mode, scale, c) => {
      checkLayer(new Upsample({ scale, mode }), c);
    },
  );

  it('interpolation rows sum to 1 and bilinear x2 of [0, 1] is [0, 0.25, 0.75, 1] (hand-computed)', () => {
    expect(Array.from(interpolationMatrix(2, 2, 'bilinear'))).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1]);
    const m = interpolationMatrix(5, 3, 'bicubic');
    for (let r = 0; r < 15; r++) expect(m.slice(r * 5, r * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('validates its arguments and round-trips its config', () => {
    expect(() => new Upsample({ scale: 2.5 })).toThrow(/scale/);
    expect(() => new Upsample({ mode: 'nearest' as UpsampleMode })).toThrow(/'bicubic' or 'bilinear'/);
    const layer = new Upsample({ scale: 3, mode: 'bilinear' });
    expect(layer.computeOutputShape([null, 4, null, 2])).toEqual([null, 12, null, 2]);
    expect(layer.getConfig()).toMatchObject({ scale: 3, mode: 'bilinear' });
  });
});
