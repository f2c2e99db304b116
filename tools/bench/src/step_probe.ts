/**
 * Counts what a stretch of work costs on tfjs-backend-webgpu, by wrapping the backend's own entry
 * points on one backend instance (nothing in tfjs is changed for other code):
 *   - kernels: every kernel the engine runs (its registered `kernelFunc` is wrapped), with the
 *     GPU programs it dispatched (`runWebGPUProgram`) and the host milliseconds it took to record;
 *   - uploads: `uploadToGPU` of a tensor whose values are still on the host (a tensor created
 *     from CPU data is uploaded lazily, when a program first reads it); bytes = 4 per element;
 *   - uniforms: the per-dispatch uniform buffer each program writes (`makeUniforms`);
 *   - readbacks: `read` calls, and those that download from the GPU (values not already on the host);
 *   - synchronous reads (`readSync`), queue submits, and new pipelines (pipeline cache keys added).
 * A measurement tool for the bench scripts, not library code.
 */
import * as tf from '@tensorflow/tfjs';
import { AdamWUpdate, Dwt2D, Idwt2D, WaveletPyramid } from '@wavemix/core';

export type KernelCategory =
  | 'element-wise'
  | 'conv/matmul'
  | 'dwt'
  | 'optimizer'
  | 'normalisation'
  | 'reduction'
  | 'layout'
  | 'other';

// Engine kernel names (tfjs calls mul `Multiply` and div `RealDiv`); space-separated to stay short.
const CATEGORIES: Record<Exclude<KernelCategory, 'other'>, string> = {
  'element-wise':
    'Abs Add AddN Cast Ceil ClipByValue Cos Elu Equal Erf Exp Expm1 Fill Floor FloorDiv Greater GreaterEqual ' +
    'IsNan LeakyRelu Less LessEqual Log Log1p LogicalAnd LogicalNot LogicalOr Maximum Minimum Mod Multiply Neg ' +
    'NotEqual OnesLike Pow Prelu RealDiv Reciprocal Relu Relu6 Round Rsqrt Select Sigmoid Sign Sin Softplus Sqrt ' +
    'Square SquaredDifference Step Sub Tanh ZerosLike WaveMixGelu WaveMixGeluGrad',
  'conv/matmul':
    'BatchMatMul Conv2D Conv2DBackpropFilter Conv2DBackpropInput DepthwiseConv2dNative ' +
    'DepthwiseConv2dNativeBackpropFilter DepthwiseConv2dNativeBackpropInput FusedConv2D FusedDepthwiseConv2D ' +
    '_FusedMatMul',
  dwt: `${Dwt2D} ${Idwt2D} ${WaveletPyramid}`,
  optimizer: AdamWUpdate,
  normalisation: 'FusedBatchNorm',
  reduction: 'All Any ArgMax ArgMin Max Mean Min Prod Sum Softmax LogSoftmax',
  layout:
    'AvgPool AvgPoolGrad Concat DepthToSpace Gather GatherV2 GatherNd Identity MaxPool MaxPoolGrad MirrorPad ' +
    'OneHot Pack PadV2 Reshape ResizeBilinear ResizeNearestNeighbor Reverse Slice SpaceToBatchND Split ' +
    'StridedSlice Tile Transpose Unpack',
};
const CATEGORY_OF = new Map<string, KernelCategory>(
  Object.entries(CATEGORIES).flatMap(([category, names]) =>
    names.split(' ').map((name) => [name, category as KernelCategory] as const),
  ),
);

/** The category of an engine kernel name (`Mul` is tfjs's `Multiply`). */
export function kernelCategory(name: string): KernelCategory {
  return CATEGORY_OF.get(name) ?? (/Dwt|Wavelet/.test(name) ? 'dwt' : 'other');
}

export interface KernelStats {
  calls: number;
  /** GPU programs dispatched while this kernel ran (0: a metadata-only kernel such as Reshape). */
  dispatches: number;
  /** Host milliseconds spent recording it (pipeline creation included), not GPU time. */
  hostMs: number;
}

export interface ProbeCounts {
  kernels: Record<string, KernelStats>;
  /** Dispatches by WebGPU program class (BinaryOpProgram, Conv2DMMProgram, ...). */
  programs: Record<string, number>;
  dispatches: number;
  /** Host-to-GPU tensor uploads; `bySize`: how many of each byte size; `byKernel`: the kernel that needed them. */
  uploads: { tensors: number; bytes: number; bySize: Record<string, number>; byKernel: Record<string, number> };
  uniforms: { writes: number; bytes: number };
  readbacks: { calls: number; downloads: number; bytes: number };
  syncReads: number;
  submits: number;
  /** Program classes whose pipelines were compiled (new pipeline cache keys). */
  pipelinesCompiled: string[];
}

interface TensorData {
  values: ArrayLike<number> | null;
  resource: unknown;
  shape: number[];
}

/** The parts of tfjs-backend-webgpu's WebGPUBackend the probe wraps. */
interface WebGPUBackendInternals {
  tensorMap: { get(dataId: object): TensorData | undefined };
  pipelineCache: Record<string, unknown>;
  runWebGPUProgram(program: { constructor: { name: string } }, ...rest: unknown[]): unknown;
  uploadToGPU(dataId: object): void;
  makeUniforms(uniforms: unknown): { size: number };
  read(dataId: object): Promise<unknown>;
  readSync(dataId: object): unknown;
  submitQueue(): void;
}

