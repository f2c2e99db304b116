/**
 * The hot kernels of a WaveMix-Lite-64/6 training step at batch 64 (W1) on the wasm backend with
 * our kernels, under the roofline of roofline.ts: GFLOP/s against the best tile probe of the same
 * instruction set, and GB/s (the compulsory traffic: inputs read once, output written
 * once) against the probed read bandwidth. Each kernel runs with every build of the kernel module
 * the runtime offers (relaxed SIMD, plain SIMD), interleaved call by call; the best of the repeats
 * (process CPU time), the least disturbed by other processes.
 */
import * as tf from '@tensorflow/tfjs';
import {
  relaxedSimdSupported,
  setWasmSimdVariant,
  useWasmTraining,
  WasmBatchNormGrad,
  WaveMixGelu,
  WaveMixGeluGrad,
  type WasmSimdVariant,
} from '@wavemix/kernels-wasm';

type T4 = tf.Tensor4D;

interface KernelCase {
  kernel: string;
  /** Multiply-adds (0 for element-wise kernels, reported in GB/s only). */
  macs: number;
  /** Compulsory bytes moved. */
  bytes: number;
  run: () => tf.Tensor | tf.Tensor[];
}

export interface KernelRow {
  kernel: string;
  variant: WasmSimdVariant;
  ms: number;
  gflops: number | null;
  peakPercent: number | null;
  gbs: number;
  bandwidthPercent: number | null;
}

const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const bytesOf = (...shapes: number[][]) => 4 * shapes.reduce((sum, s) => sum + elements(s), 0);

function cases(): KernelCase[] {
  const r = (shape: [number, number, number, number], seed: number) =>
    tf.randomUniform(shape, -1, 1, 'float32', seed) as T4;
  const x16 = r([64, 16, 16, 64], 1);
  const x32 = r([64, 32, 32, 64], 2);
  const x32c = r([64, 32, 32, 32], 3);
  const dy16 = r([64, 16, 16, 128], 4);
  const w11 = r([1, 1, 64, 128], 5);
  const wt = r([4, 4, 64, 64], 6);
  const w33 = r([3, 3, 32, 64], 7);
  const h = r([64, 16, 16, 128], 8);
  const mean = tf.randomUniform([64], -0.1, 0.1, 'float32', 9);
  const variance = tf.randomUniform([64], 0.5, 1.5, 'float32', 10);
  const scale = tf.randomUniform([64], 0.5, 1.5, 'float32', 11);
  const offset = tf.randomUniform([64], -0.1, 0.1, 'float32', 12);
  const bpf = (x: T4, dy: T4, filterShape: number[], strides: number, pad: number) =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides,
      pad,
      dataFormat: 'NHWC',
      filterShape,
    } as never) as tf.Tensor;
  const k = tf.engine();
  return [
    {
      kernel: 'Conv2D 1x1 64->128 @16x16',
      macs: 64 * 256 * 64 * 128,
      bytes: bytesOf(x16.shape, w11.shape, dy16.shape),
      run: () => tf.conv2d(x16, w11, 1, 'valid'),
    },
    {
      kernel: 'Conv2D 3x3 32->64 @32x32 (stem)',
      macs: 64 * 1024 * 9 * 32 * 64,
      bytes: bytesOf(x32c.shape, w33.shape, x32.shape),
      run: () => tf.conv2d(x32c, w33, 1, 'same'),
    },
    {
      kernel: 'Conv2DBackpropInput 1x1 128->64 (1x1 input grad)',
      macs: 64 * 256 * 64 * 128,
      bytes: bytesOf(dy16.shape, w11.shape, x16.shape),
      run: () => tf.conv2dTranspose(dy16, w11, [64, 16, 16, 64], 1, 'valid'),
    },
    {
      kernel: 'Conv2DBackpropInput = ConvTranspose(4,2,1) 64->64',
      macs: 64 * 1024 * 4 * 64 * 64,
      bytes: bytesOf(x16.shape, wt.shape, x32.shape),
      run: () => tf.conv2dTranspose(x16, wt, [64, 32, 32, 64], 2, 'same'),
    },
    {
      kernel: 'Conv2DBackpropFilter 1x1 64->128',
      macs: 64 * 256 * 64 * 128,
      bytes: bytesOf(x16.shape, dy16.shape, w11.shape),
      run: () => bpf(x16, dy16, [1, 1, 64, 128], 1, 0),
    },
    {
      kernel: 'Conv2DBackpropFilter 4x4 s2 64->64',
      macs: 64 * 256 * 16 * 64 * 64,
      bytes: bytesOf(x32.shape, x16.shape, wt.shape),
      run: () => bpf(x32, x16, [4, 4, 64, 64], 2, 1),
    },
    {
      kernel: 'GELU [64,16,16,128]',
      macs: 0,
      bytes: bytesOf(h.shape, h.shape),
      run: () => k.runKernel(WaveMixGelu, { x: h }, {}) as tf.Tensor,
    },
    {
      kernel: 'GELU gradient',
      macs: 0,
      bytes: bytesOf(h.shape, h.shape, h.shape),
      run: () => k.runKernel(WaveMixGeluGrad, { x: h, dy: h }, {}) as tf.Tensor,
    },
    {
      kernel: 'BatchNorm (inference form) [64,32,32,64]',
      macs: 0,
      bytes: bytesOf(x32.shape, x32.shape),
      run: () => tf.batchNorm(x32, mean, variance, offset, scale, 1e-5),
    },
    {
      kernel: 'BatchNorm gradient [64,32,32,64]',
      macs: 0,
      bytes: bytesOf(x32.shape, x32.shape, x32.shape),
      run: () =>
        k.runKernel(
          WasmBatchNormGrad,
          { x: x32, dy: x32, mean, variance, scale },
          { varianceEpsilon: 1e-5 },
        ) as tf.Tensor[],
    },
  ];
}

