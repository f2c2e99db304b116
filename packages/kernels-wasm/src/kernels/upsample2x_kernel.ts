import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, type TrainKernelExports, trainKernels, trainKernelsAvailable } from '../train/module';
import { heapViews } from './heap';

/** A typed-array x2 upsampling (or its adjoint) from @wavemix/core, sized by the low-resolution `h` x `w`. */
type Upsample2xImpl = (src: Float32Array, b: number, h: number, w: number, c: number, dst: Float32Array) => void;

/** An export of csrc/upsample.inc.c: the same arguments, pointers as byte offsets on the backend heap. */
type Upsample2xExport = (src: number, dst: number, b: number, h: number, w: number, c: number) => void;

/**
 * The wasm kernel of an x2 upsampling op, `x [b, h, w, c] -> [b, 2h, 2w, c]` (`direction` 'up'),
 * or of its adjoint, `dy [b, 2h, 2w, c] -> [b, h, w, c]` ('down'): one SIMD pass of the kernel
 * module's `exportName`, or `impl` on heap views where the module cannot run (the backend's
 * multi-threaded build, whose memory the module cannot share).
 */
export function upsample2xWasmConfig(
  kernelName: string,
  direction: 'up' | 'down',
  exportName: string,
  impl: Upsample2xImpl,
): KernelConfig {
  const input = direction === 'up' ? 'x' : 'dy';
  const kernelFunc = ({ inputs, backend }: { inputs: Record<string, TensorInfo>; backend: BackendWasm }) => {
    const source = inputs[input]!;
    const [b, sh, sw, c] = source.shape as [number, number, number, number];
    const [h, w] = direction === 'up' ? [sh, sw] : [sh / 2, sw / 2];
    const outShape = direction === 'up' ? [b, 2 * h, 2 * w, c] : [b, h, w, c];
    if (!trainKernelsAvailable(backend)) {
      const { outputs, inputViews, outputViews } = heapViews(backend, [source], [outShape]);
      impl(inputViews[0]!, b, h, w, c, outputViews[0]!);
      return outputs[0]!;
    }
    const out = backend.makeOutput(outShape, 'float32');
    const run = (trainKernels(backend) as TrainKernelExports & Record<string, Upsample2xExport>)[exportName]!;
    run(heapOffset(backend, source), heapOffset(backend, out), b, h, w, c);
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
