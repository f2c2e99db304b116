import { bandChannelIndex, bandEnergy, bandMask, energyTable, extractBand } from './bands';

describe('WaveMix channel layout', () => {
  it('puts the LL of every channel first, then LH, HL, HH per channel (specification §1 (docs/specification.md))', () => {
    // 3 channels: [LL0, LL1, LL2, LH0, HL0, HH0, LH1, HL1, HH1, LH2, HL2, HH2]
    expect(bandChannelIndex('LL', 2, 3)).toBe(2);
    expect(bandChannelIndex('LH', 0, 3)).toBe(3);
    expect(bandChannelIndex('HL', 1, 3)).toBe(7);
    expect(bandChannelIndex('HH', 2, 3)).toBe(11);
    expect(() => bandChannelIndex('LL', 3, 3)).toThrow('channel must be an integer from 0 to 2, got 3');
  });

  it('extracts a band of one channel from NHWC data', () => {
    // 1×2 pixels, 1 channel (depth 4): pixel 0 = [LL, LH, HL, HH] = [1, 2, 3, 4], pixel 1 = [5, 6, 7, 8]
    const level = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(Array.from(extractBand(level, 1, 2, 1, 'LL', 0))).toEqual([1, 5]);
    expect(Array.from(extractBand(level, 1, 2, 1, 'HH', 0))).toEqual([4, 8]);
    expect(() => extractBand(level, 2, 2, 1, 'LL', 0)).toThrow('level data has 8 values, expected 2×2×4');
  });

  it('zeroes one band of every channel with bandMask', () => {
    expect(Array.from(bandMask('HL', 2))).toEqual([1, 1, 1, 0, 1, 1, 0, 1]);
    expect(Array.from(bandMask('LL', 2))).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
  });
});

describe('band energy', () => {
  it('is the sum of squares', () => {
    expect(bandEnergy([3, -4])).toBe(25);
    expect(bandEnergy([])).toBe(0);
  });

  it('shares add up to the image energy for the 4×4 worked example of the spec', () => {
    // Input 1..16 (energy 1496); one level: LL [[7, 11], [23, 27]], LH all -4, HL all -1, HH all 0.
    const table = energyTable(
      [{ LL: [7, 11, 23, 27], LH: [-4, -4, -4, -4], HL: [-1, -1, -1, -1], HH: [0, 0, 0, 0] }],
      1496,
    );
    expect(table.map((e) => e.energy)).toEqual([1428, 64, 4, 0]);
    expect(table.reduce((s, e) => s + e.share, 0)).toBeCloseTo(1, 12);
    expect(table[0]).toEqual({ level: 1, band: 'LL', energy: 1428, share: 1428 / 1496 });
  });
});