/** Best (least) process CPU ms of one call per variant, the variants interleaved call by call. */
function bestCpuMs(run: () => tf.Tensor | tf.Tensor[], variants: WasmSimdVariant[], repeats: number): number[] {
  const best = variants.map(() => Infinity);
  for (const variant of variants) {
    setWasmSimdVariant(variant);
    tf.dispose(run()); // instantiate, pack, tier up
    tf.dispose(run());
  }
  for (let i = 0; i < repeats; i++) {
    variants.forEach((variant, v) => {
      setWasmSimdVariant(variant);
      const c0 = process.cpuUsage();
      const y = run(); // the wasm backend computes synchronously
      const c = process.cpuUsage(c0);
      best[v] = Math.min(best[v]!, (c.user + c.system) / 1000);
      tf.dispose(y);
    });
  }
  return best;
}

/** `peak`: best probe GFLOP/s by instruction set (`muladd`, `fma`); `bandwidth`: read GB/s. */
export async function kernelRows(
  repeats: number,
  peak: Record<string, number>,
  bandwidth: number,
): Promise<KernelRow[]> {
  await useWasmTraining();
  const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];
  const list = cases();
  const rows: KernelRow[] = [];
  for (const c of list) {
    // batch norm has no multiply-add in either build: one is enough (GELU's polynomials use them)
    const used = c.kernel.startsWith('BatchNorm') ? variants.slice(0, 1) : variants;
    const times = bestCpuMs(c.run, used, repeats);
    used.forEach((variant, v) => {
      const ms = times[v]!;
      const gflops = c.macs > 0 ? (2 * c.macs) / ms / 1e6 : null;
      const ceiling = peak[variant === 'relaxed-simd' ? 'fma' : 'muladd'];
      const gbs = c.bytes / ms / 1e6;
      rows.push({
        kernel: c.kernel,
        variant,
        ms,
        gflops,
        peakPercent: gflops != null && ceiling ? (100 * gflops) / ceiling : null,
        gbs,
        bandwidthPercent: Number.isFinite(bandwidth) ? (100 * gbs) / bandwidth : null,
      });
      console.error(`${c.kernel} (${variant}): ${ms.toFixed(1)} ms CPU`);
    });
  }
  setWasmSimdVariant('auto');
  return rows;
}
