import { describeFit, padEdge, planFit, rgbaToRgbUnit, workingImage } from './fit';

describe('planFit', () => {
  it('keeps an image that is small enough and a multiple of 16', () => {
    const plan = planFit(64, 32);
    expect(plan).toMatchObject({ width: 64, height: 32, resized: false, padded: false, padRight: 0, padBottom: 0 });
    expect(describeFit(plan)).toBe('64×32: used as is (no resizing or padding)');
  });

  it('pads a 28×28 MNIST digit to 32×32 without resizing', () => {
    const plan = planFit(28, 28);
    expect(plan).toMatchObject({
      resizedWidth: 28,
      resizedHeight: 28,
      width: 32,
      height: 32,
      padRight: 4,
      padBottom: 4,
      resized: false,
      padded: true,
    });
    expect(describeFit(plan)).toBe('28×28: padded to 32×32 (4 px right, 4 px bottom, edge pixels repeated)');
  });

  it('resizes a large image so its longest side is 256, keeping the aspect ratio, then pads', () => {
    // 512 × 300 -> scale 0.5 -> 256 × 150 -> padded to 256 × 160
    const plan = planFit(512, 300);
    expect(plan).toMatchObject({
      resizedWidth: 256,
      resizedHeight: 150,
      width: 256,
      height: 160,
      padRight: 0,
      padBottom: 10,
      resized: true,
      padded: true,
    });
    expect(describeFit(plan)).toBe(
      '512×300: resized to 256×150 (longest side at most 256 px), then padded to 256×160 (0 px right, 10 px bottom, edge pixels repeated)',
    );
  });

  it('resizes without padding when the result is already a multiple', () => {
    const plan = planFit(1024, 512);
    expect(plan).toMatchObject({ width: 256, height: 128, resized: true, padded: false });
  });

  it('handles a 1×1 image and a custom multiple', () => {
    expect(planFit(1, 1)).toMatchObject({ width: 16, height: 16, padRight: 15, padBottom: 15 });
    expect(planFit(5, 3, { maxSide: 100, multiple: 2 })).toMatchObject({ width: 6, height: 4 });
  });

  it('refuses sizes that are not positive integers', () => {
    expect(() => planFit(0, 5)).toThrow('image width must be a positive integer, got 0');
    expect(() => planFit(5, 2.5)).toThrow('image height must be a positive integer, got 2.5');
  });
});

describe('padEdge', () => {
  it('repeats the last column and row', () => {
    // 2×2 single channel [[1, 2], [3, 4]] -> 3×3
    expect(Array.from(padEdge([1, 2, 3, 4], 2, 2, 1, 3, 3))).toEqual([1, 2, 2, 3, 4, 4, 3, 4, 4]);
  });

  it('keeps channels interleaved', () => {
    expect(Array.from(padEdge([1, 10, 2, 20], 2, 1, 2, 3, 2))).toEqual([1, 10, 2, 20, 2, 20, 1, 10, 2, 20, 2, 20]);
  });

  it('checks the length and refuses to shrink', () => {
    expect(() => padEdge([1, 2, 3], 2, 2, 1, 2, 2)).toThrow('expected 2×2×1 = 4 values, got 3');
    expect(() => padEdge([1, 2, 3, 4], 2, 2, 1, 1, 2)).toThrow('padding cannot shrink');
  });
});

describe('workingImage', () => {
  it('scales bytes to [0, 1], drops alpha and pads', () => {
    expect(Array.from(rgbaToRgbUnit([255, 0, 51, 7], 1, 1))).toEqual([1, 0, Math.fround(0.2)]);
    const plan = planFit(1, 1, { maxSide: 10, multiple: 2 });
    const image = workingImage([255, 0, 51, 255], plan);
    expect(image.length).toBe(2 * 2 * 3);
    expect(Array.from(image)).toEqual([1, 0, 0.2, 1, 0, 0.2, 1, 0, 0.2, 1, 0, 0.2].map(Math.fround));
  });
});
