/**
 * WebGPU for tfjs-backend-webgpu in Node through the npm `webgpu` package (Dawn). Node only: the
 * jest suite and scripts/gpu-check use it; the package entries do not import it.
 *
 * Call it before `@tensorflow/tfjs-backend-webgpu` is first imported: that module registers the
 * `webgpu` backend only when `navigator.gpu` exists at import time.
 */
import { existsSync } from 'node:fs';

/** Debian's chromium ships SwiftShader's Vulkan driver; Dawn rejects Mesa's lavapipe. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface WebGPUModule {
  create(flags: string[]): unknown;
  globals: Record<string, unknown>;
}

export interface NodeWebGPUOptions {
  /** Dawn toggles, e.g. `['backend=vulkan']` or `['adapter=NAME']`. */
  dawnFlags?: string[];
  /** Use this Vulkan ICD json unless VK_ICD_FILENAMES or VK_DRIVER_FILES is already set. */
  fallbackIcd?: string;
}

/** Which Vulkan driver the loader was pointed at, for reports. */
export function vulkanDriverSetting(): string {
  return process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? '(loader default search)';
}

export function installNodeWebGPU(webgpu: WebGPUModule, options: NodeWebGPUOptions = {}): void {
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  if (scope.navigator?.gpu) return;
  const { fallbackIcd } = options;
  if (fallbackIcd && !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(fallbackIcd)) {
    process.env.VK_ICD_FILENAMES = fallbackIcd;
  }
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create(options.dawnFlags ?? []);
  if (scope.navigator) {
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}
