#!/usr/bin/env node
// The GPU table of issue 14 in one command: wavemix-bench on WebGPU (Dawn) for W1, W2, W3, W5 and
// the large-batch W6 (Lite-144/7, 32x32, batch 256), each checked against the cpu backend on the
// same weights and batch, beside our CPU path (wasm kernels) for the ratio. Writes one JSON file.
// Needs `npm run build` first (tools/bench/dist). On a machine with a GPU:
//
//   node tools/bench/scripts/gpu-table.mjs [--vulkan-icd /usr/share/vulkan/icd.d/nvidia_icd.json]
//   node tools/bench/scripts/gpu-table.mjs --workloads W2,W5 --batch-size 4 --allow-software-gpu --steps 1 --warmup 1   # SwiftShader: correctness and ratios only
//
// Options: --out FILE (default .bench/gpu-table.json), --workloads W1,W2,..., --steps N, --warmup N,
// --batch-size N (overrides the workloads' batch, both backends: for SwiftShader),
// --no-cpu (skip the wasm baseline), --allow-software-gpu, --vulkan-icd FILE, --gpu-adapter NAME.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(new URL('../../..', import.meta.url).pathname);
const bench = join(root, 'tools/bench/dist/wavemix-bench.js');

function parse(argv) {
  const options = {
    out: join(root, '.bench/gpu-table.json'),
    workloads: ['W1', 'W2', 'W3', 'W5', 'W6'],
    steps: 10,
    warmup: 2,
    cpu: true,
    gpuFlags: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--out') options.out = resolve(value());
    else if (flag === '--workloads') options.workloads = value().toUpperCase().split(',');
    else if (flag === '--steps') options.steps = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--no-cpu') options.cpu = false;
    else if (flag === '--batch-size') options.batchSize = value();
    else if (flag === '--allow-software-gpu') options.gpuFlags.push(flag);
    else if (flag === '--vulkan-icd' || flag === '--gpu-adapter') options.gpuFlags.push(flag, value());
    else throw new Error(`unknown argument ${flag} (see the header of ${new URL(import.meta.url).pathname})`);
  }
  return options;
}

/** One wavemix-bench run; its last stdout line is the JSON result (or an error record). */
function run(args) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [bench, ...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  const seconds = (Date.now() - started) / 1000;
  try {
    return { ...JSON.parse(last), seconds };
  } catch {
    return {
      error: `exit ${result.status}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`,
      seconds,
    };
  }
}

const options = parse(process.argv.slice(2));
const timing = [
  '--steps',
  String(options.steps),
  '--warmup',
  String(options.warmup),
  ...(options.batchSize ? ['--batch-size', options.batchSize] : []),
];
const rows = [];
for (const workload of options.workloads) {
  process.stderr.write(`${workload}: webgpu...`);
  const gpu = run(['--workload', workload, '--backend', 'webgpu', '--check-cpu', ...options.gpuFlags, ...timing]);
  process.stderr.write(` ${gpu.error ?? `${gpu.imagesPerSecond} images/s`}${options.cpu ? ', wasm...' : ''}`);
  const cpu = options.cpu ? run(['--workload', workload, ...timing]) : null;
  if (cpu) process.stderr.write(` ${cpu.error ?? `${cpu.imagesPerSecond} images/s`}`);
  process.stderr.write('\n');
  const ratio = cpu && !gpu.error && !cpu.error ? Number((gpu.imagesPerSecond / cpu.imagesPerSecond).toFixed(3)) : null;
  rows.push({ workload, webgpu: gpu, cpu, webgpuOverCpu: ratio });
}
const table = {
  date: new Date().toISOString(),
  adapter: rows.find((r) => r.webgpu.gpuAdapter)?.webgpu.gpuAdapter ?? null,
  softwareGpu: rows.find((r) => r.webgpu.gpuAdapter)?.webgpu.softwareGpu ?? null,
  note: 'On a software adapter (SwiftShader) only cpuCheck and the ratios mean anything; images/s are not GPU figures.',
  cpu: cpus()[0]?.model ?? null,
  cores: cpus().length,
  load1: loadavg()[0],
  node: process.version,
  steps: options.steps,
  batchSize: options.batchSize ? Number(options.batchSize) : 'per workload',
  rows,
};
mkdirSync(dirname(options.out), { recursive: true });
writeFileSync(options.out, `${JSON.stringify(table, null, 2)}\n`);
console.log(`wrote ${options.out}`);
for (const r of rows) {
  const g = r.webgpu;
  console.log(
    `${r.workload} webgpu ${
      g.error
        ? `error: ${g.error}`
        : `${g.imagesPerSecond} images/s${g.gpuMsPerStep != null ? `, ${g.gpuMsPerStep} GPU ms/step` : ''}` +
          (
            g.cpuCheck
              ? `, vs cpu: output ${g.cpuCheck.outputRelativeError.toExponential(2)}, loss ${g.cpuCheck.lossRelativeError.toExponential(2)}`
              : ''
          )
    }` +
      (r.cpu ? `; wasm ${r.cpu.error ? 'error' : `${r.cpu.imagesPerSecond} images/s`}; ratio ${r.webgpuOverCpu}` : ''),
  );
}
