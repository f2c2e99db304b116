import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { WaveMixError } from '@wavemix/core';
import { wasmSimdVariant, type WasmSimdVariant } from './simd_variant';
import { TRAIN_KERNELS_RELAXED_WASM_BASE64, TRAIN_KERNELS_WASM_BASE64 } from './train_kernels_wasm';

/** Exports of csrc/train_kernels.c. Every pointer is a byte offset on the backend heap. */
export interface TrainKernelExports {
  fill_zero(dst: number, n: number): void;
  conv2d_backprop_filter(
    x: number,
    dy: number,
    dw: number,
    ind: number,
    zero: number,
    kcMax: number,
    batch: number,
    h: number,
    w: number,
    ci: number,
    oh: number,
    ow: number,
    co: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw_: number,
    pt: number,
    pl: number,
  ): void;
  pack_filter(
    src: number,
    packed: number,
    tapOffsets: number,
    taps: number,
    cin: number,
    cout: number,
    inStride: number,
    outStride: number,
  ): void;
  conv2d_forward(
    x: number,
    wPacked: number,
    bias: number,
    out: number,
    ind: number,
    zero: number,
    block: number,
    batch: number,
    h: number,
    w: number,
    cin: number,
    oh: number,
    ow: number,
    cout: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    pt: number,
    pl: number,
    outH: number,
    outW: number,
    osy: number,
    osx: number,
    oqy: number,
    oqx: number,
    ldo: number,
    mBegin: number,
    mEnd: number,
  ): void;
  /**
   * Conv1x1 -> GELU -> Conv1x1 over tiles, pixels [pixelBegin, pixelEnd) (csrc/pointwise_mlp.inc.c),
   * on x, or on the channel concatenation [x, x2] when cin2 > 0 (each tile's rows of both copied
   * side by side into `concatenated`, tile * (cin + cin2) floats).
   */
  pointwise_mlp(
    x: number,
    x2: number,
    w1Packed: number,
    b1Packed: number,
    w2Packed: number,
    b2Packed: number,
    hidden: number,
    concatenated: number,
    out: number,
    tile: number,
    cin: number,
    cin2: number,
    hiddenChannels: number,
    cout: number,
    pixelBegin: number,
    pixelEnd: number,
  ): void;
  /**
   * Winograd F(m x m, r x r) filter transform of `phases` r x r-tap layouts (tap offsets phase
   * after phase): [(m + r - 1)^2][ceil(cout / 8)][phases * cin][8].
   */
  winograd_pack_filter(
    src: number,
    packed: number,
    tapOffsets: number,
    m: number,
    r: number,
    phases: number,
    cin: number,
    cout: number,
    inStride: number,
    outStride: number,
  ): void;
  /**
   * A stride-s (s r) x (s r) convolution (+ bias; s = 1: an r x r correlation) by Winograd
   * F(m x m, r x r) over its s * s input phases, output tiles [tBegin, tEnd) (csrc/winograd.inc.c).
   */
  winograd_conv(
    x: number,
    uPacked: number,
    bias: number,
    out: number,
    scratch: number,
    ind: number,
    zero: number,
    m: number,
    r: number,
    stride: number,
    tileBlock: number,
    h: number,
    w: number,
    cin: number,
    oh: number,
    ow: number,
    cout: number,
    pt: number,
    pl: number,
    outH: number,
    outW: number,
    osy: number,
    osx: number,
    oqy: number,
    oqx: number,
    ldo: number,
    tBegin: number,
    tEnd: number,
  ): void;
  /**
   * Conv2DBackpropFilter of a stride-s (2s) x (2s) convolution by Winograd F(2x2, 2x2) over the s * s
   * input phases (csrc/winograd.inc.c); cin and cout multiples of 4.
   */
  winograd_filter_grad(
    x: number,
    dy: number,
    dw: number,
    scratch: number,
    ind: number,
    zero: number,
    stride: number,
    tileBlock: number,
    batch: number,
    h: number,
    w: number,
    cin: number,
    oh: number,
    ow: number,
    cout: number,
    filterWidth: number,
    pt: number,
    pl: number,
  ): void;
  /** One Haar DWT level in the WaveMix layout, channels a multiple of 4 (csrc/haar.inc.c). */
  haar_forward(src: number, dst: number, batch: number, h: number, w: number, c: number, srcStride: number): void;
  /** Its inverse, cropped to outH x outW (csrc/haar.inc.c). */
  haar_inverse(
    src: number,
    dst: number,
    batch: number,
    h2: number,
    w2: number,
    c: number,
    outH: number,
    outW: number,
  ): void;
  depthwise_backprop_filter(
    x: number,
    dy: number,
    dw: number,
    ind: number,
    zero: number,
    kcMax: number,
    batch: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    mult: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw_: number,
    pt: number,
    pl: number,
  ): void;
  exp_f32(x: number, y: number, n: number): void;
  erf_f32(x: number, y: number, n: number): void;
  gelu_f32(x: number, y: number, n: number): void;
  /** SeededDropout (csrc/elementwise.inc.c): key = dropoutSeedKey(seed), threshold and scale as @wavemix/core's. */
  seeded_dropout(x: number, out: number, n: number, key: number, threshold: number, scale: number): void;
  gelu_grad_f32(x: number, dy: number, dx: number, n: number): void;
  sum_rows(x: number, out: number, acc: number, rows: number, cols: number, scale: number): void;
  broadcast_rows(a: number, b: number, out: number, rows: number, cols: number, op: number, bFirst: number): void;
  scalar_op(a: number, s: number, out: number, n: number, op: number, sFirst: number): void;
  affine_rows(x: number, sub: number, mul: number, add: number, out: number, rows: number, cols: number): void;
  batchnorm_grad(
    x: number,
    dy: number,
    mean: number,
    variance: number,
    scale: number,
    dx: number,
    grads: number,
    scratch: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** out = x * scale + shift (+ residual), per channel (csrc/elementwise.inc.c); residual 0 for none. */
  channel_affine(
    x: number,
    scale: number,
    shift: number,
    residual: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  batchnorm_train(
    x: number,
    scale: number,
    offset: number,
    y: number,
    mean: number,
    variance: number,
    scratch: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  batchnorm_train_grad(
    x: number,
    dy: number,
    mean: number,
    variance: number,
    scale: number,
    dmean: number,
    dvariance: number,
    dx: number,
    grads: number,
    scratch: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  depthwise_backprop_input(
    dy: number,
    w: number,
    dx: number,
    ind: number,
    trash: number,
    kcMax: number,
    batch: number,
    h: number,
    wd: number,
    c: number,
    oh: number,
    ow: number,
    mult: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw_: number,
    pt: number,
    pl: number,
  ): void;
}

export class WasmTrainingKernelError extends WaveMixError {
  constructor(message: string) {
    super(message);
    this.name = 'WasmTrainingKernelError';
  }
}

const compiled = new Map<WasmSimdVariant, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, Map<WasmSimdVariant, TrainKernelExports>>();

/** Decodes a base64 module. */
export function decodeModule(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function wasmBytes(variant: WasmSimdVariant): Uint8Array<ArrayBuffer> {
  return decodeModule(variant === 'relaxed-simd' ? TRAIN_KERNELS_RELAXED_WASM_BASE64 : TRAIN_KERNELS_WASM_BASE64);
}

/**
 * Compiles the kernel module off the main thread. Optional in Node (the kernels compile it
 * synchronously on first use); in browsers call it once before training, because browsers refuse
 * synchronous compilation of modules over 4 KB on the main thread.
 */
export async function prepareWasmTrainingKernels(): Promise<void> {
  const variant = wasmSimdVariant();
  if (!compiled.has(variant)) compiled.set(variant, await WebAssembly.compile(wasmBytes(variant)));
}

function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  const wasm = backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  const memory = wasm.asm?.memory ?? wasm.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new WasmTrainingKernelError(
      'cannot find the WebAssembly.Memory of the wasm backend (backend.wasm.asm.memory)',
    );
  }
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) {
    throw new WasmTrainingKernelError(
      'the wasm backend runs its multi-threaded build (shared memory); the WaveMix training kernels support the single-threaded SIMD build only',
    );
  }
  return memory;
}

const availability = new WeakMap<object, boolean>();

/**
 * Whether our kernel module can run on this backend: the single-threaded build (its memory is
 * not shared). The replaced kernels check this and leave everything to the backend's own kernels
 * otherwise (e.g. the multi-threaded build in a cross-origin-isolated page).
 */
export function trainKernelsAvailable(backend: BackendWasm): boolean {
  let ok = availability.get(backend);
  if (ok == null) {
    try {
      backendMemory(backend);
      ok = true;
    } catch {
      ok = false;
    }
    availability.set(backend, ok);
  }
  return ok;
}

/** The kernel module (the build `wasmSimdVariant()` names) instantiated on this backend's memory. */
export function trainKernels(backend: BackendWasm): TrainKernelExports {
  const memory = backendMemory(backend);
  const variant = wasmSimdVariant();
  let byVariant = instances.get(memory);
  if (!byVariant) {
    byVariant = new Map();
    instances.set(memory, byVariant);
  }
  let exports = byVariant.get(variant);
  if (!exports) {
    let module = compiled.get(variant);
    if (!module) {
      module = new WebAssembly.Module(wasmBytes(variant));
      compiled.set(variant, module);
    }
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as TrainKernelExports;
    byVariant.set(variant, exports);
  }
  return exports;
}

/** Byte offset of a tensor's data on the backend heap. */
export function heapOffset(backend: BackendWasm, t: TensorInfo | DataId): number {
  const dataId = (t as TensorInfo).dataId ?? t;
  const data = backend.dataIdMap.get(dataId as DataId);
  if (data == null)
    throw new WasmTrainingKernelError('tensor is not on the wasm backend (disposed, or on another backend)');
  return data.memoryOffset;
}

/** A scratch buffer on the backend heap (float32 slots), freed by `disposeScratch`. */
export function allocScratch(backend: BackendWasm, floats: number): TensorInfo {
  return backend.makeOutput([Math.max(1, floats)], 'float32');
}

export function disposeScratch(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
