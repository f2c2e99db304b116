import { initializers } from '@tensorflow/tfjs-layers';

/**
 * PyTorch's default initialisation, so a model trained from scratch starts where the official
 * one does. `kaiming_uniform_(a=sqrt(5))` gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), which is
 * VarianceScaling(scale 1/3, fan_in, uniform). tfjs computes fan_in from the kernel layout the
 * same way PyTorch does, including for transposed convolutions (fan_in = out_channels * k * k).
 */
export function torchKernelInitializer() {
  return initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' });
}

/** PyTorch's bias initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
export function torchBiasInitializer(fanIn: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return initializers.randomUniform({ minval: -bound, maxval: bound });
}
