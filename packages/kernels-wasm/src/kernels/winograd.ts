import type { ConvGeometry } from './conv_forward';

/** WAVEMIX_WASM_WINOGRAD=0 starts with Winograd off (worker threads inherit it: data-parallel A/B runs). */
let enabled =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.WAVEMIX_WASM_WINOGRAD !==
  '0';

/**
 * Whether the 2x2-tap phases of Conv2DBackpropInput (ConvTranspose(4, 2, 1)) run as Winograd
 * F(2x2, 2x2) (default) or as the direct implicit GEMM: off for A/B measurements and tests.
 */
export function setWasmWinograd(on: boolean): void {
  enabled = on;
}

export function wasmWinogradEnabled(): boolean {
  return enabled;
}

/** Below this many channels the transforms cost more than the 7 multiply-adds in 16 they save. */
const MIN_CHANNELS = 16;

/**
 * Whether a stride-1 convolution runs as Winograd F(2x2, 2x2): a 2x2 filter, input channels a
 * multiple of 4 (the transforms' f32x4 lanes) and enough channels on both sides.
 */
export function winograd22Applies(g: ConvGeometry): boolean {
  return (
    enabled &&
    g.filterHeight === 2 &&
    g.filterWidth === 2 &&
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    g.dilationHeight === 1 &&
    g.dilationWidth === 1 &&
    g.inChannels % 4 === 0 &&
    g.inChannels >= MIN_CHANNELS &&
    g.outChannels >= MIN_CHANNELS
  );
}
