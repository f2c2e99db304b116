/**
 * Browser page for @wavemix/onnx: builds a fixture's model with tfjs, loads its official weights,
 * exports it with `exportOnnx` in the page, then runs it through `loadOnnx` on onnxruntime-web
 * (each execution provider in turn) and compares with the PyTorch reference output. Driven by
 * run.ts through `window.wavemixOnnx`; the repository root is served, so fixtures and
 * onnxruntime-web's .wasm files come from 127.0.0.1.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { readSafetensors, toFloat32 } from '@wavemix/core';
import { createModel, loadPyTorchWeights, type WaveMixConfig } from '@wavemix/models';
import { checkOnnxModel, exportOnnx, loadOnnx, type OrtModule } from '@wavemix/onnx';

export interface OnnxCaseResult {
  fixture: string;
  provider: string;
  ok: boolean;
  relativeError: number | null;
  ms: number;
  /** For WebGPU: the adapter onnxruntime-web used (proof it did not run elsewhere). */
  device?: string;
  error?: string;
}

const CAMEL: Record<string, string> = {
  num_classes: 'numClasses',
  ff_channel: 'ffChannel',
  final_dim: 'finalDim',
  initial_conv: 'initialConv',
  patch_size: 'patchSize',
};

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The fixture's model with official weights, its input (NCHW) and PyTorch output. */
async function loadFixture(name: string) {
  const base = `/fixtures/pytorch/${name}`;
  const raw = JSON.parse(new TextDecoder().decode(await fetchBytes(`${base}/config.json`))) as {
    model: string;
    pytorch_kwargs: Record<string, unknown>;
    input_shape_nchw: number[];
  };
  const config: Record<string, unknown> = {
    task: raw.model,
    inChannels: raw.input_shape_nchw[1],
    inputSize: raw.input_shape_nchw.slice(2),
  };
  for (const [key, value] of Object.entries(raw.pytorch_kwargs)) config[CAMEL[key] ?? key] = value;
  const model = createModel(config as unknown as WaveMixConfig);
  loadPyTorchWeights(model, await fetchBytes(`${base}/model.safetensors`));
  const io = readSafetensors(await fetchBytes(`${base}/io.safetensors`)).tensors;
  const tensor = (key: string) => ({ shape: [...io.get(key)!.shape], data: toFloat32(io.get(key)!) });
  return { model, x: tensor('x'), y: tensor('y') };
}

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return actual.length === expected.length ? diff / scale : Number.POSITIVE_INFINITY;
}

async function run(fixtures: string[], providers: string[]): Promise<OnnxCaseResult[]> {
  await tf.setBackend('cpu');
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1; // no cross-origin isolation here, so no SharedArrayBuffer threads
  const results: OnnxCaseResult[] = [];
  for (const fixture of fixtures) {
    const { model, x, y } = await loadFixture(fixture);
    const bytes = await exportOnnx(model);
    const problems = checkOnnxModel(bytes);
    if (problems.length > 0) throw new Error(`${fixture}: checkOnnxModel: ${problems.join('; ')}`);
    const [n, c, h, w] = x.shape as [number, number, number, number];
    for (const provider of providers) {
      const started = performance.now();
      try {
        const predictor = await loadOnnx(bytes, {
          runtime: ort as unknown as OrtModule,
          executionProviders: [provider],
        });
        const input = tf.transpose(tf.tensor4d(x.data, [n, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
        const output = await predictor.predict(input);
        const nchw = output.rank === 4 ? tf.transpose(output, [0, 3, 1, 2]) : output;
        const error = relativeError(await nchw.data(), y.data);
        tf.dispose([output, nchw]);
        await predictor.dispose();
        const adapter = (ort.env.webgpu as { adapter?: { info?: { vendor?: string; architecture?: string } } }).adapter;
        const device =
          provider === 'webgpu'
            ? adapter
              ? `${adapter.info?.vendor ?? '?'} ${adapter.info?.architecture ?? '?'}`
              : undefined
            : 'wasm';
        const ok = error < 1e-4 && device !== undefined;
        results.push({
          fixture,
          provider,
          ok,
          relativeError: error,
          ms: performance.now() - started,
          device: device ?? 'no WebGPU adapter',
        });
      } catch (error) {
        results.push({
          fixture,
          provider,
          ok: false,
          relativeError: null,
          ms: performance.now() - started,
          error: String((error as Error).stack ?? error),
        });
      }
    }
    model.dispose();
  }
  return results;
}

declare global {
  interface Window {
    wavemixOnnx: { run: typeof run; numTensors: () => number };
    wavemixPageReady: boolean;
  }
}

window.wavemixOnnx = { run, numTensors: () => tf.memory().numTensors };
window.wavemixPageReady = true;
