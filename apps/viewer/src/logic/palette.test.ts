import { CITYSCAPES_PALETTE, classColor, labelHistogram, overlayLabels } from './palette';

describe('Cityscapes palette overlay', () => {
  it('has the 19 train-id colours of cityscapesScripts', () => {
    expect(CITYSCAPES_PALETTE).toHaveLength(19);
    expect(classColor(0)).toEqual([128, 64, 128]); // road
    expect(classColor(10)).toEqual([70, 130, 180]); // sky
    expect(classColor(18)).toEqual([119, 11, 32]); // bicycle
    expect(classColor(19)).toEqual([0, 0, 0]); // beyond the palette: unlabeled black
  });

  it('blends (1 - opacity) * image + opacity * colour and keeps alpha', () => {
    const image = [100, 100, 100, 255, 0, 0, 0, 128];
    // pixel 0 road (128, 64, 128) at 0.25: 0.75*100 + 0.25*128 = 107, 0.75*100 + 0.25*64 = 91, 107
    // pixel 1 sky (70, 130, 180): 17.5 -> 18, 32.5 -> 33, 45
    expect(Array.from(overlayLabels(image, [0, 10], 0.25))).toEqual([107, 91, 107, 255, 18, 33, 45, 128]);
    expect(Array.from(overlayLabels(image, [0, 10], 0))).toEqual(image);
    expect(Array.from(overlayLabels(image, [0, 10], 1))).toEqual([128, 64, 128, 255, 70, 130, 180, 128]);
  });

  it('checks that the label map matches the image', () => {
    expect(() => overlayLabels([0, 0, 0, 0], [1, 2], 0.5)).toThrow('image has 1 pixels but the label map has 2');
  });

  it('counts labels', () => {
    expect(labelHistogram([0, 2, 2, 5], 3)).toEqual([1, 0, 2]);
  });
});
