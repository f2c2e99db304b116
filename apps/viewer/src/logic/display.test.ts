import { absQuantile, bandToRgba, differenceToRgba, displayScale, rgbUnitToRgba, toGrey } from './display';

describe('display normalisation', () => {
  it('stretches the approximation band from its min to its max', () => {
    const scale = displayScale([2, 4, 6], 'approximation');
    expect(scale).toEqual({ mode: 'approximation', low: 2, high: 6 });
    expect([2, 3, 4, 6].map((v) => toGrey(v, scale))).toEqual([0, 64, 128, 255]);
  });

  it('shows detail bands around mid-grey, scaled by the 99th percentile of |v|', () => {
    // 200 values: 198 of magnitude 1, two outliers of 50; the 99th percentile (rank 198) is 1.
    const values = [...new Array(198).fill(1).map((v, i) => (i % 2 ? v : -v)), 50, -50];
    expect(absQuantile(values, 0.99)).toBe(1);
    const scale = displayScale(values, 'detail');
    expect(scale.high).toBe(1);
    expect(toGrey(0, scale)).toBe(128);
    expect(toGrey(1, scale)).toBe(255);
    expect(toGrey(-1, scale)).toBe(0);
    expect(toGrey(0.5, scale)).toBe(191); // round(255 * 0.75) = 191.25 -> 191
    expect(toGrey(50, scale)).toBe(255); // saturates
  });

  it('shows flat bands as mid-grey', () => {
    expect(toGrey(3, displayScale([3, 3], 'approximation'))).toBe(128);
    expect(toGrey(0, displayScale([0, 0], 'detail'))).toBe(128);
  });

  it('writes opaque grey RGBA', () => {
    expect(Array.from(bandToRgba([0, 1], 'approximation'))).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('converts RGB in [0, 1] and signed differences', () => {
    expect(Array.from(rgbUnitToRgba([1, 0.5, 0], 1))).toEqual([255, 128, 0, 255]);
    expect(Array.from(differenceToRgba([0.2, -0.4, 0], 1))).toEqual([192, 1, 128, 255]); // 128 + 127 * 0.5 = 191.5 -> 192
  });
});
