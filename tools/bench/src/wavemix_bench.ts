/**
 * wavemix-bench: training and inference throughput of a WaveMix model, in the style of timm's
 * benchmark.py (warm-up steps, then the median of timed steps on a fixed random batch).
 *
 *   npx wavemix-bench --workload W1 [--backend wasm|cpu|tensorflow] [--workers N] [--json]
 *   npx wavemix-bench --model cifar10-wavemix-lite-64-6 --mode train --batch-size 64 [--img-size 32 32]
 *   npx wavemix-bench --config '{"task":"classification","finalDim":16,...}' --mode infer
 *   npx wavemix-bench --workload W3 --engine onnxruntime [--onnx torch_export.onnx]   # tfjs, then onnxruntime-node
 *   npx wavemix-bench --workload W6 --backend webgpu [--vulkan-icd FILE] [--gpu-adapter NAME]   # Dawn on a GPU
 *
 * Training: AdamW (lr 1e-3, weight decay 0.01) on cross-entropy (classification, segmentation)
 * or mean squared error (super-resolution), random inputs and targets. On wasm the other cores
 * help: `--workers N` adds N worker threads, each with its own wasm backend, that take a share
 * of every batch (data parallel; the default for batches > 1: one per extra core), and
 * `--kernel-threads N` splits each large convolution across N threads instead (the default for
 * batch 1: all cores, at most 4). A measurement script, not a test.
 */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism, loadavg } from 'node:os';
import { leanVariableGrads } from '@wavemix/core';
import {
  getKernelThreadPool,
  restoreStockWasmKernels,
  setupFastestNodeBackend,
  useWasmTraining,
  wasmKernelConfigs,
  wasmSimdVariant,
  wasmWinogradEnabled,
} from '@wavemix/kernels-wasm';
import '@wavemix/kernels-cpu';
import {
  AdamW,
  countTrainableParams,
  createModel,
  getModelInfo,
  LOAD_REWRITE_RULES,
  optimizeForInference,
  resolveConfig,
  type WaveMixConfig,
} from '@wavemix/models';
import { computeLoss } from '@wavemix/models/training';
import { DataParallel, defaultKernelThreads, enableKernelThreads, type LossName } from '@wavemix/parallel';
import { readFileSync, existsSync } from 'node:fs';
import { benchOnnxRuntime, type OrtTiming } from './onnxruntime_engine';
import { checkAgainstCpu, gpuMilliseconds, useNodeWebGPU, type CpuCheck, type WebGPUSetup } from './webgpu';
import { flagValue, integerFlag, UsageError } from './cli_args';
import { WORKLOADS } from './workloads';

interface Options {
  model?: string;
  config?: WaveMixConfig;
  workload?: string;
  mode: 'train' | 'infer';
  batchSize: number;
  imgSize?: [number, number];
  backend?: string;
  steps: number;
  warmup: number;
  workers?: number;
  kernelThreads?: number;
  stockWasm: boolean;
  peak: boolean;
  json: boolean;
  /** infer: run the inference graph load() predicts with (LOAD_REWRITE_RULES: Dropout removed, MLPs fused). */
  optimize: boolean;
  /** `onnxruntime`: after the tfjs run, the same inference through onnxruntime-node on our ONNX export. */
  engine: 'tfjs' | 'onnxruntime';
  onnxFile?: string;
  /** webgpu: accept a software adapter (SwiftShader; correctness and ratios only). */
  allowSoftwareGpu: boolean;
  vulkanIcd?: string;
  gpuAdapter?: string;
  /** webgpu: compare the output and loss with the cpu backend on the same weights and batch. */
  checkCpu: boolean;
}

const USAGE = `usage: wavemix-bench (--workload W1|W2|W3|W5|W6 | --model NAME | --config JSON|FILE) [--mode train|infer]
       [--batch-size N] [--img-size H W] [--backend wasm|cpu|tensorflow|webgpu] [--steps N] [--warmup N] [--workers N] [--kernel-threads N] [--stock-wasm] [--no-peak] [--json]
       [--engine tfjs|onnxruntime] [--onnx FILE]

  --stock-wasm   tfjs-backend-wasm as shipped (none of our kernels; it cannot train convolutions)
  --no-peak      skip the extra profiled step that measures peakBytes (for very slow runs)
  --no-optimize  infer: run the model as built (by default the optimizeForInference graph load() predicts with)
  --engine onnxruntime  also run the inference through onnxruntime-node on the @wavemix/onnx export (same input)
  --onnx FILE    with --engine onnxruntime: time this ONNX file of the same network too (e.g. torch.onnx.export's)
  --backend webgpu  Dawn in Node (@wavemix/kernels-webgpu/node); GPU ms/step where the adapter has timestamp queries
  --allow-software-gpu  let webgpu run on SwiftShader (its timings say nothing about a GPU: record correctness and ratios)
  --vulkan-icd FILE / --gpu-adapter NAME  the Vulkan driver and the adapter (by name) for webgpu
  --check-cpu    webgpu: compare the output and its loss with the cpu backend on the same weights and batch`;