type Method = 'runWebGPUProgram' | 'uploadToGPU' | 'makeUniforms' | 'read' | 'readSync' | 'submitQueue';

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function emptyCounts(): ProbeCounts {
  return {
    kernels: {},
    programs: {},
    dispatches: 0,
    uploads: { tensors: 0, bytes: 0, bySize: {}, byKernel: {} },
    uniforms: { writes: 0, bytes: 0 },
    readbacks: { calls: 0, downloads: 0, bytes: 0 },
    syncReads: 0,
    submits: 0,
    pipelinesCompiled: [],
  };
}

export class WebGPUStepProbe {
  private counts = emptyCounts();
  private readonly kernelStack: string[] = [];
  private readonly restore: Array<() => void> = [];

  private constructor(private readonly backend: WebGPUBackendInternals) {}

  /** Wraps the current webgpu backend and its registered kernels; call `uninstall` when done. */
  static install(): WebGPUStepProbe {
    if (tf.getBackend() !== 'webgpu')
      throw new Error(`the step probe needs the webgpu backend, not ${tf.getBackend()}`);
    const probe = new WebGPUStepProbe(tf.backend() as unknown as WebGPUBackendInternals);
    probe.wrapKernels();
    probe.wrapBackend();
    return probe;
  }

  /** The counts since the last call (or install), and starts again from zero. */
  take(): ProbeCounts {
    const counts = this.counts;
    this.counts = emptyCounts();
    return counts;
  }

  uninstall(): void {
    for (const undo of this.restore.splice(0).reverse()) undo();
  }

  private wrapKernels(): void {
    // The engine looks the config up on every call, so replacing kernelFunc on the registered
    // object is seen by every later kernel run on this backend.
    for (const config of tf.getKernelsForBackend('webgpu')) {
      const original = config.kernelFunc;
      const name = config.kernelName;
      config.kernelFunc = ((args: Parameters<tf.KernelFunc>[0]) => {
        const stats = this.counts.kernels[name] ?? { calls: 0, dispatches: 0, hostMs: 0 };
        this.counts.kernels[name] = stats;
        stats.calls++;
        this.kernelStack.push(name);
        const started = performance.now();
        try {
          return original(args);
        } finally {
          this.kernelStack.pop();
          const ms = performance.now() - started;
          stats.hostMs += ms;
          // Time inside a nested kernel belongs to it, not also to its caller.
          const outer = this.kernelStack[this.kernelStack.length - 1];
          if (outer !== undefined) this.counts.kernels[outer]!.hostMs -= ms;
        }
      }) as tf.KernelFunc;
      this.restore.push(() => {
        config.kernelFunc = original;
      });
    }
  }

  private wrap<M extends Method>(
    method: M,
    wrapper: (original: WebGPUBackendInternals[M]) => WebGPUBackendInternals[M],
  ) {
    const backend = this.backend;
    const own = Object.hasOwn(backend, method);
    const previous = backend[method];
    backend[method] = wrapper((previous as (...a: unknown[]) => unknown).bind(backend) as WebGPUBackendInternals[M]);
    this.restore.push(() => {
      if (own) backend[method] = previous;
      else delete (backend as Partial<WebGPUBackendInternals>)[method];
    });
  }

  private wrapBackend(): void {
    const backend = this.backend;
    this.wrap('runWebGPUProgram', (original) => (program, ...rest) => {
      const before = Object.keys(backend.pipelineCache).length;
      const output = original(program, ...rest);
      const name = program.constructor.name;
      this.counts.dispatches++;
      this.counts.programs[name] = (this.counts.programs[name] ?? 0) + 1;
      const kernel = this.kernelStack[this.kernelStack.length - 1];
      if (kernel !== undefined) this.counts.kernels[kernel]!.dispatches++;
      if (Object.keys(backend.pipelineCache).length > before) this.counts.pipelinesCompiled.push(name);
      return output;
    });
    this.wrap('uploadToGPU', (original) => (dataId) => {
      const data = backend.tensorMap.get(dataId);
      if (data && data.resource == null && data.values != null) {
        const uploads = this.counts.uploads;
        const bytes = 4 * sizeOf(data.shape);
        const kernel = this.kernelStack[this.kernelStack.length - 1] ?? '(outside kernels)';
        uploads.tensors++;
        uploads.bytes += bytes;
        uploads.bySize[bytes] = (uploads.bySize[bytes] ?? 0) + 1;
        uploads.byKernel[kernel] = (uploads.byKernel[kernel] ?? 0) + 1;
      }
      original(dataId);
    });
    this.wrap('makeUniforms', (original) => (uniforms) => {
      const binding = original(uniforms);
      this.counts.uniforms.writes++;
      this.counts.uniforms.bytes += binding.size;
      return binding;
    });
    this.wrap('read', (original) => (dataId) => {
      const data = backend.tensorMap.get(dataId);
      this.counts.readbacks.calls++;
      if (data && data.values == null) {
        this.counts.readbacks.downloads++;
        this.counts.readbacks.bytes += 4 * sizeOf(data.shape);
      }
      return original(dataId);
    });
    this.wrap('readSync', (original) => (dataId) => {
      this.counts.syncReads++;
      return original(dataId);
    });
    this.wrap('submitQueue', (original) => () => {
      this.counts.submits++;
      original();
    });
  }
}

/** Element-wise, conv/matmul, DWT, ... totals of a probe's kernel counts. */
export function byCategory(kernels: Record<string, KernelStats>): Record<KernelCategory, KernelStats> {
  const totals = {} as Record<KernelCategory, KernelStats>;
  for (const [name, stats] of Object.entries(kernels)) {
    const category = kernelCategory(name);
    const total = totals[category] ?? { calls: 0, dispatches: 0, hostMs: 0 };
    totals[category] = total;
    total.calls += stats.calls;
    total.dispatches += stats.dispatches;
    total.hostMs += stats.hostMs;
  }
  return totals;
}
