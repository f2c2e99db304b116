import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';

/**
 * Registers each kernel unless one is already registered under its name and backend, so a kernel
 * package imported twice (ESM and CJS copies, two bundles) neither warns nor replaces itself.
 * Returns the configs that were registered by this call.
 */
export function registerKernelsOnce(configs: readonly KernelConfig[]): KernelConfig[] {
  const registered: KernelConfig[] = [];
  for (const config of configs) {
    if (getKernel(config.kernelName, config.backendName) != null) continue;
    registerKernel(config);
    registered.push(config);
  }
  return registered;
}
