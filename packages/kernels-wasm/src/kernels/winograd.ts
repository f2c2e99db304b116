import type { ConvGeometry } from './conv_forward';

/** WAVEMIX_WASM_WINOGRAD=0 starts with Winograd off (worker threads inherit it: data-parallel A/B runs). */
let enabled =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.WAVEMIX_WASM_WINOGRAD !==
  '0';

/**
 * Whether 2x2 and 3x3 stride-1 convolutions (Conv2D, and the phases of Conv2DBackpropInput:
 * ConvTranspose(4, 2, 1) is four 2x2 ones) run as Winograd F(m x m, r x r) (default) or as the
 * direct implicit GEMM: off for A/B measurements and tests.
 */
export function setWasmWinograd(on: boolean): void {
  enabled = on;
}

export function wasmWinogradEnabled(): boolean {
  return enabled;
}

/**
 * Fewer channels than this on either side and the transforms cost about what the products save
 * (16 -> 16 measured 0.94-1.17x the direct GEMM; 32 and more 1.4-1.9x).
 */
const MIN_CHANNELS = 32;

/**
 * The r with which a convolution runs as Winograd F(m x m, r x r) (m: winogradTile), or 0 for the
 * direct implicit GEMM: an r x r filter at stride 1, or (for stride 2, the input gradient of ConvTranspose(4, 2, 1))
 * a 2r x 2r filter at stride 2, whose four input phases are r x r correlations; r = 2 or 3,
 * dilation 1, input channels a multiple of 4 (the transforms' f32x4 lanes) and enough channels (32)
 * on both sides.
 */
export function winogradTaps(g: ConvGeometry): 0 | 2 | 3 {
  const s = g.strideHeight;
  const r = g.filterHeight / s;
  const applies =
    enabled &&
    (s === 1 || s === 2) &&
    (r === 2 || r === 3) &&
    g.filterWidth === g.filterHeight &&
    g.strideWidth === s &&
    g.dilationHeight === 1 &&
    g.dilationWidth === 1 &&
    g.inChannels % 4 === 0 &&
    g.inChannels >= MIN_CHANNELS &&
    g.outChannels >= MIN_CHANNELS;
  return applies ? (r as 2 | 3) : 0;
}

/** WAVEMIX_WASM_WINOGRAD_TILE=2 starts with 2x2 output tiles only (A/B runs; workers inherit it). */
let largeTiles =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.WAVEMIX_WASM_WINOGRAD_TILE !== '2';

/**
 * Whether Winograd convolutions may use 4x4 output tiles, F(4x4, 2x2) and F(4x4, 3x3) (default),
 * or always 2x2 ones: off for A/B measurements and tests.
 */
export function setWasmWinogradLargeTiles(on: boolean): void {
  largeTiles = on;
}

/**
 * Most area of padding the 4x4 tiles may add over the 2x2 ones (a 14x14 output: 16^2 / 14^2 =
 * 1.31x, which would eat most of F(4x4, 2x2)'s 1.44x fewer products; F(4x4, 3x3) saves 1.78x).
 */
const MAX_TILE_PADDING = 1.15;

/**
 * The output tile of a convolution winogradTaps gave r for: 4 (F(4x4, r x r)) when 4x4 tiles cover
 * the output with little padding, else 2.
 */
export function winogradTile(g: ConvGeometry, r: 0 | 2 | 3): 0 | 2 | 4 {
  if (r === 0) return 0;
  if (!largeTiles) return 2;
  const cover = (m: number) => Math.ceil(g.outHeight / m) * m * Math.ceil(g.outWidth / m) * m;
  return cover(4) <= MAX_TILE_PADDING * cover(2) ? 4 : 2;
}

/**
 * Whether Conv2DBackpropFilter runs as Winograd F(2x2, 2x2) over input phases: a 2s x 2s filter at
 * stride s = 1 or 2 (ConvTranspose(4, 2, 1)'s filter gradient is the 4x4 stride-2 one), dilation 1,
 * both channel counts multiples of 4 and at least 32.
 */
export function winogradFilterGradApplies(
  info: Pick<
    ConvGeometry,
    | 'filterHeight'
    | 'filterWidth'
    | 'strideHeight'
    | 'strideWidth'
    | 'dilationHeight'
    | 'dilationWidth'
    | 'inChannels'
    | 'outChannels'
  >,
): boolean {
  const s = info.strideHeight;
  return (
    enabled &&
    (s === 1 || s === 2) &&
    info.strideWidth === s &&
    info.filterHeight === 2 * s &&
    info.filterWidth === 2 * s &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 4 === 0 &&
    info.inChannels >= MIN_CHANNELS &&
    info.outChannels >= MIN_CHANNELS
  );
}
