import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** A typed-array x2 upsampling (or its adjoint) from @wavemix/core, sized by the low-resolution `h` x `w`. */
type Upsample2xImpl = (src: Float32Array, b: number, h: number, w: number, c: number, dst: Float32Array) => void;

/**
 * The cpu kernel of an x2 upsampling op, `x [b, h, w, c] -> [b, 2h, 2w, c]` (`direction` 'up'), or
 * of its adjoint, `dy [b, 2h, 2w, c] -> [b, h, w, c]` ('down'): one float32 input, `impl` fills the output.
 */
export function upsample2xCpuConfig(kernelName: string, direction: 'up' | 'down', impl: Upsample2xImpl): KernelConfig {
  const input = direction === 'up' ? 'x' : 'dy';
  const kernelFunc = ({ inputs, backend }: { inputs: Record<string, TensorInfo>; backend: MathBackendCPU }) => {
    const source = inputs[input]!;
    const [b, sh, sw, c] = source.shape as [number, number, number, number];
    const [h, w] = direction === 'up' ? [sh, sw] : [sh / 2, sw / 2];
    const outShape = direction === 'up' ? [b, 2 * h, 2 * w, c] : [b, h, w, c];
    const out = new Float32Array(outShape.reduce((a, d) => a * d, 1));
    impl(backend.data.get(source.dataId).values as Float32Array, b, h, w, c, out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as KernelFunc };
}
