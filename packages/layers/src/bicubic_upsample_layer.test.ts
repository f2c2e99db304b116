import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors, toFloat32 } from '@wavemix/core';
import { nchwToNhwc } from '@wavemix/core/testing';
import { BicubicUpsample2x } from './bicubic_upsample_layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixture = readSafetensors(
  new Uint8Array(fs.readFileSync(path.resolve(__dirname, '../../../fixtures/pytorch/bicubic_x2.safetensors'))),
);
const get = (name: string) => {
  const t = fixture.tensors.get(name)!;
  return { shape: [...t.shape], data: toFloat32(t) };
};

describe('BicubicUpsample2x layer', () => {
  it('matches PyTorch Upsample(scale_factor=2, bicubic, align_corners=False), values and input gradient', () => {
    for (let i = 0; fixture.tensors.has(`case${i}.x`); i++) {
      const x = get(`case${i}.x`);
      const y = get(`case${i}.y`);
      const [n, c, h, w] = x.shape as [number, number, number, number];
      const input = tf.tensor4d(nchwToNhwc(x.data, x.shape), [n, h, w, c]);
      const weights = tf.tensor4d(nchwToNhwc(get(`case${i}.w`).data, y.shape), [n, 2 * h, 2 * w, c]);
      const layer = new BicubicUpsample2x();
      const out = layer.apply(input) as tf.Tensor;
      const expected = nchwToNhwc(y.data, y.shape);
      const actual = out.dataSync();
      expected.forEach((v, j) => expect(Math.abs(actual[j]! - v)).toBeLessThan(1e-5));
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, weights)))(input);
      const expectedGrad = nchwToNhwc(get(`case${i}.grad_x`).data, x.shape);
      const actualGrad = grad.dataSync();
      expectedGrad.forEach((v, j) => expect(Math.abs(actualGrad[j]! - v)).toBeLessThan(1e-4));
      tf.dispose([input, weights, out, grad]);
    }
  });

  it('doubles known sizes and keeps unknown ones unknown', () => {
    const layer = new BicubicUpsample2x();
    expect(layer.computeOutputShape([null, 5, null, 2])).toEqual([null, 10, null, 2]);
    expect(() => layer.computeOutputShape([5, 2])).toThrow(/rank-4/);
  });
});
