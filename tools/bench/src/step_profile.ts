/**
 * Where a WebGPU training step's time and traffic go (issue 14): builds a model (default: the
 * trainer's mnist-quick preset), warms up, then runs the trainer's step under WebGPUStepProbe and
 * prints, per step: kernels by name and category, GPU dispatches, host-to-GPU uploads, uniform
 * writes, readbacks, queue submits, new pipelines, host ms to record the step and wall ms until the
 * GPU is idle (and the process CPU ms meanwhile: on SwiftShader, which emulates the GPU on this
 * process's threads, the load-robust measure); GPU ms per kernel from timestamp queries where the
 * adapter has them.
 *
 *   node tools/bench/scripts/webgpu-step-profile.mjs [--model NAME | --config JSON|FILE] [--batch-size 64]
 *     [--img-size H W] [--warmup 2] [--steps 5] [--loss-read-every 10] [--top 15] [--json FILE]
 *     [--allow-software-gpu] [--vulkan-icd FILE] [--gpu-adapter NAME] [--composite-adamw] [--stock-gradients]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { AdamWUpdate } from '@wavemix/core';
import { countTrainableParams, createModel, getModelInfo, resolveConfig, type WaveMixConfig } from '@wavemix/models';
import { restoreStockWebGPUGradients } from '@wavemix/kernels-webgpu/base';
import { useNodeWebGPU } from './webgpu';
import { WebGPUStepProbe } from './step_probe';
import { ProfiledTrainingStep } from './step_profile_step';
import { formatReport, summarise, type StepProfileReport, type StepRecord } from './step_profile_report';
import { flagValue, integerFlag, UsageError } from './cli_args';

/** apps/trainer's mnist-quick model, completed as the trainer completes it for MNIST (1x28x28, 10 classes). */
export const MNIST_QUICK: WaveMixConfig = {
  task: 'classification',
  numClasses: 10,
  depth: 2,
  mult: 2,
  ffChannel: 24,
  finalDim: 24,
  dropout: 0,
  level: 1,
  initialConv: 'pachify',
  patchSize: 2,
  inChannels: 1,
  inputSize: [28, 28],
};

interface Options {
  model?: string;
  config?: WaveMixConfig;
  batchSize: number;
  imgSize?: [number, number];
  warmup: number;
  steps: number;
  readEvery: number;
  top: number;
  json?: string;
  allowSoftware: boolean;
  vulkanIcd?: string;
  gpuAdapter?: string;
  /** Unregisters the fused AdamWUpdate webgpu kernel: AdamW's 15 element-wise kernels, for before/after figures. */
  compositeAdamW: boolean;
  /** tfjs's Mean and Sum gradients (which upload host-filled ones) instead of @wavemix/kernels-webgpu's. */
  stockGradients: boolean;
}

const USAGE = `usage: webgpu-step-profile [--model NAME | --config JSON|FILE] [--batch-size N] [--img-size H W]
       [--warmup N] [--steps N] [--loss-read-every N] [--top N] [--json FILE]
       [--allow-software-gpu] [--vulkan-icd FILE] [--gpu-adapter NAME] [--composite-adamw] [--stock-gradients]
  --composite-adamw  AdamW as 15 element-wise kernels per variable (the fused AdamWUpdate kernel unregistered)
  --stock-gradients  tfjs's Mean and Sum gradients, which upload host-filled ones (before/after figures)
  default model: the trainer's mnist-quick preset at batch 64; --loss-read-every defaults to the trainer's 10 on GPUs`;

function parse(argv: string[]): Options {
  const options: Options = {
    batchSize: 64,
    warmup: 2,
    steps: 5,
    readEvery: 10,
    top: 15,
    allowSoftware: false,
    compositeAdamW: false,
    stockGradients: false,
  };
  const value = (i: number, flag: string) => flagValue(argv, i, flag);
  const int = integerFlag;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--model') options.model = value(i++, flag);
    else if (flag === '--config') {
      const v = value(i++, flag);
      const text = v.trim().startsWith('{') ? v : existsSync(v) ? readFileSync(v, 'utf8') : null;
      if (text == null) throw new UsageError(`--config must be JSON or a JSON file, got ${v}`);
      options.config = JSON.parse(text) as WaveMixConfig;
    } else if (flag === '--batch-size') options.batchSize = int(value(i++, flag), flag, 1);
    else if (flag === '--img-size') options.imgSize = [int(value(i++, flag), flag, 1), int(value(i++, flag), flag, 1)];
    else if (flag === '--warmup') options.warmup = int(value(i++, flag), flag, 1);
    else if (flag === '--steps') options.steps = int(value(i++, flag), flag, 1);
    else if (flag === '--loss-read-every') options.readEvery = int(value(i++, flag), flag, 1);
    else if (flag === '--top') options.top = int(value(i++, flag), flag, 1);
    else if (flag === '--json') options.json = value(i++, flag);
    else if (flag === '--allow-software-gpu') options.allowSoftware = true;
    else if (flag === '--vulkan-icd') options.vulkanIcd = value(i++, flag);
    else if (flag === '--gpu-adapter') options.gpuAdapter = value(i++, flag);
    else if (flag === '--composite-adamw') options.compositeAdamW = true;
    else if (flag === '--stock-gradients') options.stockGradients = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new UsageError(`unknown argument ${flag}`);
  }
  if (options.model != null && options.config != null) throw new UsageError('give at most one of --model and --config');
  return options;
}

