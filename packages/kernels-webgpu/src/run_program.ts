/**
 * The one path every WaveMix WebGPU program runs through: limit checks, then tfjs's
 * runWebGPUProgram, with WebGPU validation errors turned into thrown errors.
 *
 * WebGPU reports a WGSL compile or pipeline error asynchronously (an error scope or an
 * `uncapturederror` event), and a dispatch with an invalid pipeline simply does nothing, which
 * reads back as zeros or stale memory. Kernels are synchronous, so the first run of each program
 * layout is wrapped in a validation error scope; the backend's `read` (what `tensor.data()` calls)
 * waits for those scopes and throws the failure, and from then on the kernel throws synchronously.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { WaveMixKernelLimitError } from '@wavemix/core';
import { WaveMixShaderError } from './errors';
import type { ProgramUniforms, WaveMixWebGPUProgram } from './programs';

const BACKEND = 'webgpu';
const BYTES_PER_FLOAT = 4;

/** The parts of GPUDevice we use, typed here so our declarations need no @webgpu/types. */
export interface DeviceLike {
  readonly limits: { readonly maxStorageBufferBindingSize: number; readonly maxBufferSize: number };
  pushErrorScope(filter: 'validation'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/** The parts of tfjs-backend-webgpu's WebGPUBackend we use. */
export interface WebGPUBackendLike {
  readonly device: DeviceLike;
  readonly pipelineCache: Record<string, unknown>;
  runWebGPUProgram(
    program: unknown,
    inputs: TensorInfo[],
    outputDtype: 'float32',
    uniforms?: ProgramUniforms,
  ): TensorInfo;
  read(dataId: DataId): Promise<unknown>;
  readSync(dataId: DataId): unknown;
  disposeData(dataId: DataId, force?: boolean): boolean;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Submits what tfjs has recorded so far, so the next dispatch starts a command buffer of its own. */
function flush(backend: WebGPUBackendLike): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/**
 * Throws WaveMixKernelLimitError when a tensor of `shape` cannot be bound as one storage buffer
 * (maxStorageBufferBindingSize / maxBufferSize) or indexed with the shaders' i32 arithmetic.
 */
export function assertBufferFits(
  backend: WebGPUBackendLike,
  kernelName: string,
  role: string,
  shape: readonly number[],
): void {
  const { maxStorageBufferBindingSize, maxBufferSize } = backend.device.limits;
  const elements = shape.reduce((p, d) => p * d, 1);
  const bytes = elements * BYTES_PER_FLOAT;
  const describe = `${role} of shape [${shape.join(', ')}] (${bytes} bytes)`;
  if (bytes > maxStorageBufferBindingSize || bytes > maxBufferSize) {
    const [name, limit] =
      bytes > maxStorageBufferBindingSize
        ? ['maxStorageBufferBindingSize', maxStorageBufferBindingSize]
        : ['maxBufferSize', maxBufferSize];
    throw new WaveMixKernelLimitError(
      kernelName,
      BACKEND,
      `${describe} exceeds the device limit ${name} = ${limit} bytes; split the batch or use a smaller input`,
    );
  }
  if (elements > 2 ** 31 - 1) {
    throw new WaveMixKernelLimitError(
      kernelName,
      BACKEND,
      `${describe} has more elements than i32 indexing allows (2^31 - 1)`,
    );
  }
}

interface ValidationState {
  /** Program keys whose first run was wrapped in an error scope. */
  readonly checked: Set<string>;
  readonly failures: Map<string, WaveMixShaderError>;
  readonly pending: Set<Promise<void>>;
  readonly unreported: WaveMixShaderError[];
  /** Outputs of runs whose program failed validation: reading them always throws. */
  readonly poisoned: WeakMap<DataId, WaveMixShaderError>;
}

const states = new WeakMap<object, ValidationState>();

function takeUnreported(state: ValidationState, dataId: DataId): void {
  const failure = state.unreported.shift() ?? state.poisoned.get(dataId);
  if (failure) throw failure;
}

function validationState(backend: WebGPUBackendLike): ValidationState {
  const state = states.get(backend);
  if (state) return state;
  const created: ValidationState = {
    checked: new Set(),
    failures: new Map(),
    pending: new Set(),
    unreported: [],
    poisoned: new WeakMap(),
  };
  const read = backend.read.bind(backend);
  const readSync = backend.readSync.bind(backend);
  backend.read = async (dataId: DataId) => {
    if (created.pending.size > 0) await Promise.all([...created.pending]);
    takeUnreported(created, dataId);
    return read(dataId);
  };
  // Synchronous reads cannot wait for a pending scope; they report what has already resolved.
  backend.readSync = (dataId: DataId) => {
    takeUnreported(created, dataId);
    return readSync(dataId);
  };
  states.set(backend, created);
  return created;
}

/**
 * Runs `program` on `inputs` and returns its output with the program's logical NHWC shape.
 * Inputs are bound as `[size, 1]`, the output as `[size]` (see programs.ts).
 */
export function runWaveMixProgram(
  backend: WebGPUBackendLike,
  kernelName: string,
  program: WaveMixWebGPUProgram,
  inputs: TensorInfo[],
): TensorInfo {
  inputs.forEach((input, i) => assertBufferFits(backend, kernelName, `input ${program.variableNames[i]}`, input.shape));
  assertBufferFits(backend, kernelName, 'output', program.logicalOutputShape);
  const state = validationState(backend);
  const key = program.shaderKey;
  const failure = state.failures.get(key);
  if (failure) throw failure;
  const flatInputs = inputs.map((input) => ({
    dataId: input.dataId,
    shape: [input.shape.reduce((p, d) => p * d, 1), 1],
    dtype: input.dtype,
  }));
  const firstRun = !state.checked.has(key);
  const device = backend.device;
  // The first run of a layout goes in a command buffer of its own: an invalid pipeline invalidates
  // the whole command buffer it is recorded in, and other kernels' work must not go down with it.
  if (firstRun) {
    state.checked.add(key);
    flush(backend);
    device.pushErrorScope('validation');
  }
  let output: TensorInfo | undefined;
  try {
    output = backend.runWebGPUProgram(program, flatInputs, 'float32', program.uniformData);
  } finally {
    if (firstRun) {
      flush(backend);
      const outputId = output?.dataId;
      const check = device.popErrorScope().then(
        (error) => {
          if (!error) return;
          const shaderError = new WaveMixShaderError(kernelName, BACKEND, key, error.message);
          state.failures.set(key, shaderError);
          state.unreported.push(shaderError);
          if (outputId) state.poisoned.set(outputId, shaderError);
        },
        () => undefined,
      );
      state.pending.add(check);
      void check.then(() => state.pending.delete(check));
    }
  }
  return { dataId: output!.dataId, shape: program.logicalOutputShape, dtype: 'float32' };
}
