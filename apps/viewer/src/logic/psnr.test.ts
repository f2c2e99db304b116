import { cropRgba, downscale2x, evenSize, psnrRgba } from './psnr';

describe('PSNR', () => {
  it('matches values computed with numpy (10 log10(255^2 / MSE) over RGB, alpha ignored)', () => {
    // one pixel, one channel off by 10: MSE = 100 / 3 -> 32.90201615587573 dB
    expect(psnrRgba([0, 0, 0, 255], [10, 0, 0, 0])).toBeCloseTo(32.90201615587573, 10);
    // two pixels, differences (2, 0, -3, 0, -5, 0): 40.11448014634744 dB
    expect(psnrRgba([10, 20, 30, 255, 40, 50, 60, 255], [12, 20, 27, 255, 40, 45, 60, 255])).toBeCloseTo(
      40.11448014634744,
      10,
    );
  });

  it('is infinite for identical images and checks sizes', () => {
    expect(psnrRgba([1, 2, 3, 4], [1, 2, 3, 9])).toBe(Infinity);
    expect(() => psnrRgba([1, 2, 3, 4], [1, 2, 3])).toThrow('same size');
  });
});

describe('SR comparison helpers', () => {
  it('averages 2×2 blocks', () => {
    // 2×2 RGBA: R values 0, 10, 20, 31 -> 15.25 -> 15
    const rgba = [0, 0, 0, 255, 10, 0, 0, 255, 20, 0, 0, 255, 31, 4, 0, 255];
    expect(Array.from(downscale2x(rgba, 2, 2))).toEqual([15, 1, 0, 255]);
    expect(() => downscale2x(rgba, 3, 2)).toThrow('even sizes');
  });

  it('crops to even sizes', () => {
    expect(evenSize(5, 4)).toEqual([4, 4]);
    // 3×1 -> 2×1
    expect(Array.from(cropRgba([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], 3, 2, 1))).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
  });
});