function parse(argv: string[]): Options {
  const options: Partial<Options> & {
    steps: number;
    warmup: number;
    json: boolean;
    stockWasm: boolean;
    peak: boolean;
    optimize: boolean;
  } = {
    steps: 10,
    warmup: 2,
    json: false,
    stockWasm: false,
    peak: true,
    optimize: true,
    allowSoftwareGpu: false,
    checkCpu: false,
  };
  const value = (i: number, flag: string) => flagValue(argv, i, flag);
  const int = integerFlag;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--workload':
        options.workload = value(i++, flag).toUpperCase();
        break;
      case '--model':
        options.model = value(i++, flag);
        break;
      case '--config': {
        const v = value(i++, flag);
        const text = v.trim().startsWith('{') ? v : existsSync(v) ? readFileSync(v, 'utf8') : null;
        if (text == null) throw new UsageError(`--config must be JSON or a JSON file, got ${v}`);
        options.config = JSON.parse(text) as WaveMixConfig;
        break;
      }
      case '--mode': {
        const v = value(i++, flag);
        if (v !== 'train' && v !== 'infer') throw new UsageError(`--mode must be train or infer, got ${v}`);
        options.mode = v;
        break;
      }
      case '--batch-size':
        options.batchSize = int(value(i++, flag), flag, 1);
        break;
      case '--img-size':
        options.imgSize = [int(value(i++, flag), flag, 1), int(value(i++, flag), flag, 1)];
        break;
      case '--backend':
        options.backend = value(i++, flag);
        break;
      case '--steps':
        options.steps = int(value(i++, flag), flag, 1);
        break;
      case '--warmup':
        options.warmup = int(value(i++, flag), flag, 0);
        break;
      case '--workers':
        options.workers = int(value(i++, flag), flag, 0);
        break;
      case '--kernel-threads':
        options.kernelThreads = int(value(i++, flag), flag, 1);
        break;
      case '--json':
        options.json = true;
        break;
      case '--stock-wasm':
        options.stockWasm = true;
        options.backend = 'wasm';
        break;
      case '--no-peak':
        options.peak = false;
        break;
      case '--no-optimize':
        options.optimize = false;
        break;
      case '--engine': {
        const v = value(i++, flag);
        if (v !== 'tfjs' && v !== 'onnxruntime') throw new UsageError(`--engine must be tfjs or onnxruntime, got ${v}`);
        options.engine = v;
        break;
      }
      case '--onnx':
        options.onnxFile = value(i++, flag);
        break;
      case '--allow-software-gpu':
        options.allowSoftwareGpu = true;
        break;
      case '--vulkan-icd':
        options.vulkanIcd = value(i++, flag);
        break;
      case '--gpu-adapter':
        options.gpuAdapter = value(i++, flag);
        break;
      case '--check-cpu':
        options.checkCpu = true;
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown argument ${flag}`);
    }
  }
  if (options.workload) {
    const w = WORKLOADS[options.workload];
    if (!w) throw new UsageError(`--workload must be one of ${Object.keys(WORKLOADS).join(', ')}`);
    options.model ??= w.model;
    options.config ??= w.config;
    options.mode ??= w.mode;
    options.batchSize ??= w.batchSize;
  }
  if ((options.model == null) === (options.config == null))
    throw new UsageError('give exactly one of --model and --config (or --workload)');
  if (options.engine === 'onnxruntime' && options.mode === 'train')
    throw new UsageError('--engine onnxruntime measures inference only (--mode infer)');
  return { mode: 'infer', batchSize: 32, engine: 'tfjs', ...options } as Options;
}

async function selectBackend(requested: string | undefined, options: Options): Promise<string> {
  if (requested == null) return setupFastestNodeBackend();
  if (requested === 'webgpu') {
    gpu = await useNodeWebGPU({
      allowSoftware: options.allowSoftwareGpu,
      vulkanIcd: options.vulkanIcd,
      adapterName: options.gpuAdapter,
    });
    return 'webgpu';
  }
  if (requested === 'wasm') {
    await useWasmTraining();
    return 'wasm';
  }
  if (requested === 'tensorflow') await import('@tensorflow/tfjs-node' as string);
  if (!(await tf.setBackend(requested))) throw new UsageError(`backend ${requested} is not available`);
  await tf.ready();
  return requested;
}

let gpu: WebGPUSetup | null = null;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const options = parse(argv);
  const backend = await selectBackend(options.backend, options);
  if (options.stockWasm) restoreStockWasmKernels({ includeWaveMix: true, waveMixKernels: wasmKernelConfigs });
  const config = options.config ?? getModelInfo(options.model!).config;
  const imgSize = options.imgSize ?? resolveConfig(config).inputSize ?? [64, 64];
  const makeModel = () =>
    options.model
      ? createModel(options.model, { overrides: { inputSize: imgSize } })
      : createModel({ ...options.config!, inputSize: imgSize });
  const model = makeModel();
  // Inference times the graph load() predicts with; training (and the ONNX export) use the model as built.
  const runModel =
    options.mode === 'infer' && options.optimize ? optimizeForInference(model, { rules: LOAD_REWRITE_RULES }) : model;
  const resolved = resolveConfig(config);
  const batch = options.batchSize;
  const x = tf.randomNormal([batch, imgSize[0], imgSize[1], resolved.inChannels], 0, 1, 'float32', 1);
  const outShape = (model.outputs[0]!.shape as number[]).map((s, i) => (i === 0 ? batch : s));
  const regression = resolved.task === 'sisr' || resolved.task === 'wavemix-sr';
  const loss: LossName = regression ? 'meanSquaredError' : 'softmaxCrossEntropy';
  const y = tf.tidy(() => {
    if (regression) return tf.randomNormal(outShape, 0, 1, 'float32', 2);
    const classes = outShape[outShape.length - 1]!;
    return tf.oneHot(tf.randomUniform(outShape.slice(0, -1), 0, classes, 'int32', 2), classes).toFloat();
  });
  // More cores: a batch is split across data-parallel replicas; a single image's convolutions
  // across kernel threads instead.
  const cores = availableParallelism();
  const ours = backend === 'wasm' && !options.stockWasm;
  const kernelThreads = options.kernelThreads ?? (ours && batch === 1 ? defaultKernelThreads() : 1);
  const workers = options.workers ?? (ours && kernelThreads === 1 && batch > 1 ? cores - 1 : 0);
  const parallel =
    workers > 0
      ? await DataParallel.create(runModel, { workers, loss, backend: backend === 'cpu' ? 'cpu' : 'wasm' })
      : null;
  const threads = kernelThreads > 1 ? enableKernelThreads({ threads: kernelThreads }) : null;
  const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 0.01 });

  const cpuCheck: CpuCheck | null =
    gpu && options.checkCpu ? await checkAgainstCpu(makeModel, model, x, y, loss) : null;
  let lastLoss: number | null = null;
  // The step without its reads, for GPU timing (tf.time takes a synchronous function).
  const enqueueStep = () => {
    if (options.mode === 'infer') {
      tf.tidy(() => {
        runModel.apply(x, { training: false });
      });
      return;
    }
    const { value, grads } = leanVariableGrads(() =>
      computeLoss(loss, model.apply(x, { training: true }) as tf.Tensor, y),
    );
    optimizer.applyGradients(grads);
    tf.dispose([value, grads]);
  };
  const step = async () => {
    if (options.mode === 'infer') {
      const out = parallel
        ? await parallel.predict(x)
        : tf.tidy(() => runModel.apply(x, { training: false }) as tf.Tensor);
      await out.data();
      out.dispose();
      return;
    }
    const { value, grads } = parallel
      ? await parallel.valueAndGrads(x, y)
      : leanVariableGrads(() => {
          const output = model.apply(x, { training: true }) as tf.Tensor;
          return computeLoss(loss, output, y);
        });
    optimizer.applyGradients(grads);
    lastLoss = (await value.data())[0]!;
    tf.dispose([value, grads]);
  };

  for (let i = 0; i < options.warmup; i++) await step();
  const profile = options.peak ? await tf.profile(step) : null;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < options.steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await step();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const msPerStep = median(wall);
  const gpuMs: number[] = [];
  if (gpu?.timestampQuery && !parallel) {
    for (let i = 0; i < Math.min(options.steps, 3); i++) {
      const ms = await gpuMilliseconds(enqueueStep, true);
      if (ms !== null) gpuMs.push(ms);
    }
  }
  const onnxruntime: OrtTiming[] | null =
    options.engine === 'onnxruntime'
      ? await benchOnnxRuntime(model, x as tf.Tensor4D, {
          steps: options.steps,
          warmup: options.warmup,
          otherFile: options.onnxFile,
        })
      : null;
  const result = {
    workload: options.workload ?? null,
    model: options.model ?? 'config',
    mode: options.mode,
    /** infer: whether the optimizeForInference graph ran, and its layer count against the model's. */
    optimized: runModel !== model,
    layers: { model: model.layers.length, run: runModel.layers.length },
    batchSize: batch,
    imgSize,
    backend: options.stockWasm ? 'wasm (stock)' : backend,
    /** Which build of our kernel module ran (relaxed SIMD or the plain-SIMD fallback). */
    wasmSimd: backend === 'wasm' && !options.stockWasm ? wasmSimdVariant() : null,
    /** Whether ConvTranspose(4, 2, 1) ran as Winograd F(2x2, 2x2) (WAVEMIX_WASM_WINOGRAD=0: the direct GEMM). */
    winograd: backend === 'wasm' && !options.stockWasm ? wasmWinogradEnabled() : null,
    threads: parallel?.threads ?? threads?.threads ?? 1,
    parallelism: parallel ? 'data-parallel' : threads ? 'kernel threads' : 'none',
    steps: options.steps,
    msPerStep: Number(msPerStep.toFixed(2)),
    imagesPerSecond: Number(((batch / msPerStep) * 1000).toFixed(2)),
    cpuMsPerStep: Number(median(cpu).toFixed(2)),
    peakBytes: profile?.peakBytes ?? null,
    /** webgpu: the adapter, the GPU time per step (timestamp queries; null without them) and the check against cpu. */
    gpuAdapter: gpu?.adapter ?? null,
    softwareGpu: gpu ? gpu.software : null,
    gpuMsPerStep: gpuMs.length ? Number(median(gpuMs).toFixed(2)) : null,
    cpuCheck,
    /** Size of the wasm backend's memory (it only grows), on the main thread. */
    heapBytes:
      backend === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : null,
    /** Kernel threads: the size of their shared memory (the packed filters of the threaded layers, and each call's copies). */
    sharedBytes: threads ? (getKernelThreadPool()?.memory.buffer.byteLength ?? null) : null,
    numTensors: tf.memory().numTensors,
    params: countTrainableParams(model),
    loss: lastLoss,
    load1: Number(loadavg()[0]!.toFixed(2)),
    node: process.version,
    onnxruntime,
  };
  await parallel?.dispose();
  await threads?.dispose();
  optimizer.dispose();
  tf.dispose([x, y]);
  if (runModel !== model) runModel.dispose();
  model.dispose();
  if (options.json) {
    console.log(JSON.stringify(result));
  } else {
    const w = options.workload ? WORKLOADS[options.workload] : undefined;
    console.log(
      `${result.workload ? `${result.workload} ` : ''}${result.model} ${result.mode}${result.optimized ? ` (optimized graph, ${result.layers.run} of ${result.layers.model} layers)` : ''} batch ${batch} ${imgSize.join('x')} on ${result.backend}` +
        ` (${result.threads} thread${result.threads > 1 ? `s, ${result.parallelism}` : ''}): ${result.msPerStep} ms/step, ${result.imagesPerSecond} images/s` +
        ` (median of ${options.steps}; process CPU ${result.cpuMsPerStep} ms/step; load ${result.load1})` +
        (gpu
          ? `\n  GPU ${gpu.adapter}: ${result.gpuMsPerStep === null ? 'no timestamp queries' : `${result.gpuMsPerStep} GPU ms/step`}`
          : '') +
        (cpuCheck
          ? `\n  against cpu: output relative error ${cpuCheck.outputRelativeError.toExponential(2)}, loss ${cpuCheck.gpuLoss} vs ${cpuCheck.cpuLoss}`
          : '') +
        (onnxruntime ?? [])
          .map(
            (o) =>
              `\n  onnxruntime-node ${o.graph}: ${o.msPerStep} ms/step, ${o.imagesPerSecond} images/s (process CPU ${o.cpuMsPerStep} ms/step; ${o.nodes} nodes)`,
          )
          .join('') +
        `\n  peak ${result.peakBytes == null ? '(not measured)' : `${(result.peakBytes / 2 ** 20).toFixed(1)} MiB`} in tensors${result.heapBytes ? ` (wasm memory ${(result.heapBytes / 2 ** 20).toFixed(0)} MiB${result.sharedBytes ? `, kernel threads' shared memory ${(result.sharedBytes / 2 ** 20).toFixed(0)} MiB` : ''})` : ''}, ${result.numTensors} tensors live${w ? `; PyTorch CPU (issue 8): ${w.pytorch}` : ''}`,
    );
  }
}

main().catch((error: unknown) => {
  if (process.argv.includes('--json') && !(error instanceof UsageError)) {
    console.log(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  }
  console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
