/**
 * WebGPU-specific cases run beside the core conformance suite, in Node (jest, gpu-check) and in
 * the browser harness. Runner-agnostic like `@wavemix/core/testing`: async functions that throw.
 */
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { dwt2d, idwt2d, waveletPyramid, WaveMixKernelLimitError } from '@wavemix/core';
import { assert, assertThrows, randomArray, type ConformanceCase } from '@wavemix/core/testing';
import { WaveMixShaderError } from '../errors';
import { dwt2DConfig } from '../kernels/Dwt2D';
import { dispatchFor, type ProgramUniforms, type WaveMixWebGPUProgram } from '../programs';
import { runWaveMixProgram, type WebGPUBackendLike } from '../run_program';

function activeBackend(): WebGPUBackendLike {
  assert(tf.getBackend() === 'webgpu', `expected the webgpu backend, got ${tf.getBackend()}`);
  return tf.backend() as unknown as WebGPUBackendLike;
}

/** A program whose WGSL does not compile, run through the same path as our kernels. */
class BrokenProgram implements WaveMixWebGPUProgram {
  variableNames = ['x'];
  outputShape = [4];
  logicalOutputShape = [1, 1, 1, 4];
  shaderKey = 'wavemix_test_broken';
  dispatchLayout = { x: [0] };
  dispatch = dispatchFor(4);
  workgroupSize: [number, number, number] = [64, 1, 1];
  outputComponent = 1;
  uniforms = 'threads : i32,';
  uniformData: ProgramUniforms = [{ type: 'int32', data: [4] }];
  getUserCode(): string {
    return `fn main(index : i32) { result[index] = undefinedSymbol * 2.0; }`;
  }
}

export function webgpuKernelCases(): ConformanceCase[] {
  return [
    {
      // tfjs adds broadcast flags to its key when a bound tensor has one element, so the inverse
      // to a 1x1x1x1 output compiles one extra variant; every other shape reuses the pipelines.
      name: 'webgpu: one compiled pipeline per layout serves every shape',
      run: async () => {
        const backend = activeBackend();
        const ourKeys = () =>
          Object.keys(backend.pipelineCache)
            .filter((key) => key.startsWith('wavemix_haar_'))
            .sort();
        const runAll = async (shape: [number, number, number, number]) => {
          const x = tf.tensor4d(
            randomArray(
              shape.reduce((p, d) => p * d, 1),
              11,
            ),
            shape,
          );
          const outs = [dwt2d(x), ...(Math.min(shape[1], shape[2]) >= 2 ? waveletPyramid(x, 1) : [])];
          outs.push(idwt2d(outs[0]!, [shape[1], shape[2]]));
          await outs[outs.length - 1]!.data();
          tf.dispose([x, ...outs]);
        };
        await runAll([1, 4, 6, 3]);
        await runAll([1, 4, 6, 4]);
        const warm = ourKeys();
        const layouts = [...new Set(warm.map((key) => key.split('_').slice(0, 4).join('_')))];
        assert(layouts.length === 4, `expected forward/inverse x scalar/vec4 pipelines, got ${warm.join(' | ')}`);
        for (const shape of [
          [1, 1, 1, 1],
          [1, 2, 2, 1],
          [2, 7, 5, 3],
          [1, 16, 16, 4],
          [3, 9, 33, 8],
          [1, 130, 66, 12],
        ] as Array<[number, number, number, number]>) {
          if (shape.reduce((p, d) => p * d, 1) === 1) {
            const x = tf.tensor4d([0.5], shape);
            const y = dwt2d(x);
            await y.data();
            tf.dispose([x, y]);
          } else {
            await runAll(shape);
          }
        }
        const after = ourKeys();
        assert(
          JSON.stringify(after) === JSON.stringify(warm),
          `new pipelines compiled for new shapes: ${after.filter((k) => !warm.includes(k)).join(' | ')}`,
        );
      },
    },
    {
      name: 'webgpu: an input over maxStorageBufferBindingSize throws WaveMixKernelLimitError naming the limit',
      run: async () => {
        // A device with WebGPU's default limits (128 MiB per storage binding), as many browsers
        // grant; the tfjs backend on it is real, the oversized input is a CPU-side tensor.
        const gpu = (
          globalThis as {
            navigator?: { gpu?: { requestAdapter(): Promise<{ requestDevice(): Promise<unknown> } | null> } };
          }
        ).navigator?.gpu;
        assert(gpu != null, 'navigator.gpu is missing');
        const adapter = await gpu.requestAdapter();
        assert(adapter != null, 'no WebGPU adapter');
        const device = (await adapter.requestDevice()) as {
          limits: { maxStorageBufferBindingSize: number };
          destroy(): void;
        };
        const limit = device.limits.maxStorageBufferBindingSize;
        const backend = new WebGPUBackend(device as never);
        try {
          const shape = [1, Math.ceil(limit / (4 * 4096 * 2)) + 1, 4096, 2];
          const dataId = backend.write(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape, 'float32');
          const run = () =>
            dwt2DConfig.kernelFunc({ inputs: { x: { dataId, shape, dtype: 'float32' } }, backend, attrs: {} });
          assertThrows(
            run,
            new RegExp(
              `^WaveMixDwt2D on webgpu: input x of shape \\[${shape.join(', ')}\\] .* exceeds the device limit maxStorageBufferBindingSize = ${limit} bytes`,
            ),
            WaveMixKernelLimitError,
            'oversized input',
          );
          backend.disposeData(dataId);
        } finally {
          backend.dispose();
          device.destroy();
        }
      },
    },
    {
      name: 'webgpu: a WGSL compile failure is thrown (on read, then at once), never read as zeros',
      run: async () => {
        const backend = activeBackend();
        const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 1, 4]);
        await x.data();
        const before = tf.memory().numTensors;
        const output = runWaveMixProgram(backend, 'WaveMixTestBroken', new BrokenProgram(), [x]);
        let error: unknown;
        try {
          await backend.read(output.dataId);
        } catch (caught) {
          error = caught;
        }
        backend.disposeData(output.dataId);
        assert(
          error instanceof WaveMixShaderError,
          `reading the output gave ${String(error)}, expected WaveMixShaderError`,
        );
        assert(
          /WaveMixTestBroken on webgpu: program wavemix_test_broken failed to compile/.test((error as Error).message),
          (error as Error).message,
        );
        assertThrows(
          () => runWaveMixProgram(backend, 'WaveMixTestBroken', new BrokenProgram(), [x]),
          /failed to compile/,
          WaveMixShaderError,
          'second run',
        );
        // The failure is reported once; working kernels keep working.
        const small = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
        const y = dwt2d(small);
        const values = await y.data();
        assert(values[0] === 5, `dwt2d after the failure gave LL ${values[0]}, expected 5`);
        tf.dispose([x, small, y]);
        assert(tf.memory().numTensors <= before, 'tensors leaked');
      },
    },
  ];
}
