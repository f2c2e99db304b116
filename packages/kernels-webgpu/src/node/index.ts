/**
 * WebGPU in Node through Dawn (the npm package `webgpu`, an optional dependency): the supported way
 * to run tfjs-backend-webgpu from Node (the trainer, wavemix-bench, scripts). Dawn runs on any
 * Vulkan (Linux, Windows), Metal (macOS) or D3D12 (Windows) GPU, with no CUDA install.
 *
 * Call `setupNodeWebGPU()` before `@tensorflow/tfjs-backend-webgpu` is first imported: that module
 * registers the `webgpu` backend only if `navigator.gpu` exists when it loads.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WaveMixError } from '@wavemix/core';
import { installNodeWebGPU, SWIFTSHADER_ICD, vulkanDriverSetting, type WebGPUModule } from '../node_webgpu';

export {
  installNodeWebGPU,
  SWIFTSHADER_ICD,
  vulkanDriverSetting,
  type NodeWebGPUOptions,
  type WebGPUModule,
} from '../node_webgpu';

/** What a GPU adapter says about itself, and whether it is a CPU emulation. */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** SwiftShader, llvmpipe/lavapipe or a fallback adapter: correct but 100x slower than a GPU. */
  software: boolean;
  /** The Vulkan driver the loader was pointed at (`VK_ICD_FILENAMES`), for reports. */
  vulkanDriver: string;
}

/** No usable WebGPU adapter in this process: `webgpu` missing, no GPU, or only a software one. */
export class WaveMixWebGPUUnavailableError extends WaveMixError {
  constructor(
    message: string,
    readonly adapter?: GpuAdapterSummary,
  ) {
    super(message);
  }
}

export interface SetupNodeWebGPUOptions {
  /** Accept a software adapter (SwiftShader): for tests and CI, never the default. */
  allowSoftware?: boolean;
  /** A Vulkan ICD json to use (sets `VK_ICD_FILENAMES`), e.g. {@link SWIFTSHADER_ICD} or the NVIDIA one. */
  vulkanIcd?: string;
  /** Dawn's adapter choice by name substring (Dawn toggle `adapter=NAME`). */
  adapterName?: string;
  /** Dawn's backend (`vulkan`, `metal`, `d3d12`); Dawn picks one by default. */
  dawnBackend?: string;
  /** Extra Dawn flags, passed as they are. */
  dawnFlags?: string[];
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

function dawnFlagsOf(options: SetupNodeWebGPUOptions): string[] {
  const flags = [...(options.dawnFlags ?? [])];
  if (options.dawnBackend) flags.push(`backend=${options.dawnBackend}`);
  if (options.adapterName) flags.push(`adapter=${options.adapterName}`);
  return flags;
}

/** Loads Dawn's native addon from the `webgpu` package (the same file its ESM entry loads). */
export function loadDawn(): WebGPUModule {
  const packageRequire = createRequire(__filename);
  let packageJson: string;
  try {
    packageJson = packageRequire.resolve('webgpu/package.json');
  } catch {
    throw new WaveMixWebGPUUnavailableError(
      "WebGPU in Node needs the optional dependency 'webgpu' (Dawn): npm install webgpu@0.6.2",
    );
  }
  const platform = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
  const addon = join(dirname(packageJson), 'dist', platform, 'dawn.node');
  if (!existsSync(addon)) {
    throw new WaveMixWebGPUUnavailableError(
      `the 'webgpu' package has no Dawn build for ${platform} (looked for ${addon})`,
    );
  }
  const module = { exports: {} as WebGPUModule };
  process.dlopen(module, addon);
  return module.exports;
}

/**
 * Dawn for this build: the CommonJS build (and ts-jest) loads the addon with {@link loadDawn}; the
 * ES module build has no `__filename` to resolve from, so it imports the package's own ESM entry.
 */
async function loadDawnForThisBuild(): Promise<WebGPUModule> {
  if (typeof __filename === 'string') return loadDawn();
  const name = 'webgpu';
  try {
    return (await import(name)) as WebGPUModule;
  } catch (error) {
    throw new WaveMixWebGPUUnavailableError(
      `WebGPU in Node needs the optional dependency 'webgpu' (Dawn): npm install webgpu@0.6.2 (${(error as Error).message})`,
    );
  }
}

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}

function summarise(adapter: AdapterLike): GpuAdapterSummary {
  const info = adapter.info ?? {};
  const summary = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
  const software =
    adapter.isFallbackAdapter === true ||
    SOFTWARE.test(`${summary.vendor} ${summary.architecture} ${summary.device} ${summary.description}`);
  return { ...summary, software, vulkanDriver: vulkanDriverSetting() };
}

/** A one-line description for logs: `nvidia hopper (NVIDIA H200), Vulkan driver ...`. */
export function describeAdapter(adapter: GpuAdapterSummary): string {
  const name = adapter.description || adapter.device || '?';
  return `${adapter.vendor || '?'} ${adapter.architecture || '?'} (${name})${adapter.software ? ', software' : ''}, Vulkan driver ${adapter.vulkanDriver}`;
}

/**
 * The adapter Dawn would give tfjs (high-performance preference), without installing anything
 * global; `null` when there is none. Throws only when `webgpu` itself cannot load.
 */
export async function probeWebGPUAdapter(options: SetupNodeWebGPUOptions = {}): Promise<GpuAdapterSummary | null> {
  if (options.vulkanIcd) process.env.VK_ICD_FILENAMES = options.vulkanIcd;
  const dawn = await loadDawnForThisBuild();
  const gpu = dawn.create(dawnFlagsOf(options)) as { requestAdapter(o?: object): Promise<AdapterLike | null> };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return adapter ? summarise(adapter) : null;
}

/**
 * Installs Dawn as `navigator.gpu` for tfjs-backend-webgpu and returns the adapter it will use.
 * Refuses a software adapter unless `allowSoftware` is set, so a run meant for a GPU never
 * silently trains on a CPU emulation.
 */
export async function setupNodeWebGPU(options: SetupNodeWebGPUOptions = {}): Promise<GpuAdapterSummary> {
  const adapter = await probeWebGPUAdapter(options);
  if (adapter === null) {
    throw new WaveMixWebGPUUnavailableError(
      `no WebGPU adapter found (Vulkan driver ${vulkanDriverSetting()}); install the GPU's Vulkan driver, or pass a Vulkan ICD` +
        // Where Debian's chromium is installed, name the software driver it ships (for tests and CI).
        (options.allowSoftware && !options.vulkanIcd && existsSync(SWIFTSHADER_ICD)
          ? ` (a software adapter: ${SWIFTSHADER_ICD})`
          : ''),
    );
  }
  if (adapter.software && !options.allowSoftware) {
    throw new WaveMixWebGPUUnavailableError(
      `the only WebGPU adapter is a software one (${describeAdapter(adapter)}); allow it explicitly to use it`,
      adapter,
    );
  }
  installNodeWebGPU(await loadDawnForThisBuild(), { dawnFlags: dawnFlagsOf(options) });
  return adapter;
}
