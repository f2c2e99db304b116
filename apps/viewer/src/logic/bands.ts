/**
 * Reading bands out of the WaveMix channel layout (specification §1 (docs/specification.md)): a level tensor
 * [1, h, w, 4c] holds LL_0..LL_{c-1}, then LH_k, HL_k, HH_k for each input channel k.
 */
export const BAND_NAMES = ['LL', 'LH', 'HL', 'HH'] as const;
export type BandName = (typeof BAND_NAMES)[number];

/** Channel index of `band` of input channel `channel` among `4 * channels`. */
export function bandChannelIndex(band: BandName, channel: number, channels: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new RangeError(`channel must be an integer from 0 to ${channels - 1}, got ${channel}`);
  }
  if (band === 'LL') return channel;
  return channels + 3 * channel + BAND_NAMES.indexOf(band) - 1;
}

/** One band of one channel, row-major h × w, from a level's NHWC data (batch 1). */
export function extractBand(
  level: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  band: BandName,
  channel: number,
): Float32Array {
  const depth = 4 * channels;
  if (level.length !== height * width * depth) {
    throw new RangeError(`level data has ${level.length} values, expected ${height}×${width}×${depth}`);
  }
  const index = bandChannelIndex(band, channel, channels);
  const out = new Float32Array(height * width);
  for (let p = 0; p < out.length; p++) out[p] = level[p * depth + index]!;
  return out;
}

/** Sum of squared coefficients. */
export function bandEnergy(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return sum;
}

export interface EnergyEntry {
  level: number;
  band: BandName;
  energy: number;
  /** Share of the channel's total energy (the transform is orthonormal, so the shares of the
   * detail bands of every level plus the coarsest LL add up to 1). */
  share: number;
}

/**
 * Energy of each band for one channel. `total` is the channel's energy in the image domain;
 * shares are relative to it.
 */
export function energyTable(
  bandsByLevel: ReadonlyArray<Readonly<Record<BandName, ArrayLike<number>>>>,
  total: number,
): EnergyEntry[] {
  const entries: EnergyEntry[] = [];
  bandsByLevel.forEach((bands, i) => {
    for (const band of BAND_NAMES) {
      const energy = bandEnergy(bands[band]);
      entries.push({ level: i + 1, band, energy, share: total > 0 ? energy / total : 0 });
    }
  });
  return entries;
}

/** Multiplier per channel of a level tensor that zeroes `band` in every input channel. */
export function bandMask(band: BandName, channels: number): Float32Array {
  const mask = new Float32Array(4 * channels).fill(1);
  for (let k = 0; k < channels; k++) mask[bandChannelIndex(band, k, channels)] = 0;
  return mask;
}
