/**
 * The state several panels read: the active backend, the opened image, the pyramid depth and the
 * loaded model. Everything else belongs to the panel that shows it.
 */
import type { BackendName } from '../backend';
import type { FitPlan } from '../logic/fit';
import type { Predictor } from './predictor';

export interface LoadedImage {
  name: string;
  plan: FitPlan;
  /** RGBA bytes at the resized size (before padding). */
  rgba: Uint8ClampedArray;
  /** Padded RGB in [0, 1], [plan.height, plan.width, 3]. */
  working: Float32Array;
}

/** Where a model came from; `reload` rebuilds it on the active backend from that source. */
export interface ModelSource {
  /** 'zoo' | 'tfjs-folder' | 'bundled' | 'pytorch' | 'onnx' | 'trained' (the Train panel's). */
  kind: string;
  /** What the page calls it ("model.safetensors with model-config.json"). */
  label: string;
  /** The model again, its weights read from their source (files, URL, or the snapshot of random ones). */
  reload(): Promise<Predictor>;
  /** What runs it, when not tfjs on the active backend ("onnxruntime-web, wasm"). */
  engine?: string;
  /** Parameter count when the predictor has no LayersModel to count them (an `.onnx` file). */
  parameterCount?: number;
}

export interface LoadedModel {
  source: ModelSource;
  predictor: Predictor;
}

export class Store {
  backend: BackendName | null = null;
  image: LoadedImage | null = null;
  levels = 2;
  model: LoadedModel | null = null;
}
