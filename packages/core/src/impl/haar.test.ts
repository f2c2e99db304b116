// The typed-array implementation (shared by the cpu and wasm kernels) against the PyTorch fixture,
// with no tfjs involved.
import { assertClose, dwtFixtureCases, highChannels, nchwToNhwc, waveMixLayout } from '../testing';
import { haarForward, haarInverse, haarPyramid } from './haar';

describe.each(dwtFixtureCases().map((c) => [c.index, c] as const))('fixture case%i', (_, fixture) => {
  const [n, c, h, w] = fixture.xShape;
  const levels = fixture.yh.length;

  test('pyramid matches pytorch_wavelets', () => {
    const x = nchwToNhwc(fixture.x, fixture.xShape);
    const outputs = fixture.levelShapes.map(([, , lh, lw]) => new Float32Array(n * lh * lw * 4 * c));
    haarPyramid(x, [n, h, w, c], levels, outputs);
    fixture.levelShapes.forEach(([, , lh, lw], l) => {
      const expected = waveMixLayout(l === levels - 1 ? fixture.yl : null, fixture.yh[l]!, [n, c, lh, lw]);
      if (l === levels - 1) assertClose(outputs[l]!, expected, { rtol: 1e-6, label: `level ${l}` });
      else
        assertClose(highChannels(outputs[l]!, n * lh * lw, c), highChannels(expected, n * lh * lw, c), {
          rtol: 1e-6,
          label: `level ${l}`,
        });
    });
  });

  test('inverse restores the input (odd sizes cropped)', () => {
    const x = nchwToNhwc(fixture.x, fixture.xShape);
    const [, , lh, lw] = fixture.levelShapes[0]!;
    const bands = new Float32Array(n * lh * lw * 4 * c);
    haarForward(x, n, h, w, c, c, bands);
    const back = new Float32Array(x.length).fill(Number.NaN);
    haarInverse(bands, n, lh, lw, c, h, w, back);
    assertClose(back, x, { rtol: 1e-6, label: 'round trip' });
  });
});
