/**
 * An `.onnx` file (e.g. `exportOnnx`'s or the trainer's `model.onnx`) run by onnxruntime-web
 * through @wavemix/onnx's `loadOnnx`: WebGPU where the browser has it, else wasm (or the one
 * chosen). The WaveMix metadata (task, preprocessing, class names) comes from the file's
 * `metadata_props`. onnxruntime-web and its wasm binary load only when the first `.onnx` file is
 * opened, and the binary is served from the app's own origin (see vite.config.ts).
 */
import { buildModel } from '@wavemix/models';
import type { OnnxPredictor, OrtModule } from '@wavemix/onnx';
import { ViewerInputError } from '../../errors';
import { humaniseError } from '../../logic/humanise';
import type { Loaded } from './sources';

/** 'auto' (WebGPU if `navigator.gpu`, falling back to wasm), 'webgpu' or 'wasm'. */
export type OnnxProvider = 'auto' | 'webgpu' | 'wasm';

/** onnxruntime-web, set up once: its wasm binary from our origin, one thread (no cross-origin isolation here). */
let runtime: Promise<OrtModule> | null = null;
function onnxRuntime(): Promise<OrtModule> {
  runtime ??= (async () => {
    const [ort, { default: wasmUrl }] = await Promise.all([
      import('onnxruntime-web'),
      import('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url'),
    ]);
    // The glue .mjs is bundled inside onnxruntime-web's ESM entry; only the binary is fetched.
    ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, location.href).href };
    ort.env.wasm.numThreads = 1;
    return ort as unknown as OrtModule;
  })();
  return runtime;
}

function providersFor(choice: OnnxProvider): string[] {
  if (choice === 'wasm') return ['wasm'];
  if (choice === 'webgpu') return ['webgpu'];
  return typeof navigator !== 'undefined' && 'gpu' in navigator ? ['webgpu', 'wasm'] : ['wasm'];
}

export async function fromOnnx(file: File, choice: OnnxProvider): Promise<Loaded> {
  if (!file.name.toLowerCase().endsWith('.onnx')) throw new ViewerInputError(`${file.name} is not an .onnx file`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const ort = await onnxRuntime();
  const { loadOnnx } = await import('@wavemix/onnx');
  const providers = providersFor(choice);
  const reload = async (): Promise<OnnxPredictor> => {
    try {
      return await loadOnnx(bytes, { runtime: ort, executionProviders: providers });
    } catch (error) {
      const { summary, details } = humaniseError(error);
      throw new ViewerInputError(`${file.name}: onnxruntime could not open it (${summary})`, details);
    }
  };
  const predictor = await reload();
  // The parameter count of the network the metadata describes (an ONNX graph may fold batch norms).
  const counted = buildModel(predictor.metadata.config);
  const parameterCount = counted.countParams();
  counted.dispose();
  // With ['webgpu', 'wasm'] onnxruntime falls back to wasm silently; its WebGPU adapter says which ran.
  const adapter = (ort as unknown as { env: { webgpu?: { adapter?: unknown } } }).env.webgpu?.adapter;
  const engine = `onnxruntime-web, ${providers[0] === 'webgpu' && adapter ? 'webgpu' : 'wasm'}`;
  return { source: { kind: 'onnx', label: file.name, reload, engine, parameterCount }, predictor, warnings: [] };
}
