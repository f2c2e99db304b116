/**
 * Backend selection for Node. `auto` picks the fastest available: the TensorFlow C library with
 * CUDA (`@tensorflow/tfjs-node-gpu`), then WebGPU through Dawn on a real GPU adapter (never a
 * software one such as SwiftShader), then `@tensorflow/tfjs-node`, then WebAssembly with our
 * training kernels, else the plain JavaScript cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-cpu';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { UsageError } from './errors';

/** How to reach the GPU for `--backend webgpu` (Dawn through `@wavemix/kernels-webgpu/node`). */
export interface GpuOptions {
  /** Accept a software adapter (SwiftShader): tests and CI only. */
  allowSoftwareGpu?: boolean | undefined;
  /** A Vulkan ICD json (e.g. /usr/share/vulkan/icd.d/nvidia_icd.json). */
  vulkanIcd?: string | undefined;
  /** Dawn's adapter choice by name substring. */
  gpuAdapter?: string | undefined;
}

export interface SelectedBackend {
  name: string;
  /** The GPU adapter, described, for webgpu; null otherwise. */
  adapter: string | null;
}

/** Backends whose reads wait for a device queue: the trainer reads losses every few steps there. */
export const GPU_BACKENDS: readonly string[] = ['webgpu', 'webgl'];

/** Optional packages are imported by a computed name so bundlers leave them alone. */
async function importOptional(name: string): Promise<boolean> {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

async function tryLoadTensorflowBackend(packages: readonly string[]): Promise<boolean> {
  for (const name of packages) {
    if (await importOptional(name)) {
      const kernels = '@wavemix/kernels-node';
      if (!(await importOptional(kernels)))
        throw new UsageError(`${name} is installed but ${kernels} could not be loaded`);
      return true;
    }
  }
  return false;
}

type NodeWebGPU = typeof import('@wavemix/kernels-webgpu/node');

async function loadNodeWebGPU(): Promise<NodeWebGPU | null> {
  try {
    return (await import('@wavemix/kernels-webgpu/node')) as NodeWebGPU;
  } catch {
    return null;
  }
}

/**
 * Installs Dawn as navigator.gpu and registers tfjs-backend-webgpu with our kernels. In `auto`
 * mode a missing package, no adapter or a software one returns null (the next candidate is
 * tried); asked for explicitly, each is a usage error that says what to do.
 */
async function setUpWebGPU(gpu: GpuOptions, auto: boolean): Promise<string | null> {
  const node = await loadNodeWebGPU();
  if (!node) {
    if (auto) return null;
    throw new UsageError(
      "--backend webgpu needs @wavemix/kernels-webgpu and the optional package 'webgpu' (Dawn): npm install webgpu@0.6.2",
    );
  }
  const options = {
    allowSoftware: !auto && gpu.allowSoftwareGpu === true,
    vulkanIcd: gpu.vulkanIcd,
    adapterName: gpu.gpuAdapter,
  };
  let adapter: Awaited<ReturnType<typeof node.setupNodeWebGPU>>;
  try {
    if (auto) {
      const probed = await node.probeWebGPUAdapter(options);
      if (probed === null || probed.software) return null;
    }
    adapter = await node.setupNodeWebGPU(options);
  } catch (error) {
    if (auto) return null;
    const hint = /software/.test((error as Error).message)
      ? ' (--allow-software-gpu accepts it: tests and CI only, ~100x slower than a GPU)'
      : '';
    throw new UsageError(`--backend webgpu: ${(error as Error).message}${hint}`);
  }
  // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is first imported.
  await import('@tensorflow/tfjs-backend-webgpu');
  await import('@wavemix/kernels-webgpu');
  return node.describeAdapter(adapter);
}

export async function selectBackend(requested: string, gpu: GpuOptions = {}): Promise<SelectedBackend> {
  const auto = requested === 'auto';
  const candidates = auto ? ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] : [requested];
  const failures: string[] = [];
  for (const candidate of candidates) {
    let name = candidate;
    let adapter: string | null = null;
    if (candidate === 'tensorflow-gpu') {
      if (!(await tryLoadTensorflowBackend(['@tensorflow/tfjs-node-gpu']))) continue;
      name = 'tensorflow';
    } else if (candidate === 'tensorflow') {
      await tryLoadTensorflowBackend(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    } else if (candidate === 'webgpu') {
      adapter = await setUpWebGPU(gpu, auto);
      if (adapter === null) continue;
    }
    if (tf.findBackendFactory(name) == null) continue;
    try {
      // wasm trains through our kernels (conv gradients, sub-pixel transposed conv, SIMD module).
      if (name === 'wasm') await useWasmTraining();
      else if (!(await tf.setBackend(name))) throw new Error('initialisation failed');
      await tf.ready();
      return { name, adapter };
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  const available = Object.keys(tf.engine().registryFactory).join(', ');
  throw new UsageError(
    (auto
      ? `no usable backend (registered: ${available})`
      : `backend '${requested}' is not available here (registered: ${available}); for 'tensorflow' install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu`) +
      (failures.length ? `\n  ${failures.join('\n  ')}` : ''),
  );
}