interface GpuQueueOwner {
  device: { queue: { onSubmittedWorkDone(): Promise<void> } };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Submits what tfjs has recorded and waits until the GPU has run it. */
async function gpuIdle(): Promise<void> {
  const backend = tf.backend() as unknown as GpuQueueOwner;
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
}

/** GPU ms per engine kernel over one step (tf.profile on timestamp queries). */
async function gpuMsByKernel(step: ProfiledTrainingStep): Promise<Record<string, number>> {
  const info = await tf.profile(async () => {
    await step.step();
  });
  const byKernel: Record<string, number> = {};
  for (const kernel of info.kernels) {
    const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    byKernel[kernel.name] = (byKernel[kernel.name] ?? 0) + ms;
  }
  return byKernel;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const options = parse(argv);
  const gpu = await useNodeWebGPU({
    allowSoftware: options.allowSoftware,
    vulkanIcd: options.vulkanIcd,
    adapterName: options.gpuAdapter,
  });
  if (options.compositeAdamW) tf.unregisterKernel(AdamWUpdate, 'webgpu');
  const gradients = options.stockGradients ? 'stock' : 'webgpu';
  if (options.stockGradients) restoreStockWebGPUGradients();
  const base = options.config ?? (options.model ? getModelInfo(options.model).config : MNIST_QUICK);
  const imgSize = options.imgSize ?? resolveConfig(base).inputSize ?? [64, 64];
  const model = options.model
    ? createModel(options.model, { overrides: { inputSize: imgSize } })
    : createModel({ ...base, inputSize: imgSize });
  const step = new ProfiledTrainingStep(model, base, options.batchSize, options.readEvery);
  const probe = WebGPUStepProbe.install();
  const warmupStarted = performance.now();
  for (let i = 0; i < options.warmup; i++) await step.step();
  await step.flush(); // a read in warm-up too: its programs are compiled before the profiled steps
  await gpuIdle();
  const warmup = { wallMs: performance.now() - warmupStarted, counts: probe.take() };

  const steps: StepRecord[] = [];
  for (let i = 0; i < options.steps; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const read = await step.step();
    const hostMs = performance.now() - started;
    await gpuIdle();
    const wallMs = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    steps.push({ hostMs, wallMs, cpuMs: (user + system) / 1000, stepsRead: read, counts: probe.take() });
  }
  const flushStarted = performance.now();
  const flushed = (await step.flush()).length;
  const flush = { wallMs: performance.now() - flushStarted, stepsRead: flushed, counts: probe.take() };

  let gpuMs: Record<string, number> | null = null;
  if (gpu.timestampQuery) {
    gpuMs = await gpuMsByKernel(step);
    await step.flush();
    probe.take();
  }
  probe.uninstall();
  step.dispose();

  const report: StepProfileReport = {
    date: new Date().toISOString(),
    adapter: gpu.adapter,
    softwareGpu: gpu.software,
    timestampQuery: gpu.timestampQuery,
    model: options.model ?? (options.config ? 'config' : 'mnist-quick'),
    adamW: options.compositeAdamW || !tf.getKernel(AdamWUpdate, 'webgpu') ? 'composite' : 'fused',
    gradients,
    config: { ...base, inputSize: imgSize },
    params: countTrainableParams(model),
    batchSize: options.batchSize,
    warmupSteps: options.warmup,
    lossReadEvery: options.readEvery,
    load1: Number(loadavg()[0]!.toFixed(2)),
    node: process.version,
    warmup: { wallMs: warmup.wallMs, counts: warmup.counts },
    steps,
    flush,
    summary: summarise(steps, gpuMs),
    numTensors: tf.memory().numTensors,
  };
  model.dispose();
  console.log(formatReport(report, options.top));
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${options.json}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
