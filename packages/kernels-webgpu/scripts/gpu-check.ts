/**
 * WebGPU conformance and benchmark in Node, on whatever GPU Dawn finds, in one file.
 *
 *   node gpu-check.mjs [--out FILE] [--swiftshader] [--dawn TOGGLE]... [--repeats N] [--iterations N]
 *                      [--shapes all|core] [--skip-bench] [--skip-conformance]
 *
 * Built by `npm run build:gpu-check` (esbuild) into dist-gpu-check/, with the `webgpu` package
 * (Dawn, prebuilt for this platform) copied beside it, so the folder runs on a machine that has
 * Node and a Vulkan driver but no network. It prints the adapter, runs the DWT conformance suite
 * plus the WebGPU cases, times our kernels against the plain-ops composite, and writes JSON
 * (default: $OUT/gpu-check.json, else ./gpu-check.json). Exit code 0: all passed; 1: a case
 * failed; 2: no WebGPU adapter.
 *
 * Vulkan driver: VK_ICD_FILENAMES / VK_DRIVER_FILES are respected; without them the Vulkan
 * loader's default search is used (e.g. /usr/share/vulkan/icd.d/nvidia_icd.json), or, when no
 * manifest exists but NVIDIA's libGLX_nvidia.so.0 does, a manifest for it is written to /tmp.
 * --swiftshader selects Debian chromium's SwiftShader driver for a CPU-only dry run. The build
 * copies this machine's libvulkan.so.1 into dist-gpu-check/lib for hosts without the loader
 * (run with LD_LIBRARY_PATH=dist-gpu-check/lib).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { installNodeWebGPU, SWIFTSHADER_ICD, vulkanDriverSetting, type WebGPUModule } from '../src/node_webgpu';

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

function options(name: string): string[] {
  return process.argv.flatMap((arg, i) => (arg === `--${name}` && process.argv[i + 1] ? [process.argv[i + 1]!] : []));
}

function vulkanDiagnostics(): Record<string, unknown> {
  const icdFiles = ICD_DIRS.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : []));
  const loader = LIBRARY_DIRS.map((dir) => join(dir, 'libvulkan.so.1')).filter((file) => existsSync(file));
  const nvidiaVulkan = LIBRARY_DIRS.map((dir) => join(dir, 'libGLX_nvidia.so.0')).filter((file) => existsSync(file));
  let nvidiaSmi = 'not found';
  try {
    nvidiaSmi = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 20_000,
    }).trim();
  } catch (error) {
    nvidiaSmi = `unavailable (${(error as Error).message.split('\n')[0]})`;
  }
  return {
    vulkanDriver: vulkanDriverSetting(),
    icdFiles,
    vulkanLoader: loader,
    bundledVulkanLoader: process.env.LD_LIBRARY_PATH ?? null,
    nvidiaVulkan,
    nvidiaSmi,
  };
}

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/lib/aarch64-linux-gnu'];
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * GPU containers often carry NVIDIA's Vulkan driver library but not its ICD manifest. When no
 * driver is configured and no manifest exists, write one for libGLX_nvidia.so.0 (the library
 * NVIDIA's own manifest names) and point the Vulkan loader at it.
 */
function synthesizeNvidiaIcd(): string | undefined {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return undefined;
  if (ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')))) return undefined;
  const library = LIBRARY_DIRS.map((dir) => join(dir, 'libGLX_nvidia.so.0')).find((file) => existsSync(file));
  if (!library) return undefined;
  const manifest = join(tmpdir(), `wavemix-nvidia-icd-${process.pid}.json`);
  writeFileSync(
    manifest,
    JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }),
  );
  process.env.VK_ICD_FILENAMES = manifest;
  return manifest;
}

async function main(): Promise<number> {
  const out = resolve(option('out', join(process.env.OUT ?? '.', 'gpu-check.json')));
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const save = () => {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2));
    console.log(`\nwrote ${out}`);
  };

  const synthesized = flag('swiftshader') ? undefined : synthesizeNvidiaIcd();
  if (synthesized) console.log(`no Vulkan ICD manifest found; wrote ${synthesized} for NVIDIA's libGLX_nvidia.so.0`);
  report.synthesizedIcd = synthesized ?? null;
  const webgpu = (await import('webgpu')) as unknown as WebGPUModule;
  installNodeWebGPU(webgpu, {
    dawnFlags: options('dawn'),
    fallbackIcd: flag('swiftshader') ? SWIFTSHADER_ICD : undefined,
  });
  report.environment = vulkanDiagnostics();
  console.log('environment:', JSON.stringify(report.environment, null, 2));

  const gpu = (
    globalThis as unknown as { navigator: { gpu: { requestAdapter(o?: object): Promise<AdapterLike | null> } } }
  ).navigator.gpu;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    report.ok = false;
    report.reason =
      'no WebGPU adapter: Dawn found no usable Vulkan driver (see environment; try VK_ICD_FILENAMES=/path/to/nvidia_icd.json)';
    console.error(report.reason);
    save();
    return 2;
  }
  const info = adapter.info ?? {};
  report.adapter = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    features: [...adapter.features].sort(),
    limits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
    },
  };
  console.log('adapter:', JSON.stringify(report.adapter, null, 2));

  // tfjs-backend-webgpu registers itself on import only if navigator.gpu exists: import it now.
  const { runChecks } = await import('./gpu_check_main');
  const { conformance, bench } = await runChecks({
    conformance: !flag('skip-conformance'),
    bench: !flag('skip-bench'),
    repeats: Number(option('repeats', '5')),
    iterations: Number(option('iterations', '10')),
    shapes: option('shapes', 'all') === 'core' ? 'core' : 'all',
  });
  report.conformance = conformance;
  report.bench = bench;
  report.ok = conformance.failed === 0;
  save();
  return conformance.failed === 0 ? 0 : 1;
}

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  features: Set<string>;
  limits: Record<string, number>;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
