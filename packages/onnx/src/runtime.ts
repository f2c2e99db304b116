/**
 * The slice of the onnxruntime API the predictor uses (onnxruntime-node and onnxruntime-web share
 * it through onnxruntime-common), and loading the right package on demand: the runtimes are
 * optional peers, so importing `@wavemix/onnx` for the exporter alone never loads one.
 */
import { WaveMixOnnxRuntimeError } from './errors';

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  executionProviders?: ReadonlyArray<string | { name: string; [key: string]: unknown }>;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  [key: string]: unknown;
}

/** What `import * as ort from 'onnxruntime-node'` (or `-web`) provides. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

export const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof (process as { versions?: { node?: string } }).versions?.node === 'string';

const NODE_RUNTIME: string = 'onnxruntime-node';

/** A Node module, imported through a variable so that browser bundlers leave it alone. */
export function importNodeBuiltin(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name);
}

/** onnxruntime-node in Node, onnxruntime-web elsewhere (dynamic imports, so bundlers split them out). */
export async function importRuntime(): Promise<OrtModule> {
  const name = isNode() ? 'onnxruntime-node' : 'onnxruntime-web';
  let loaded: unknown;
  try {
    // The Node package is named through a variable so that browser bundlers do not try to bundle it.
    loaded = isNode()
      ? await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_RUNTIME)
      : await import('onnxruntime-web');
  } catch (error) {
    throw new WaveMixOnnxRuntimeError(
      `cannot load ${name} (${(error as Error).message}); install it next to @wavemix/onnx or pass options.runtime`,
    );
  }
  const module = loaded as OrtModule & { default?: OrtModule };
  return module.InferenceSession ? module : module.default!;
}
