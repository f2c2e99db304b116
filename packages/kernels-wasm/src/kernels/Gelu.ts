import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, trainKernels, trainKernelsAvailable } from '../train/module';
import { size } from './fast/override';

/**
 * GELU (exact, erf form) as one kernel and its gradient as another, instead of five element-wise
 * kernels forward and about ten backward. `gelu(x)` uses them where registered (wasm) and is
 * tfjs-layers' own composite elsewhere.
 */
export const WaveMixGelu = 'WaveMixGelu';
export const WaveMixGeluGrad = 'WaveMixGeluGrad';

function geluKernel({ inputs, backend }: { inputs: { x?: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const x = inputs.x!;
  const out = backend.makeOutput([...x.shape], 'float32');
  if (size(x.shape) > 0)
    trainKernels(backend).gelu_f32(heapOffset(backend, x), heapOffset(backend, out), size(x.shape));
  return out;
}

function geluGradKernel({
  inputs,
  backend,
}: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: BackendWasm;
}): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const out = backend.makeOutput([...x.shape], 'float32');
  if (size(x.shape) > 0)
    trainKernels(backend).gelu_grad_f32(
      heapOffset(backend, x),
      heapOffset(backend, dy),
      heapOffset(backend, out),
      size(x.shape),
    );
  return out;
}

export const geluConfig: KernelConfig = {
  kernelName: WaveMixGelu,
  backendName: 'wasm',
  kernelFunc: geluKernel as unknown as KernelFunc,
};
export const geluGradConfig: KernelConfig = {
  kernelName: WaveMixGeluGrad,
  backendName: 'wasm',
  kernelFunc: geluGradKernel as unknown as KernelFunc,
};

/** tfjs-layers' formula, op for op. */
function geluComposite(x: Tensor): Tensor {
  return tf.tidy(() => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.sqrt(2)))))));
}

export const geluGradient: tf.GradConfig = {
  kernelName: WaveMixGelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [Tensor];
    return {
      x: () => {
        if (fusedGeluHere(WaveMixGeluGrad)) {
          return tf.engine().runKernel(WaveMixGeluGrad, { x, dy: dy as Tensor }) as Tensor;
        }
        // d/dx x Phi(x) = Phi(x) + x phi(x)
        return tf.tidy(() => {
          const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.sqrt(2)))));
          const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(x))));
          return tf.mul(dy as Tensor, tf.add(cdf, tf.mul(x, pdf)));
        });
      },
    };
  },
};

/** Whether the current backend runs our GELU kernels. */
function fusedGeluHere(kernel: string): boolean {
  const name = tf.getBackend();
  return (
    tf.getKernel(kernel, name) != null &&
    (name !== 'wasm' || trainKernelsAvailable(tf.backend() as unknown as BackendWasm))
  );
}

/** GELU (exact): the fused kernel where the backend has one, tfjs-layers' composite otherwise. */
export function gelu(x: Tensor): Tensor {
  if (x.dtype === 'float32' && fusedGeluHere(WaveMixGelu)) {
    return tf.engine().runKernel(WaveMixGelu, { x }) as Tensor;
  }
  return geluComposite(x);
}

/**
 * A drop-in for tfjs-layers' `gelu` activation (same class name, so `activation: 'gelu'` and
 * saved models resolve to it once registered) that calls `gelu` above.
 */
export class FastGelu extends tf.serialization.Serializable {
  static className = 'gelu';
  override getClassName(): string {
    return 'gelu';
  }
  apply(x: Tensor): Tensor {
    return gelu(x);
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

/** Marks our class (a second copy of this package must not re-register a different one). */
const OURS = Symbol.for('@wavemix/kernels-wasm/gelu');

/**
 * Makes `activation: 'gelu'` in tfjs-layers models created from now on use `FastGelu`. Needs
 * tfjs-layers loaded first (its own registration would replace ours); returns whether it did.
 */
export function registerFastGelu(): boolean {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [unknown, unknown]>;
  const current = map['gelu']?.[0] as Record<symbol, unknown> | undefined;
  if (current == null || current[OURS]) return false;
  (FastGelu as unknown as Record<symbol, unknown>)[OURS] = true;
  tf.serialization.registerClass(FastGelu);
  return true;
}
